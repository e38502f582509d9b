"""CUPED: remove the part of the metric a pre-period covariate already explains.

θ is the within-variant pooled slope of the metric on the covariate, so the adjusted
difference in means equals the treatment coefficient of the regression
`value ~ variant + covariate` (checked against statsmodels OLS). Randomisation makes the
covariate independent of the variant, so the adjustment removes variance, not truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from soloml.errors import ExperimentError


@dataclass(frozen=True)
class Cuped:
    theta: float
    variance_reduction: float  # 1 - Var(adjusted) / Var(raw), pooled within variants


def cuped_theta(values: np.ndarray, covariate: np.ndarray, groups: np.ndarray) -> float:
    """Within-group pooled slope Σ(x - x̄_g)(y - ȳ_g) / Σ(x - x̄_g)²."""
    num = den = 0.0
    for g in np.unique(groups):
        mask = groups == g
        x, y = covariate[mask], values[mask]
        dx = x - x.mean()
        num += float(dx @ (y - y.mean()))
        den += float(dx @ dx)
    if den == 0:
        raise ExperimentError(
            "The pre-period covariate is the same for every unit, so CUPED cannot use it.",
            hint="Drop the covariate column from the metric, or choose one that varies.",
        )
    return num / den


def cuped_adjust(values: np.ndarray, covariate: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, Cuped]:
    """Adjusted values y - θ (x - x̄), and how much within-variant variance that removed."""
    values = np.asarray(values, dtype=float)
    covariate = np.asarray(covariate, dtype=float)
    theta = cuped_theta(values, covariate, groups)
    adjusted = values - theta * (covariate - covariate.mean())
    raw_ss = adj_ss = 0.0
    for g in np.unique(groups):
        mask = groups == g
        raw_ss += float(((values[mask] - values[mask].mean()) ** 2).sum())
        adj_ss += float(((adjusted[mask] - adjusted[mask].mean()) ** 2).sum())
    reduction = 1.0 - adj_ss / raw_ss if raw_ss > 0 else 0.0
    return adjusted, Cuped(theta, reduction)
