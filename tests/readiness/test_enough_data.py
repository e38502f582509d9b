"""'Do I have enough data?': the learning-curve estimate on learners whose curve is known, and the Riley et al. sample size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import NOW, project_spec, training_set

from soloml.modeling.check_hooks import fit_and_judge
from soloml.modeling.metrics import roc_auc
from soloml.readiness.enough import TOLERANCE, check_enough_data
from soloml.readiness.enough_data import (
    cox_snell_r2,
    fit_curve,
    learning_curve,
    riley_sample_size,
)
from soloml.readiness.toolkit import Scored

SPEC = project_spec("sim")


def known_learner(a: float, b: float, c: float, noise: float = 0.0, seed: int = 0):
    """A learner whose ROC AUC after n training rows is exactly 1 - (a + b n^-c) (plus optional noise)."""
    rng = np.random.default_rng(seed)

    def score(ts, train_rows, valid_rows):
        n = len(train_rows)
        return Scored(
            "roc_auc",
            1 - (a + b * n ** (-c)) + rng.normal(0, noise) if noise else 1 - (a + b * n ** (-c)),
            True,
            np.full(len(valid_rows), 0.5),
        )

    return score


def flat_set(n: int) -> object:
    rng = np.random.default_rng(1)
    return training_set(pd.DataFrame({"x": rng.normal(size=n), "label": rng.integers(0, 2, n)}), ("x",))


@pytest.mark.parametrize(("a", "b", "c"), [(0.10, 2.0, 0.5), (0.20, 0.5, 0.3), (0.05, 5.0, 0.8)])
def test_the_power_law_fit_recovers_a_known_curve(a, b, c):
    sizes = np.array([100, 200, 400, 800, 1600])
    fit = fit_curve(sizes, a + b * sizes ** (-c))
    assert fit.a == pytest.approx(a, abs=0.01)
    assert fit.c == pytest.approx(c, rel=0.05)
    assert fit.gain_if_doubled(1600) == pytest.approx(b * 1600 ** (-c) * (1 - 2 ** (-c)), rel=0.05)


def test_the_learning_curve_measures_nested_time_free_shares_and_recovers_the_curve():
    curve = learning_curve(flat_set(3200), SPEC, known_learner(0.15, 3.0, 0.5))
    assert curve.sizes == (160, 320, 640, 1280, 2560) and curve.valid_rows == 640
    assert curve.fit.a == pytest.approx(0.15, abs=0.005) and curve.fit.c == pytest.approx(0.5, rel=0.05)


def test_a_steep_known_curve_says_how_many_more_rows_until_it_flattens():
    (finding, _), _ = check_enough_data(flat_set(3200), SPEC, known_learner(0.15, 6.0, 0.5), now=NOW)
    # truth: doubling stops adding TOLERANCE at n* = (b (1 - 2^-c) / TOLERANCE)^(1/c)
    n_star = (6.0 * (1 - 2**-0.5) / TOLERANCE) ** 2
    assert finding.severity == "wait"
    assert finding.needed.amount == pytest.approx(n_star - 2560, rel=0.05)
    assert finding.figures["gain_if_doubled"] == pytest.approx(6.0 * 2560**-0.5 * (1 - 2**-0.5), abs=1e-3)
    assert "today's pace is unknown" in finding.words  # a table without dates has no pace


def test_a_flat_known_curve_says_there_is_enough_with_the_figures():
    (finding, _), _ = check_enough_data(flat_set(3200), SPEC, known_learner(0.15, 0.5, 0.5, noise=0.0005), now=NOW)
    assert finding.severity == "ok"
    assert "You have enough to stop collecting and start using it" in finding.words
    assert "+0.003" in finding.words


def test_on_a_known_logistic_truth_the_curve_never_promises_more_than_the_truth_allows():
    rng = np.random.default_rng(5)
    n = 5000
    x = rng.normal(size=(n, 3))
    p = 1 / (1 + np.exp(-(-1.0 + x @ np.array([1.0, -0.7, 0.4]))))
    frame = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "label": (rng.random(n) < p).astype(int)})
    ts = training_set(frame, ("x1", "x2", "x3"))
    curve = learning_curve(ts, SPEC, fit_and_judge)
    valid = np.flatnonzero(~np.isin(np.arange(n), _pool_rows(ts)))
    truth = roc_auc(frame["label"].to_numpy()[valid].astype(float), p[valid])  # the best any model can rank these rows
    assert curve.values[-1] > curve.values[0]
    assert max(curve.values) <= truth + 0.01
    assert 1 - curve.fit.a <= truth + 0.02  # the extrapolated ceiling stays below the truth (within noise)


def _pool_rows(ts):
    from soloml.readiness.enough_data import curve_rows

    return curve_rows(ts, SPEC)[0]


@pytest.mark.parametrize(
    ("r2", "parameters", "prevalence", "expected"),
    [  # pmsampsize's own test vectors (Riley et al. 2019 binary criteria 1, 2, 3 and the final size)
        (0.288, 24, 0.174, (623, 668, 221, 668)),
        (0.55, 24, 0.174, (255, 532, 221, 532)),
        (0.288, 36, 0.174, (934, 1002, 221, 1002)),
        (0.288, 24, 0.25, (623, 583, 289, 623)),
    ],
)
def test_riley_minimum_sample_size_matches_pmsampsize(r2, parameters, prevalence, expected):
    size = riley_sample_size(parameters, prevalence, r2)
    assert (size.shrinkage_rows, size.optimism_rows, size.risk_rows, size.rows) == expected


def test_without_a_measured_r2_riley_uses_the_conservative_default_and_says_so():
    size = riley_sample_size(10, 0.2, None)
    assert size.r2_cs == pytest.approx(0.15 * size.max_r2_cs) and size.r2_source.startswith("assumed")


def test_cox_snell_r2_agrees_with_statsmodels_logistic_regression():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    x = rng.normal(size=(800, 2))
    y = (rng.random(800) < 1 / (1 + np.exp(-(0.3 + x @ np.array([1.1, -0.6]))))).astype(float)
    model = sm.Logit(y, sm.add_constant(x)).fit(disp=0)
    expected = 1 - np.exp(2 * (model.llnull - model.llf) / len(y))
    assert cox_snell_r2(y, model.predict(sm.add_constant(x)), y.mean()) == pytest.approx(expected, rel=1e-6)
