"""Has the data the model sees moved away from the data it learned from?

For each feature: the population stability index (PSI) over quantile bins of the reference
(or over categories), plus a test — Kolmogorov-Smirnov for numbers, chi-square for categories.
A feature alerts only when the shift is both large (PSI > 0.2, the usual "significant shift"
line) and statistically real (p < 0.01). Large samples make every p-value tiny, and small
samples make PSI noisy; requiring both keeps a million-row check quiet on same-distribution
data and a hundred-row check quiet on noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from soloml.errors import MonitorError

PSI_ALERT = 0.2
P_ALERT = 0.01
EPS = 1e-4  # floor for empty bins, so one empty bin does not make PSI infinite

Kind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    kind: Kind
    psi: float
    test: str  # 'ks' or 'chi2'
    statistic: float
    p_value: float
    n_reference: int
    n_current: int
    alert: bool
    psi_threshold: float = PSI_ALERT
    p_threshold: float = P_ALERT

    @property
    def words(self) -> str:
        level = "shifted" if self.alert else ("moved a little" if self.psi > 0.1 else "is stable")
        return f"{self.feature} {level} (PSI {self.psi:.3f}, {self.test} p = {self.p_value:.2g}, {self.n_current:,} recent vs {self.n_reference:,} training rows)"


def psi_from_shares(reference: np.ndarray, current: np.ndarray) -> float:
    """Σ (c - r) · ln(c / r) over bins, shares floored at 1e-4."""
    r = np.maximum(np.asarray(reference, dtype=float), EPS)
    c = np.maximum(np.asarray(current, dtype=float), EPS)
    return float(np.sum((c - r) * np.log(c / r)))


def quantile_edges(reference: np.ndarray, bins: int = 10) -> np.ndarray:
    """Inner bin edges at the reference's deciles (duplicates dropped, so heavy ties make fewer bins)."""
    qs = np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def numeric_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of values per bin (right-closed bins, as pandas.cut), with a last bin for missing values."""
    present = values[~np.isnan(values)]
    counts = np.bincount(np.searchsorted(edges, present, side="left"), minlength=len(edges) + 1).astype(float)
    counts = np.append(counts, float(len(values) - len(present)))
    return counts / max(len(values), 1)


def numeric_drift(feature: str, reference: pd.Series, current: pd.Series, *, bins: int = 10) -> FeatureDrift:
    ref = pd.to_numeric(reference, errors="coerce").to_numpy(dtype=float)
    cur = pd.to_numeric(current, errors="coerce").to_numpy(dtype=float)
    edges = quantile_edges(ref[~np.isnan(ref)], bins) if (~np.isnan(ref)).any() else np.array([])
    psi = psi_from_shares(numeric_shares(ref, edges), numeric_shares(cur, edges))
    r, c = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if len(r) and len(c):
        method = "asymp" if len(r) * len(c) > 10_000_000 else "auto"
        ks = stats.ks_2samp(r, c, method=method)
        stat, p = float(ks.statistic), float(ks.pvalue)
    else:
        stat, p = 0.0, 1.0
    test = "ks"
    missing_ref, missing_cur = int(np.isnan(ref).sum()), int(np.isnan(cur).sum())
    if (
        missing_ref or missing_cur
    ):  # KS cannot see a change in how often the value is missing: test that too (Bonferroni)
        table = np.array([[missing_ref, len(ref) - missing_ref], [missing_cur, len(cur) - missing_cur]])
        p_missing = (
            float(stats.chi2_contingency(table, correction=False).pvalue) if (table.sum(axis=0) > 0).all() else 1.0
        )
        p, test = min(1.0, 2.0 * min(p, p_missing)), "ks+missing"
    return FeatureDrift(
        feature, "numeric", psi, test, stat, p, len(ref), len(cur), bool(psi > PSI_ALERT and p < P_ALERT)
    )


def categorical_drift(feature: str, reference: pd.Series, current: pd.Series) -> FeatureDrift:
    ref = reference.astype("object").where(reference.notna(), "(missing)").astype(str)
    cur = current.astype("object").where(current.notna(), "(missing)").astype(str)
    ref_counts, cur_counts = ref.value_counts(), cur.value_counts()
    categories = sorted(set(ref_counts.index) | set(cur_counts.index))
    r = ref_counts.reindex(categories, fill_value=0).to_numpy(dtype=float)
    c = cur_counts.reindex(categories, fill_value=0).to_numpy(dtype=float)
    psi = psi_from_shares(r / max(r.sum(), 1), c / max(c.sum(), 1))
    if len(categories) > 1 and r.sum() and c.sum():
        table = np.vstack([r, c])
        table = table[:, table.sum(axis=0) > 0]
        result = stats.chi2_contingency(table, correction=False)
        stat, p = float(result.statistic), float(result.pvalue)
    else:
        stat, p = 0.0, 1.0
    return FeatureDrift(
        feature, "categorical", psi, "chi2", stat, p, len(ref), len(cur), bool(psi > PSI_ALERT and p < P_ALERT)
    )


def is_categorical(series: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def feature_drift(
    reference: pd.DataFrame, current: pd.DataFrame, features: list[str] | tuple[str, ...] | None = None
) -> tuple[FeatureDrift, ...]:
    """Drift of every feature (default: every column both frames share, minus ids, cutoff and label)."""
    if reference.empty:
        raise MonitorError(
            "The reference (training) data is empty, so there is nothing to compare against.",
            hint="Train the project (or build its training set) first.",
        )
    if current.empty:
        raise MonitorError(
            "There are no recent rows to check.", hint="Score the project (`soloml score PROJECT`) first."
        )
    if features is None:
        skip = {"entity_id", "cutoff", "label"}
        features = [c for c in reference.columns if c in current.columns and c not in skip]
    missing = [f for f in features if f not in current.columns]
    if missing:
        raise MonitorError(
            f"Recent rows lack feature(s) {missing} that the training data has.",
            hint="Re-score with the current feature set (`soloml score PROJECT`).",
        )
    out = []
    for f in features:
        if is_categorical(reference[f]) or is_categorical(current[f]):
            out.append(categorical_drift(f, reference[f], current[f]))
        else:
            out.append(numeric_drift(f, reference[f], current[f]))
    return tuple(out)
