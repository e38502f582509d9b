"""On small data the model is the average of three seeds' models; one seed's spread is still measured and said."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_wine
from sklearn.metrics import mean_squared_error, roc_auc_score

from soloml.features.trainingset import LABEL
from soloml.modeling import blend as bl
from soloml.modeling import fit as ft
from soloml.modeling import train
from soloml.modeling.split import plan_validation
from soloml.modeling.spread import MATERIAL, SPREAD_ROWS, mean_prediction
from soloml.modeling.validate import cross_validate

from .synthetic import churn_set, flat_set, table_spec


def _regional(n: int, seed: int, *, intercept: float = -1.0) -> pd.DataFrame:
    """A many-valued category (a blend of two boosters below 20,000 rows) and a number."""
    rng = np.random.default_rng(seed)
    region = rng.integers(0, 12, n)
    amount = rng.normal(size=n)
    frame = pd.DataFrame({"region": [f"r{r}" for r in region], "amount": amount})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-(intercept + 0.15 * region - 0.8 * amount)))
    return frame


def _by_hand(result, ts) -> list[lgb.Booster]:
    """Each recorded member refit with lightgbm directly: the result's parameters, the member's seed and rounds."""
    X = result.signature.prepare(ts.frame)
    y = ts.frame[LABEL].to_numpy(dtype=float)
    cats = list(result.signature.categorical)
    boosters = []
    for member in result.blend:
        params = {**result.params, "verbosity": -1, **member["params"]}
        weight = ft.positive_weight(params["objective"], y)
        w = np.where(y == 1, weight, 1.0) if weight != 1.0 else None
        data = lgb.Dataset(X, label=y, weight=w, categorical_feature=cats or "auto")
        boosters.append(lgb.train(params, data, num_boost_round=member["rounds"]))
    return boosters


@pytest.fixture(scope="module")
def averaged():
    ts = flat_set(_regional(900, seed=4), "y", "binary")
    return ts, train(ts, table_spec("binary", "roc_auc"), seed=0)


def test_below_5000_rows_the_saved_model_is_the_mean_raw_score_of_every_seeds_boosters(averaged):
    ts, result = averaged
    assert [m["params"] for m in result.blend] == [
        {**overrides, "seed": s} for s in (0, 1, 2) for overrides in bl.blend_members("binary", len(ts.frame), [12])
    ]  # 3 seeds x the 2 blend members
    assert result.n_rounds == result.blend[0]["rounds"]
    assert result.booster.current_iteration() == sum(m["rounds"] for m in result.blend)
    X = result.signature.prepare(ts.frame)
    mean_raw = np.mean([b.predict(X, raw_score=True) for b in _by_hand(result, ts)], axis=0)
    np.testing.assert_allclose(result.booster.predict(X, raw_score=True), mean_raw, rtol=0, atol=1e-9)


def test_the_headline_metric_is_that_of_the_three_seeds_out_of_fold_predictions_averaged(averaged):
    ts, result = averaged
    rows = result.validation.rows
    y = ts.frame[LABEL].to_numpy(dtype=float)
    assert np.array_equal(rows, np.arange(len(y)))  # k-fold: every row judged once under every seed
    assert result.model_score == pytest.approx(roc_auc_score(y[rows], result.validation.predictions), abs=1e-12)
    # the averaged predictions, rebuilt from each seed's own validation (its own folds and row sampling)
    X = result.signature.prepare(ts.frame)
    base = {k: v for k, v in result.params.items() if k != "seed"}
    blend = bl.blend_members("binary", len(y), [12])  # defaults, randomised trees, stumps
    runs = [
        cross_validate(
            X,
            y,
            plan_validation(ts, seed=s),
            {**base, "verbosity": -1, "seed": s},
            categorical=list(result.signature.categorical),
            blend=blend,
        ).predictions
        for s in (0, 1, 2)
    ]
    np.testing.assert_allclose(result.validation.predictions, mean_prediction(runs, "binary"), atol=1e-12)
    singles = result.seed_spread["values"]
    assert singles == pytest.approx([roc_auc_score(y[rows], p) for p in runs])
    assert result.reference["prediction_mean"] == pytest.approx(float(np.mean(result.validation.predictions)))


def test_one_seeds_spread_is_still_reported_and_material_past_one_percent():
    rng = np.random.default_rng(5)
    n = 240
    frame = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-0.8 * frame["x"]))  # a weak signal on few rows
    result = train(flat_set(frame, "y", "binary"), table_spec("binary", "roc_auc"), seed=0)
    spread = result.seed_spread
    assert spread["seeds"] == [0, 1, 2] and len(spread["values"]) == 3 and spread["averaged"] is True
    assert spread["material"] == ((spread["high"] - spread["low"]) > MATERIAL * np.mean(spread["values"]))
    assert spread["material"]
    said = [n for n in result.notes if n.startswith("One seed's ROC AUC moved between")]
    assert said and f"{spread['low']:.3f} and {spread['high']:.3f} across seeds 0, 1 and 2" in said[0]
    assert "the model averages all 3" in said[0]


def test_a_steady_spread_is_reported_but_not_said():
    rng = np.random.default_rng(8)
    n = 3000
    frame = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-8.0 * frame["x"]))  # a strong signal: 0.97x under every seed
    result = train(flat_set(frame, "y", "binary"), table_spec("binary", "roc_auc"), seed=0)
    spread = result.seed_spread
    assert spread["seeds"] == [0, 1, 2] and not spread["material"]
    assert not any("moved between" in n for n in result.notes)


def test_from_5000_rows_one_seed_is_fit_and_no_spread_measured():
    ts = flat_set(_regional(SPREAD_ROWS, seed=6), "y", "binary")
    result = train(ts, table_spec("binary", "roc_auc"), seed=0)
    assert result.seed_spread is None
    assert [m["params"] for m in result.blend] == list(bl.blend_members("binary", SPREAD_ROWS, [12]))  # no seeds
    assert result.booster.current_iteration() == sum(m["rounds"] for m in result.blend)


def test_typed_parameters_report_the_spread_but_save_seed_s_model_as_typed():
    ts = flat_set(_regional(600, seed=7), "y", "binary")
    result = train(ts, table_spec("binary", "roc_auc"), params={"num_leaves": 15}, seed=0)
    assert result.blend == () and result.booster.current_iteration() == result.n_rounds
    spread = result.seed_spread
    assert spread["seeds"] == [0, 1, 2] and spread["averaged"] is False
    assert spread["values"][0] == pytest.approx(result.model_score)  # judged on seed 0's own predictions


def test_averaged_probabilities_stay_calibrated_when_positives_are_rare():
    ts = flat_set(_regional(1500, seed=9, intercept=-3.2), "y", "binary")
    y = ts.frame[LABEL].to_numpy(dtype=float)
    assert 0.03 < y.mean() < 0.2  # rare enough to be up-weighted
    result = train(ts, table_spec("binary", "roc_auc"), seed=0)
    assert len(result.blend) == 3 * len(bl.blend_members("binary", len(y), [12]))  # 3 seeds x 3 members
    cal = result.calibration
    assert cal is not None and abs(cal.mean_predicted - cal.observed_rate) < 0.03
    saved = result.booster.predict(result.signature.prepare(ts.frame))
    assert abs(float(np.mean(saved)) - y.mean()) < 0.03  # the shift of each booster survives the average


def test_a_time_plan_keeps_its_split_under_every_seed_and_averages_its_row_sampling():
    ts = churn_set(customers=300, cutoffs=6, seed=2)
    result = train(ts, table_spec("binary", "roc_auc"), seed=3)
    assert result.validation.kind == "time"
    assert [m["params"]["seed"] for m in result.blend] == [3, 3, 3, 4, 4, 4, 5, 5, 5]  # three binary members a seed
    assert result.seed_spread["seeds"] == [3, 4, 5]
    plans = [plan_validation(ts, seed=s) for s in (3, 4, 5)]
    assert all(np.array_equal(p.rows, plans[0].rows) for p in plans)


def test_regression_averages_values():
    rng = np.random.default_rng(3)
    n = 500
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    frame["y"] = 3 * frame["a"] + frame["b"] ** 2 + rng.normal(0, 1, n)
    ts = flat_set(frame, "y", "regression")
    result = train(ts, table_spec("regression", "rmse", done=1.0), seed=0)
    y = ts.frame[LABEL].to_numpy(dtype=float)
    assert len(result.blend) == 3 * len(bl.blend_members("regression", n, []))  # 3 seeds x defaults + small leaves
    rmse = float(np.sqrt(mean_squared_error(y[result.validation.rows], result.validation.predictions)))
    assert result.model_score == pytest.approx(rmse)
    X = result.signature.prepare(ts.frame)
    np.testing.assert_allclose(
        result.booster.predict(X), np.mean([b.predict(X) for b in _by_hand(result, ts)], axis=0), atol=1e-9
    )


def test_multiclass_averages_raw_scores_into_probabilities():
    frame = load_wine(as_frame=True).frame
    ts = flat_set(frame, "target", "multiclass")
    result = train(ts, table_spec("multiclass", "multi_logloss", done=0.5), seed=0)
    assert [m["params"]["seed"] for m in result.blend] == [0, 1, 2]
    np.testing.assert_allclose(result.validation.predictions.sum(axis=1), 1.0)
    X = result.signature.prepare(ts.frame)
    mean_raw = np.mean([b.predict(X, raw_score=True) for b in _by_hand(result, ts)], axis=0)
    np.testing.assert_allclose(result.booster.predict(X, raw_score=True), mean_raw, atol=1e-9)
