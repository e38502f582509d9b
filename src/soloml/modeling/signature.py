"""The feature signature: which columns a model reads, their kinds, and the categories it knows.

It is saved with every model (metadata.json) so a model can be fed from a plain dict, a CSV or a
DataFrame without the training code. A category's code is its index in `categories[name]`; values
the model never saw become missing (NaN), which LightGBM routes like any missing value. An ordered category
(`ordered`, modeling/ordered.py: grades, levels, numbers with units) lists its values in their natural order,
so its code is its rank: the model may read it as a number (blend.member_reading) and every scoring path,
which only turns values into codes, stays the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from soloml.errors import ModelError
from soloml.modeling.ordered import natural_order

Kind = Literal["float", "int", "bool", "category", "string"]


@dataclass(frozen=True)
class FeatureSignature:
    """Model inputs in order, with kind (`float`, `int`, `bool`, `category`), known categories and plain words."""

    names: tuple[str, ...]
    dtypes: dict[str, Kind]
    categories: dict[str, list[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    ordered: tuple[str, ...] = ()  # categories whose values are listed in their natural order (grades, levels)

    @property
    def categorical(self) -> tuple[str, ...]:
        return tuple(n for n in self.names if self.dtypes[n] in ("category", "string"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "dtypes": dict(self.dtypes),
            "categories": {k: list(v) for k, v in self.categories.items()},
            "descriptions": dict(self.descriptions),
            "ordered": list(self.ordered),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSignature:
        return cls(
            names=tuple(data["names"]),
            dtypes=dict(data["dtypes"]),
            categories={k: list(v) for k, v in data.get("categories", {}).items()},
            descriptions=dict(data.get("descriptions", {})),
            ordered=tuple(data.get("ordered", ())),  # models saved before 2026-12-07 have none
        )

    def describe(self, name: str) -> str:
        """Plain words for a feature: its description, else the column name with spaces."""
        return self.descriptions.get(name) or name.replace("_", " ")

    def prepare(self, df: pd.DataFrame) -> pd.DataFrame:
        """`df` as the model reads it: columns in order, numbers as floats, categories with the training categories.

        Extra columns are ignored; a missing column or a non-number in a numeric column raises ModelError.
        """
        missing = [n for n in self.names if n not in df.columns]
        if missing:
            raise ModelError(
                f"The rows to score lack {len(missing)} feature column(s) the model needs: {', '.join(missing[:10])}.",
                hint="Score rows built by the same project (soloml score PROJECT) or add those columns.",
            )
        out: dict[str, Any] = {}
        for name in self.names:
            col = df[name]
            if self.dtypes[name] in ("category", "string"):
                out[name] = to_category(col, self.categories.get(name, []))
            else:
                out[name] = to_float(col, name)
        return pd.DataFrame(out, index=df.index)

    def matrix(self, df: pd.DataFrame) -> np.ndarray:
        """A float matrix (category -> its code) in signature order; the fast path for LightGBM."""
        prepared = self.prepare(df)
        cols = []
        for name in self.names:
            col = prepared[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                codes = col.cat.codes.to_numpy(dtype=np.float64)
                codes[codes < 0] = np.nan
                cols.append(codes)
            else:
                cols.append(col.to_numpy(dtype=np.float64))
        return np.column_stack(cols) if cols else np.empty((len(df), 0))


def to_category(col: pd.Series, categories: list[str]) -> pd.Series:
    """Values as text categories with a fixed category list; anything else becomes NaN."""
    text = as_text(col)
    return pd.Series(pd.Categorical(text, categories=categories), index=col.index)


def as_text(col: pd.Series) -> pd.Series:
    """Category values as strings (NaN stays missing): 1 and '1' are the same category."""
    # each distinct value is turned into text once (a table has few categories and many rows)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    if pd.api.types.is_object_dtype(col) and not all(isinstance(v, str) for v in uniques):
        # mixed values: True, 1 and 1.0 are one key to factorize but different text ("true" vs "1")
        mask = col.isna()
        text = col.map(_text_value).astype(object)
        text[mask] = np.nan
        return text
    words = np.array([_text_value(v) for v in uniques] + [np.nan], dtype=object)
    return pd.Series(words[codes], index=col.index, name=col.name, dtype=object)  # code -1 (missing) takes the NaN


def _text_value(value: Any) -> Any:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def to_float(col: pd.Series, name: str) -> pd.Series:
    """A numeric or boolean column as float64; text that is not a number raises a ModelError naming it."""
    if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
        return col.astype("float64")
    converted = pd.to_numeric(col, errors="coerce")
    bad = converted.isna() & col.notna()
    if bad.any():
        row = bad.to_numpy().nonzero()[0][0]
        raise ModelError(
            f"Feature '{name}' must be a number, but row {row} holds {col.iloc[row]!r}.",
            hint="Fix the value or declare the column categorical in the project.",
        )
    return converted.astype("float64")


def kind_of(col: pd.Series) -> Kind:
    """The signature kind of a training column (text and categories are 'category')."""
    if pd.api.types.is_bool_dtype(col):
        return "bool"
    if (
        isinstance(col.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(col)
        or pd.api.types.is_string_dtype(col)
    ):
        return "category"
    if pd.api.types.is_integer_dtype(col):
        return "int"
    if pd.api.types.is_numeric_dtype(col):
        return "float"
    raise ModelError(
        f"Feature '{col.name}' has type {col.dtype}, which a model cannot read.",
        hint="Turn dates into ages in days (e.g. days since signup) or leave the column out.",
    )


def build_signature(
    frame: pd.DataFrame, features: tuple[str, ...], categorical: tuple[str, ...], descriptions: Mapping[str, str]
) -> FeatureSignature:
    """Learn the signature from a training frame: kinds, and for categories the values seen, sorted, or in their
    natural order when they are ordered (modeling/ordered.py)."""
    dtypes: dict[str, Kind] = {}
    categories: dict[str, list[str]] = {}
    ordered: list[str] = []
    for name in features:
        col = frame[name]
        kind: Kind = "category" if name in categorical else kind_of(col)
        dtypes[name] = kind
        if kind == "category":
            values = sorted(str(v) for v in as_text(col).dropna().unique())
            order = natural_order(values)
            categories[name] = values if order is None else order
            if order is not None:
                ordered.append(name)
    return FeatureSignature(
        names=tuple(features),
        dtypes=dtypes,
        categories=categories,
        descriptions={n: descriptions[n] for n in features if n in descriptions},
        ordered=tuple(ordered),
    )
