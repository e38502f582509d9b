"""Do I have enough data? Measured, not guessed: a learning curve, and a minimum sample size where one applies.

The learning curve fits the model on growing shares of the training rows (1/16, 1/8, ... all of them;
time-ordered where the project is: the most recent rows first, so a smaller share is "had you collected
for less long") and judges every fit on the same held-out rows (the latest snapshots). The error
(1 - ROC AUC, 1 - accuracy, or RMSE) is fitted with the inverse power law of learning curves,
error(n) = a + b * n^-c (a, b >= 0), which says what twice as much data, or unlimited data, would add.

For binary outcomes, Riley et al. (2019, Statistics in Medicine 38:1276) give a closed-form minimum:
the rows a model with p candidate parameters needs for (1) shrinkage of at most 10%, (2) a small gap
between apparent and adjusted Nagelkerke R^2 (0.05), and (3) the overall risk within +-0.05. The
anticipated Cox-Snell R^2 is measured: the learning curve's last fit, on its held-out rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from soloml.features.trainingset import CUTOFF, LABEL, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.toolkit import Scorer

FRACTIONS = (1 / 16, 1 / 8, 1 / 4, 1 / 2, 1.0)
VALID_SHARE = 0.2
MIN_FIT_ROWS = 50
MIN_FIT_CLASS = 5
MIN_POINTS = 3
MAX_CURVE_ROWS = 20_000  # the largest fit; beyond it the curve is extrapolated (fits grow costly, the shape is known)
EXPONENTS = np.geomspace(0.05, 2.0, 240)
SNAPSHOT_LIMIT = 120  # more distinct dates than this: rows dated one by one, not snapshots


@dataclass(frozen=True)
class CurveFit:
    """error(n) = a + b * n^-c, fitted to the measured points."""

    a: float
    b: float
    c: float

    def error_at(self, n: float) -> float:
        return self.a + self.b * n ** (-self.c)

    def gain_if_doubled(self, n: float) -> float:
        """How much the error falls with twice the rows (>= 0)."""
        return self.error_at(n) - self.error_at(2 * n)

    def rows_until_flat(self, tolerance: float) -> float:
        """The rows n from which doubling gains less than `tolerance`: b n^-c (1 - 2^-c) = tolerance."""
        gain = self.b * (1 - 2 ** (-self.c))
        return 0.0 if gain <= tolerance or self.b <= 0 else (gain / tolerance) ** (1 / self.c)


def fit_curve(sizes: np.ndarray, errors: np.ndarray) -> CurveFit:
    """Least squares over a fine grid of exponents c, with a and b non-negative (NNLS) at each."""
    sizes, errors = np.asarray(sizes, dtype=float), np.asarray(errors, dtype=float)
    best: tuple[float, CurveFit] | None = None
    for c in EXPONENTS:
        design = np.column_stack([np.ones_like(sizes), sizes ** (-c)])
        (a, b), residual = nnls(design, errors)
        if best is None or residual < best[0] - 1e-15:
            best = (residual, CurveFit(float(a), float(b), float(c)))
    assert best is not None
    return best[1]


@dataclass(frozen=True)
class LearningCurve:
    metric: str
    higher_is_better: bool
    sizes: tuple[int, ...]  # training rows of each fit
    values: tuple[float, ...]  # the metric of each fit on the held-out rows
    valid_rows: int
    pool_rows: int  # the training rows available (the largest fit uses at most MAX_CURVE_ROWS of them)
    how: str  # how rows were chosen, in words
    fit: CurveFit | None  # None with fewer than MIN_POINTS points
    last_predictions: np.ndarray  # the largest fit's predictions for the held-out rows
    valid_labels: np.ndarray
    train_base_rate: float | None  # binary: the positive rate of the largest fit's rows

    def error(self, value: float) -> float:
        """1 - the metric for a score (ROC AUC, accuracy), the metric itself for an error (RMSE)."""
        return 1.0 - value if self.higher_is_better else value

    @property
    def current(self) -> float:
        return self.values[-1]

    @property
    def expected(self) -> float:
        """The metric the curve expects with every available training row (measured when they all fit)."""
        return self.current if self.fit is None or self.pool_rows == self.sizes[-1] else self.value_at(self.pool_rows)

    def value_at(self, n: float) -> float:
        assert self.fit is not None
        error = self.fit.error_at(n)
        return 1.0 - error if self.higher_is_better else error

    def gain_if_doubled(self) -> float:
        """How much the error falls with twice the available rows (from the fitted curve)."""
        return 0.0 if self.fit is None else self.fit.gain_if_doubled(self.pool_rows)

    def to_facts(self) -> dict[str, Any]:
        fit = None if self.fit is None else {"a": self.fit.a, "b": self.fit.b, "c": self.fit.c}
        return {
            "metric": self.metric,
            "sizes": list(self.sizes),
            "values": [round(v, 5) for v in self.values],
            "valid_rows": self.valid_rows,
            "pool_rows": self.pool_rows,
            "how": self.how,
            "fit": fit,
            "expected": round(self.expected, 5),
            "gain_if_doubled": round(self.gain_if_doubled(), 5),
        }


def curve_rows(ts: TrainingSet, spec: ProjectSpec, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """(training pool, oldest first; held-out rows; how they were chosen). Snapshots: the latest ~20% held out,
    and pool rows whose label window reaches into the held-out period left out (an embargo of the horizon)."""
    frame = ts.frame
    labelled = np.flatnonzero(frame[LABEL].notna().to_numpy())
    when = pd.to_datetime(frame[CUTOFF]) if CUTOFF in frame else pd.Series(pd.NaT, index=frame.index)
    dates = np.sort(when.iloc[labelled].dropna().unique())
    if ts.has_time and 2 <= len(dates) <= SNAPSHOT_LIMIT:
        counts = when.iloc[labelled].value_counts().sort_index()
        first_valid, held = pd.Timestamp(counts.index[-1]), 0
        for day, n in zip(counts.index[::-1], counts.to_numpy()[::-1], strict=True):
            first_valid, held = pd.Timestamp(day), held + int(n)
            if held >= VALID_SHARE * counts.sum():
                break
        first_valid = max(first_valid, pd.Timestamp(counts.index[1]))
        horizon = pd.Timedelta(days=spec.label.horizon_days) if spec.recipe != "table" else pd.Timedelta(0)
        valid = labelled[(when.iloc[labelled] >= first_valid).to_numpy()]
        pool = labelled[(when.iloc[labelled] <= first_valid - horizon).to_numpy()]
        if len(pool) < MIN_FIT_ROWS:  # too little history for the embargo: keep the overlapping rows, as training does
            pool = labelled[(when.iloc[labelled] < first_valid).to_numpy()]
        pool = pool[np.argsort(when.iloc[pool].to_numpy(), kind="stable")]
        return (
            pool,
            valid,
            f"fit on earlier snapshots, the most recent first; judged on the snapshots from {first_valid:%Y-%m-%d}",
        )
    order = np.random.default_rng(seed).permutation(labelled)
    cut = round(len(order) * (1 - VALID_SHARE))
    return (
        order[:cut],
        np.sort(order[cut:]),
        f"fit on random shares of {cut:,} rows; judged on the other {len(order) - cut:,}",
    )


def learning_curve(
    ts: TrainingSet, spec: ProjectSpec, score: Scorer, *, fractions: tuple[float, ...] = FRACTIONS
) -> LearningCurve | None:
    """The learning curve of `ts` (None when there are too few rows to hold any out)."""
    pool, valid, how = curve_rows(ts, spec)
    if len(pool) < MIN_FIT_ROWS or len(valid) < MIN_FIT_ROWS // 2:
        return None
    y = ts.frame[LABEL].to_numpy()
    sizes, values, last = [], [], None
    measured = pool[-MAX_CURVE_ROWS:]
    for fraction in fractions:
        rows = measured[
            len(measured) - max(1, round(len(measured) * fraction)) :
        ]  # the most recent share (random when unordered)
        if (
            len(rows) < MIN_FIT_ROWS
            or (ts.task != "regression" and pd.Series(y[rows]).value_counts().min() < MIN_FIT_CLASS)
            or (ts.task != "regression" and pd.Series(y[rows]).nunique() < pd.Series(y[pool]).nunique())
        ):
            continue
        last = score(ts, rows, valid)
        sizes.append(len(rows))
        values.append(float(last.value))
    if last is None:
        return None
    errors = np.array([1.0 - v if last.higher_is_better else v for v in values])
    fit = fit_curve(np.array(sizes), errors) if len(sizes) >= MIN_POINTS else None
    base = float(np.mean(y[pool].astype(float))) if ts.task == "binary" else None
    return LearningCurve(
        last.metric,
        last.higher_is_better,
        tuple(sizes),
        tuple(values),
        len(valid),
        len(pool),
        how,
        fit,
        np.asarray(last.predictions, dtype=float),
        y[valid].astype(float),
        base,
    )


@dataclass(frozen=True)
class SampleSize:
    """Riley et al. (2019) criteria for a binary outcome; `rows` is the largest of the three."""

    parameters: int
    prevalence: float
    r2_cs: float
    r2_source: str  # 'measured' or 'assumed (15% of the maximum)'
    max_r2_cs: float
    shrinkage_rows: int
    optimism_rows: int
    risk_rows: int

    @property
    def rows(self) -> int:
        return max(self.shrinkage_rows, self.optimism_rows, self.risk_rows)

    @property
    def events(self) -> float:
        return self.rows * min(self.prevalence, 1 - self.prevalence)

    def to_facts(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "prevalence": round(self.prevalence, 5),
            "r2_cox_snell": round(self.r2_cs, 5),
            "r2_source": self.r2_source,
            "max_r2_cox_snell": self.max_r2_cs,
            "rows_for_shrinkage": self.shrinkage_rows,
            "rows_for_optimism": self.optimism_rows,
            "rows_for_overall_risk": self.risk_rows,
            "rows": self.rows,
            "events": round(self.events, 1),
        }


def riley_sample_size(
    parameters: int,
    prevalence: float,
    r2_cs: float | None,
    *,
    shrinkage: float = 0.9,
    delta: float = 0.05,
    margin: float = 0.05,
) -> SampleSize:
    """The minimum rows for a binary-outcome model (pmsampsize's binary criteria, with its rounding of max R^2).

    >>> riley_sample_size(24, 0.174, 0.288).rows    # Riley et al.'s worked example
    668
    """
    ln_null = prevalence * math.log(prevalence) + (1 - prevalence) * math.log(1 - prevalence)
    max_r2 = round(1 - math.exp(2 * ln_null), 2)
    source = "measured"
    if r2_cs is None or not 0 < r2_cs < max_r2:
        r2_cs, source = 0.15 * max_r2, "assumed (15% of the maximum, Riley's conservative default)"
    n1 = math.ceil(parameters / ((shrinkage - 1) * math.log(1 - r2_cs / shrinkage)))
    s2 = round(r2_cs / (r2_cs + delta * max_r2), 3)
    n2 = math.ceil(parameters / ((s2 - 1) * math.log(1 - r2_cs / s2)))
    n3 = math.ceil((1.96 / margin) ** 2 * prevalence * (1 - prevalence))
    return SampleSize(parameters, prevalence, r2_cs, source, max_r2, n1, n2, n3)


def cox_snell_r2(y: np.ndarray, p: np.ndarray, base_rate: float) -> float:
    """Cox-Snell R^2 of probabilities `p` for outcomes `y` against always predicting `base_rate` (held-out rows)."""
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    q = min(max(base_rate, 1e-12), 1 - 1e-12)
    ll_model = float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))
    ll_null = float(np.sum(y * math.log(q) + (1 - y) * math.log(1 - q)))
    return 1 - math.exp(2 * (ll_null - ll_model) / len(y))


def candidate_parameters(ts: TrainingSet) -> int:
    """Parameters a regression on these features would estimate: one per number, levels - 1 per category."""
    total = 0
    for name in ts.features:
        col = ts.frame[name]
        text = (
            isinstance(col.dtype, pd.CategoricalDtype)
            or pd.api.types.is_object_dtype(col)
            or pd.api.types.is_string_dtype(col)
        )
        total += max(1, int(col.nunique(dropna=True)) - 1) if text or name in ts.categorical else 1
    return max(1, total)
