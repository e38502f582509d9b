"""A scoring frame -> the float matrix LightGBM reads, vectorised for large batches.

Same result as `FeatureSignature.matrix` (the registry's reference path), which maps every category
value through Python; here text columns go straight through `pd.Categorical` and numeric columns
through numpy, and only columns of other shapes (numbers in a category column, mixed types) take the
reference path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.errors import ModelError
from soloml.modeling.signature import FeatureSignature, to_category, to_float


def feature_matrix(signature: FeatureSignature, frame: pd.DataFrame) -> np.ndarray:
    missing = [n for n in signature.names if n not in frame.columns]
    if missing:
        raise ModelError(
            f"The rows to score lack {len(missing)} feature column(s) the model needs: {', '.join(missing[:10])}.",
            hint="Score rows built by the same project (soloml score PROJECT) or add those columns.",
        )
    out = np.empty((len(frame), len(signature.names)), dtype=np.float64)
    for j, name in enumerate(signature.names):
        col = frame[name]
        if signature.dtypes[name] in ("category", "string"):
            cats = signature.categories.get(name, [])
            if _all_text(col):
                codes = pd.Categorical(col.astype(object), categories=cats).codes
            else:
                codes = to_category(col, cats).cat.codes.to_numpy()
            values = codes.astype(np.float64)
            values[codes < 0] = np.nan
            out[:, j] = values
        elif pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            out[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            out[:, j] = to_float(col, name).to_numpy(dtype=np.float64)
    return out


def _all_text(col: pd.Series) -> bool:
    """True when every present value is already a str (the common case: text categories)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return bool(pd.api.types.is_string_dtype(col.cat.categories)) and all(
            isinstance(v, str) for v in col.cat.categories
        )
    if isinstance(col.dtype, pd.StringDtype):
        return True
    if col.dtype != object:
        return False
    return pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty")
