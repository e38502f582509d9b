"""Which columns a model should not learn from, and why: ids, constants, all-missing, free text, leak suspects.

Pure functions over pandas columns, so training, and a readiness check before it, say the same thing:

    >>> import pandas as pd
    >>> id_reason(pd.Series(range(1, 101)), "row_number")
    'a row id (a different whole number in every row, 1 to 100)'
    >>> screen(pd.DataFrame({"n": range(100), "x": [1.0, 2.0] * 50}), ("n", "x")).kept
    ('x',)

An id is a column of text or whole numbers with a different value in every row (whole numbers also
need to run in order or fill most of their range; a real quantity can be all-different by chance), or
one whose name says id (`id`, `*_id`, `uuid`, `rownames`, `index` ...) with many distinct values. A
leak suspect predicts the label almost perfectly on its own (ROC AUC or rank correlation >= 0.995):
usually a column recorded after the outcome.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from soloml.modeling.metrics import roc_auc

Kind = Literal["id", "constant", "all_missing", "free_text", "leak", "date", "metadata", "nested"]
ID_NAMES = re.compile(
    r"^(id|uuid|guid|index|idx|key|rownames?|row_?(id|num|number|index)?|unnamed(_\d+)?)$|_(id|uuid|guid|key|number|no)$"
)
MIN_ROWS = 20  # fewer rows than this: too few to call any column an id
DENSE_SPAN = 2.0  # whole numbers filling at least half of their range look like a numbering
FREE_TEXT_MIN = 100
LEAK_AUC = 0.995
LEAK_MIN_ROWS = 100
LEAK_MAX_CATEGORIES = 50


@dataclass(frozen=True)
class LeftOut:
    """A column not used as a feature, with the reason in plain words."""

    column: str
    kind: Kind
    reason: str


@dataclass(frozen=True)
class Screen:
    kept: tuple[str, ...]
    left_out: tuple[LeftOut, ...]


def screen(
    frame: pd.DataFrame,
    features: Sequence[str],
    *,
    label: np.ndarray | None = None,
    task: str | None = None,
    rows: np.ndarray | None = None,
    target: str = "the label",
) -> Screen:
    """Split `features` into kept and left out. With `label` and `task`, leak suspects are judged on `rows` only."""
    kept, out = [], []
    for name in features:
        col = frame[name]
        finding = column_finding(col, name)
        if finding is None and label is not None and task is not None:
            picked = col if rows is None else col.iloc[rows]
            reason = leak_reason(picked, label if rows is None else label[rows], task, target=target)
            finding = None if reason is None else LeftOut(name, "leak", reason)
        if finding is None:
            kept.append(name)
        else:
            out.append(finding)
    return Screen(tuple(kept), tuple(out))


def column_finding(col: pd.Series, name: str) -> LeftOut | None:
    """Why `col` should not be a feature (label-free checks only), or None."""
    for kind, check in (("all_missing", all_missing_reason), ("constant", constant_reason)):
        reason = check(col)
        if reason is not None:
            return LeftOut(name, kind, reason)  # type: ignore[arg-type]
    reason = id_reason(col, name)
    if reason is not None:
        return LeftOut(name, "id", reason)
    reason = free_text_reason(col)
    return None if reason is None else LeftOut(name, "free_text", reason)


def likely_ids(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> tuple[LeftOut, ...]:
    """The columns of `frame` that look like ids."""
    names = list(frame.columns) if columns is None else list(columns)
    found = ((name, id_reason(frame[name], str(name))) for name in names)
    return tuple(LeftOut(str(name), "id", reason) for name, reason in found if reason is not None)


def all_missing_reason(col: pd.Series) -> str | None:
    return "missing in every row" if len(col) and col.isna().all() else None


def constant_reason(col: pd.Series) -> str | None:
    if len(col) < 2 or col.isna().any():
        return None  # a value against missing still tells rows apart
    values = col.unique()
    return f"the same value ({_show(values[0])}) in every row" if len(values) == 1 else None


def id_reason(col: pd.Series, name: str) -> str | None:
    """Why `col` looks like an id (see the module docstring), or None."""
    n = len(col)
    if n < MIN_ROWS or col.isna().all():
        return None
    text = _is_text(col)
    whole = not text and _whole_numbers(col)
    if not (text or whole):
        return None
    distinct = int(col.nunique(dropna=True))
    if distinct == n:
        if text:
            return "an identifier (a different value in every row)"
        values = col.to_numpy(dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        ordered = bool(np.all(np.diff(values) > 0) or np.all(np.diff(values) < 0))
        if ordered or (high - low + 1) <= DENSE_SPAN * n:
            return f"a row id (a different whole number in every row, {low:,.0f} to {high:,.0f})"
    if ID_NAMES.search(name.lower()) and distinct > max(FREE_TEXT_MIN, n // 10):
        return f"an identifier, by its name ({distinct:,} distinct values in {n:,} rows)"
    return None


def free_text_reason(col: pd.Series) -> str | None:
    if not _is_text(col):
        return None
    distinct = int(col.nunique(dropna=True))
    if distinct > max(FREE_TEXT_MIN, len(col) // 2):
        return f"free text ({distinct:,} distinct values in {len(col):,} rows: a category per row teaches nothing)"
    return None


def leak_reason(col: pd.Series, label: np.ndarray, task: str, *, target: str = "the label") -> str | None:
    """Why `col` alone predicts the label almost perfectly (binary: ROC AUC, regression: rank correlation), or None."""
    if len(col) < LEAK_MIN_ROWS or task == "multiclass":
        return None
    score = _as_score(col, label)
    if score is None:
        return None
    # a leave-one-out category mean ranks each row against its own label, inverted (categories unrelated to the
    # label come out near-perfectly backwards), so for categories only the direct reading counts
    loo = _is_text(col) or pd.api.types.is_bool_dtype(col)
    if task == "binary":
        y = np.asarray(label, dtype=float)
        if min(y.sum(), len(y) - y.sum()) < 10:
            return None
        auc = roc_auc(y, score)
        strength = auc if loo else max(auc, 1.0 - auc)
        words = f"ROC AUC {strength:.3f}"
    else:
        y = np.asarray(label, dtype=float)
        if np.std(score) == 0 or np.std(y) == 0:
            return None
        rho = float(np.corrcoef(rankdata(score), rankdata(y))[0, 1])
        strength = rho if loo else abs(rho)
        words = f"rank correlation {strength:.3f}"
    if strength < LEAK_AUC:
        return None
    return f"a leak suspect: alone it predicts {target} almost perfectly ({words} on the training rows), so it is probably recorded after the outcome"


def _as_score(col: pd.Series, label: np.ndarray) -> np.ndarray | None:
    """Numbers as they are (missing lowest); a category as its leave-one-out label mean."""
    if _is_text(col) or pd.api.types.is_bool_dtype(col):
        codes, uniques = pd.factorize(col, use_na_sentinel=False)  # missing is a category of its own
        if len(uniques) > LEAK_MAX_CATEGORIES:
            return None
        y = np.asarray(label, dtype=float)
        sums = np.bincount(codes, weights=y, minlength=len(uniques))[codes]
        counts = np.bincount(codes, minlength=len(uniques))[codes]
        overall = float(y.mean())
        return np.where(counts > 1, (sums - y) / np.maximum(counts - 1, 1), overall).astype(float)
    values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
    if np.isnan(values).all():
        return None
    return np.where(np.isnan(values), np.nanmin(values) - 1.0, values)


def _is_text(col: pd.Series) -> bool:
    return (
        isinstance(col.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(col)
        or pd.api.types.is_string_dtype(col)
    )


def _whole_numbers(col: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        return False
    if pd.api.types.is_integer_dtype(col):
        return True
    values = col.dropna().to_numpy(dtype=np.float64)
    return bool(len(values)) and bool(np.all(np.isfinite(values))) and bool(np.all(values == np.round(values)))


def _show(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{int(value)}"
    return repr(value) if isinstance(value, str) else str(value)
