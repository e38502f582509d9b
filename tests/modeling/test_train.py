"""Training: honest validation, baselines on the same rows, business figures and the verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

from soloml.errors import ModelError
from soloml.features.trainingset import TrainingSet
from soloml.modeling import blend as bl
from soloml.modeling import metrics as m
from soloml.modeling import train

from .synthetic import churn_set, churn_spec, flat_set, table_spec


@pytest.fixture(scope="module")
def churn():
    ts = churn_set(customers=500, cutoffs=8, seed=1, signal=1.5)
    return ts, train(ts, churn_spec(done_value=0.3))


def test_model_beats_prior_and_todays_rule_on_a_planted_signal(churn):
    _, result = churn
    assert result.metric == "roc_auc"
    assert result.model_score > 0.7
    assert result.model_score > result.baseline_scores["today_rule"] + 0.05
    assert result.baseline_scores["prior"] == pytest.approx(0.5)
    assert result.verdict.decision in ("DONE", "KEEP_GOING")


def test_time_ordered_validation_judges_the_latest_cutoff_only(churn):
    ts, result = churn
    cutoffs = pd.to_datetime(ts.frame["cutoff"])
    judged = cutoffs.iloc[result.validation.rows]
    assert result.validation.kind == "time"
    assert (judged == cutoffs.max()).all() and len(judged) == (cutoffs == cutoffs.max()).sum()
    # monthly cutoffs, 60-day horizon: the month before the latest is left out (its label window overlaps)
    assert result.validation.train_rows == (cutoffs < cutoffs.max()).sum() - 500
    assert "left out" in result.validation.description


def test_baselines_are_judged_on_exactly_the_models_validation_rows(churn):
    ts, result = churn
    rows = result.validation.rows
    y = ts.frame["label"].to_numpy(dtype=float)
    cutoffs = pd.to_datetime(ts.frame["cutoff"])
    k = result.business.capacity.k
    # the rule recomputed by hand on those rows: rank by days since last order
    rule = ts.frame["days_since_last_order"].to_numpy(dtype=float)[rows]
    assert result.baseline_metrics["today_rule"]["roc_auc"] == pytest.approx(m.roc_auc(y[rows], rule))
    assert result.baseline_metrics["today_rule"]["precision_at_capacity"] == pytest.approx(
        m.precision_at_k(y[rows], rule, k)
    )
    # the prior: the base rate of the rows trained on, scored on the same rows
    trained_on = (cutoffs <= cutoffs.max() - pd.Timedelta(days=60)).to_numpy()
    base = y[trained_on].mean()
    assert result.baseline_metrics["prior"]["log_loss"] == pytest.approx(m.log_loss(y[rows], np.full(len(rows), base)))
    assert result.metrics["roc_auc"] == pytest.approx(m.roc_auc(y[rows], result.validation.predictions))


def test_capacity_per_week_is_scaled_to_monthly_snapshots(churn):
    _, result = churn
    cap = result.business.capacity
    assert cap.per_cycle == 20 and cap.cycle == "weekly"
    assert cap.k == round(20 * (365.25 / 12) / 7)  # 87 of the latest snapshot's 500 rows
    assert result.business.model.actions_per_cycle == pytest.approx(cap.k / cap.cycles_per_snapshot)


def test_expected_value_is_value_times_success_rate_times_hits_minus_cost(churn):
    _, result = churn
    b = result.business
    for policy in (b.model, b.today_rule, b.random):
        assert policy.expected_value == pytest.approx(180 * 0.3 * policy.hits_per_cycle - 12 * policy.actions_per_cycle)
    assert b.model.expected_value > b.today_rule.expected_value
    assert b.model.lift == pytest.approx(b.model.precision / b.base_rate)


def test_threshold_never_acts_below_break_even(churn):
    _, result = churn
    assert result.business.breakeven_probability == pytest.approx(12 / (180 * 0.3))
    assert result.threshold >= result.business.breakeven_probability


def test_probabilities_stay_calibrated_despite_class_weighting(churn):
    _, result = churn
    cal = result.calibration
    assert result.training["base_rate"] < 0.2  # rare enough to be re-weighted
    assert abs(cal.mean_predicted - cal.observed_rate) < 0.05
    assert cal.brier < result.baseline_metrics["prior"]["brier"]


def test_final_model_is_refit_on_every_row_with_the_validated_rounds(churn):
    ts, result = churn
    # small binary: three boosters (blend.blend_members) under each of three seeds (4,000 rows), averaged into one
    assert [m["params"] for m in result.blend] == [
        {**overrides, "seed": s} for s in (0, 1, 2) for overrides in ({}, bl.RANDOMISED_TREES, bl.ADDITIVE_STUMPS)
    ]
    assert result.n_rounds == result.blend[0]["rounds"]
    assert result.booster.current_iteration() == sum(m["rounds"] for m in result.blend)
    assert result.reference["rows"] == len(result.validation.rows)  # monitoring reference: out-of-sample scores


def test_small_binary_data_is_a_blend_of_three_boosters_unless_parameters_are_typed():
    rng = np.random.default_rng(4)
    n = 1200
    region = rng.integers(0, 12, n)
    amount = rng.normal(size=n)
    logit = -1.0 + 0.15 * region - 0.8 * amount
    frame = pd.DataFrame({"region": [f"r{r}" for r in region], "amount": amount})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    ts = flat_set(frame, "y", "binary")
    result = train(ts, table_spec("binary", "roc_auc"), spread=False)
    assert [member["params"] for member in result.blend] == [{}, bl.RANDOMISED_TREES, bl.ADDITIVE_STUMPS]
    assert result.blend[0]["rounds"] == result.n_rounds
    # LightGBM ends a member early when no leaf can be split any more (random thresholds can find none)
    assert result.blend[0]["rounds"] < result.booster.current_iteration() <= sum(m["rounds"] for m in result.blend)
    assert result.summary()["blend"] == [dict(member) for member in result.blend]
    cal = result.calibration  # the average of raw scores keeps probabilities calibrated
    assert cal is not None and abs(cal.mean_predicted - cal.observed_rate) < 0.05
    typed = train(ts, table_spec("binary", "roc_auc"), params={"num_leaves": 15}, spread=False)
    assert typed.blend == () and typed.booster.current_iteration() == typed.n_rounds  # settings typed, settings used
    by_column = train(ts, table_spec("binary", "roc_auc"), params={"force_col_wise": True}, spread=False)
    assert by_column.params["force_col_wise"] and "force_row_wise" not in by_column.params  # typed, used


def test_explanations_rank_the_planted_features_above_noise(churn):
    _, result = churn
    names = [f.name for f in result.importance]
    assert names.index("noise") > names.index("failed_payments_30d")
    assert names.index("noise") > names.index("days_since_last_order")
    assert result.importance[0].description in churn_set().descriptions.values()


def test_no_signal_is_not_worth_it():
    ts = churn_set(customers=300, cutoffs=6, seed=2, signal=0.0)
    result = train(ts, churn_spec(done_value=0.3))
    assert result.verdict.decision == "NOT_WORTH_IT"
    assert result.verdict.next_steps[0] == "Keep today's way of deciding for now."


def test_keep_going_names_a_missing_data_family():
    ts = churn_set(customers=500, cutoffs=6, seed=3, signal=2.0)
    without_email = TrainingSet(
        project=ts.project,
        frame=ts.frame.drop(columns=["email_opens_90d"]),
        features=tuple(f for f in ts.features if f != "email_opens_90d"),
        task="binary",
        categorical=ts.categorical,
        descriptions=ts.descriptions,
    )
    result = train(without_email, churn_spec(done_value=0.95))
    assert result.verdict.decision == "KEEP_GOING"
    assert any("email" in step for step in result.verdict.next_steps)
    assert any("More history" in step for step in result.verdict.next_steps)


def test_a_rule_naming_an_unknown_column_is_a_clear_error():
    ts = churn_set(customers=100, cutoffs=3)
    with pytest.raises(ModelError, match="days_since_last_ordr.*Did you mean 'days_since_last_order'"):
        train(ts, churn_spec(rule="days_since_last_ordr > 60"))


def test_flat_binary_table_uses_stratified_k_fold_and_judges_every_row():
    data = load_breast_cancer(as_frame=True).frame
    result = train(flat_set(data, "target", "binary"), table_spec("binary", "roc_auc", done=0.95))
    assert result.validation.kind == "kfold"
    assert sorted(result.validation.rows) == list(range(len(data)))
    assert result.model_score > 0.97
    assert result.verdict.decision == "DONE"


def test_multiclass_beats_the_class_shares():
    data = load_wine(as_frame=True).frame
    result = train(flat_set(data, "target", "multiclass"), table_spec("multiclass", "multi_logloss", done=0.3))
    assert result.metrics["multi_logloss"] < 0.5 * result.baseline_metrics["prior"]["multi_logloss"]
    assert result.metrics["accuracy"] > 0.9
    assert result.predictions_shape if False else result.validation.predictions.shape == (len(data), 3)


def test_regression_beats_the_mean():
    data = load_diabetes(as_frame=True).frame
    result = train(flat_set(data, "target", "regression"), table_spec("regression", "rmse", done=50.0))
    assert result.metric == "rmse"
    assert result.model_score < 0.9 * result.baseline_scores["prior"]
    assert result.calibration is None
    assert result.verdict.decision in ("DONE", "KEEP_GOING")


def test_text_columns_are_native_categories_with_their_values_remembered():
    rng = np.random.default_rng(0)
    n = 600
    city = rng.choice(["Boston", "Austin", "Denver"], n)
    frame = pd.DataFrame({"city": city, "x": rng.normal(size=n), "y": (city == "Boston") | (rng.random(n) < 0.1)})
    result = train(flat_set(frame, "y", "binary"), table_spec("binary", "roc_auc"))
    assert result.signature.dtypes["city"] == "category"
    assert result.signature.categories["city"] == ["Austin", "Boston", "Denver"]
    assert result.model_score > 0.85


def test_small_tuning_search_runs_and_records_its_parameters():
    ts = churn_set(customers=150, cutoffs=4, seed=5)
    result = train(ts, churn_spec(), tune=3)
    assert result.tune_trials == 3
    assert {"num_leaves", "learning_rate"} <= set(result.tuned_params)
    assert result.params["num_leaves"] == result.tuned_params["num_leaves"]


def test_too_few_rows_is_a_clear_error():
    ts = churn_set(customers=3, cutoffs=2)
    with pytest.raises(ModelError, match="only 6 rows"):
        train(ts, churn_spec())


def test_a_table_dated_row_by_row_is_judged_on_its_latest_rows():
    rng = np.random.default_rng(7)
    n = 1000
    frame = pd.DataFrame({"x": rng.normal(size=n), "when": pd.date_range("2024-01-01", periods=n, freq="D")})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-2 * frame["x"]))
    ts = flat_set(frame.drop(columns=["when"]), "y", "binary")
    ts = TrainingSet(project="t", frame=ts.frame.assign(cutoff=frame["when"]), features=("x",), task="binary")
    result = train(ts, table_spec("binary", "roc_auc"))
    judged = frame["when"].iloc[result.validation.rows]
    assert result.validation.kind == "time"
    assert len(judged) == pytest.approx(0.2 * n, abs=2)
    assert judged.min() > frame["when"].iloc[np.setdiff1d(np.arange(n), result.validation.rows)].max()
    assert result.business.capacity.k == 50  # one cycle's capacity: rows, not monthly snapshots


def test_rows_without_a_label_are_left_out_of_training_and_judging():
    ts = churn_set(customers=200, cutoffs=4, seed=8, signal=1.5)
    frame = ts.frame.astype({"label": object})
    frame.loc[frame.index[:50], "label"] = None
    result = train(
        TrainingSet(project="churn", frame=frame, features=ts.features, task="binary", categorical=ts.categorical),
        churn_spec(),
    )
    assert result.training["rows"] == len(frame) - 50
    assert result.validation.rows.max() < len(frame) - 50
