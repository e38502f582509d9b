"""Always-valid inference, so looking at the results every day does not inflate false positives.

The mixture sequential probability ratio test (mSPRT, Johari et al. 2017) for a difference
estimate D ~ N(θ, V) with a N(0, τ²) mixing distribution has likelihood ratio

    Λ = sqrt(V / (V + τ²)) · exp(D² τ² / (2 V (V + τ²)))

and, inverting Λ < 1/α, the normal-mixture confidence sequence of Howard et al. (2021)

    D ± sqrt(2 V (V + τ²) / τ² · (log(1/α) + ½ log((V + τ²) / V)))

which covers θ at every look simultaneously with probability ≥ 1 - α. τ² is tuned to make the
interval tightest at the planned sample size: τ² = u · V_plan with u = 2 log(1/α) + log(1 + u).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sequential:
    ci_low: float
    ci_high: float
    p_value: float  # always-valid p-value at this look (1/Λ, capped at 1)
    tau2: float
    rejects_null: bool


def optimal_mixing_ratio(alpha: float) -> float:
    """u solving u = 2 log(1/α) + log(1 + u): τ² / V that makes the interval tightest where V is planned."""
    target = 2.0 * math.log(1.0 / alpha)
    u = target + math.log(1.0 + target)
    for _ in range(50):
        u = target + math.log1p(u)
    return u


def mixture_tau2(v_plan: float, alpha: float) -> float:
    return optimal_mixing_ratio(alpha) * v_plan


def half_width(v, tau2, alpha: float):
    """Half width of the normal-mixture confidence sequence; works on numpy arrays."""
    v = np.asarray(v, dtype=float)
    return np.sqrt(2.0 * v * (v + tau2) / tau2 * (math.log(1.0 / alpha) + 0.5 * np.log((v + tau2) / v)))


def always_valid_p(diff, v, tau2):
    """1/Λ of the mSPRT against θ = 0, capped at 1; works on numpy arrays."""
    diff = np.asarray(diff, dtype=float)
    v = np.asarray(v, dtype=float)
    log_lambda = 0.5 * np.log(v / (v + tau2)) + diff**2 * tau2 / (2.0 * v * (v + tau2))
    return np.minimum(1.0, np.exp(-log_lambda))


def confidence_sequence(diff: float, v: float, *, alpha: float = 0.05, v_plan: float | None = None) -> Sequential:
    """The always-valid interval and p-value for a difference `diff` with variance `v` at this look.

    `v_plan` is the variance expected at the planned sample size (default: the current one).
    """
    tau2 = mixture_tau2(v if v_plan is None else v_plan, alpha)
    if v <= 0:
        return Sequential(diff, diff, 0.0 if diff != 0 else 1.0, tau2, diff != 0)
    w = float(half_width(v, tau2, alpha))
    p = float(always_valid_p(diff, v, tau2))
    return Sequential(diff - w, diff + w, p, tau2, bool(diff - w > 0 or diff + w < 0))
