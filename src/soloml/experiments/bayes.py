"""Bayesian read-out: the chance a variant beats control, and the expected loss of choosing it.

Conversion: Beta(1 + successes, 1 + failures) posteriors, compared in closed form (Evan Miller's
sum for P(X > Y) of two Betas with integer parameters; expected loss from the same sum with one
parameter shifted). Means: flat prior, the difference is normal with the Welch standard error.
No Monte Carlo, so results are exact and reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats


@dataclass(frozen=True)
class BayesResult:
    chance_to_beat_control: float
    expected_loss: float  # expected shortfall (in metric units) if the treatment is chosen and it is worse


def prob_beta_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), `a1` a positive integer (exact sum, in logs)."""
    i = np.arange(int(a1), dtype=float)
    log_terms = special.betaln(a2 + i, b1 + b2) - np.log(b1 + i) - special.betaln(1 + i, b1) - special.betaln(a2, b2)
    return float(min(1.0, max(0.0, np.exp(special.logsumexp(log_terms)))))


def beta_binomial(x_t: int, n_t: int, x_c: int, n_c: int, *, prior: tuple[float, float] = (1.0, 1.0)) -> BayesResult:
    """Chance treatment's rate beats control's, and E[max(p_c - p_t, 0)], under Beta priors."""
    a_t, b_t = prior[0] + x_t, prior[1] + n_t - x_t
    a_c, b_c = prior[0] + x_c, prior[1] + n_c - x_c
    chance = prob_beta_greater(a_t, b_t, a_c, b_c)
    # E[max(C - T, 0)] = E[C] P(C' > T) - E[T] P(C > T'), C' ~ Beta(a_c + 1, b_c), T' ~ Beta(a_t + 1, b_t)
    loss = a_c / (a_c + b_c) * prob_beta_greater(a_c + 1, b_c, a_t, b_t) - a_t / (a_t + b_t) * (
        1.0 - prob_beta_greater(a_t + 1, b_t, a_c, b_c)
    )
    return BayesResult(chance, max(0.0, float(loss)))


def normal_difference(diff: float, se: float) -> BayesResult:
    """Chance the true difference is > 0 and E[max(-D, 0)] for D ~ Normal(diff, se²)."""
    if se <= 0:
        return BayesResult(float(diff > 0), max(0.0, -diff))
    z = diff / se
    chance = float(stats.norm.cdf(z))
    loss = se * float(stats.norm.pdf(z)) - diff * float(stats.norm.cdf(-z))
    return BayesResult(chance, max(0.0, loss if math.isfinite(loss) else 0.0))
