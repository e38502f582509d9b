"""The speed-ups of training keep its results: validation on one float matrix, category text per distinct value."""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.modeling import blend as bl
from soloml.modeling import fit as ft
from soloml.modeling.columns import leak_reason
from soloml.modeling.signature import as_text, build_signature
from soloml.modeling.split import plan_validation
from soloml.modeling.validate import cross_validate

from .synthetic import flat_set


def _frame(n: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    plan = rng.choice(["basic", "plus", "family", None], n, p=[0.4, 0.3, 0.2, 0.1])
    amount = np.where(rng.random(n) < 0.05, np.nan, rng.gamma(2.0, 30.0, n))
    logit = -1.0 + 0.02 * np.nan_to_num(amount) - 0.8 * (plan == "plus") + rng.normal(0, 1, n)
    return pd.DataFrame({"plan": plan, "amount": amount, "y": rng.random(n) < 1 / (1 + np.exp(-logit))})


def test_validation_on_the_float_matrix_predicts_what_fits_on_the_dataframe_predict():
    """Folds fit on a row slice of one matrix (categories as codes) instead of a DataFrame per fit: the same trees."""
    frame = _frame()
    ts = flat_set(frame, "y", "binary")
    signature = build_signature(ts.frame, ("plan", "amount"), ("plan",), {})
    X = signature.prepare(ts.frame)
    y = ts.frame["label"].to_numpy(dtype=float)
    plan = plan_validation(ts, seed=0)
    params = ft.task_params("binary", 2, "roc_auc", n_rows=len(X), seed=0, n_features=2)
    oos = cross_validate(X, y, plan, params, categorical=["plan"])
    by_frame = []
    for train_rows, valid_rows in plan.folds:  # the same protocol, LightGBM reading the DataFrame itself
        booster = _fold_booster(X, y, plan, train_rows, params)
        by_frame.append((valid_rows, booster.predict(X.iloc[valid_rows])))
    expected = np.empty(len(X))
    for rows, pred in by_frame:
        expected[rows] = pred
    np.testing.assert_allclose(oos.predictions, expected[plan.rows], rtol=0, atol=1e-12)


def test_category_text_is_the_same_per_distinct_value_as_per_row():
    col = pd.Series([1, "1", np.nan, 2.0, True, None, "a", False, 1.0], dtype=object)
    assert list(as_text(col).fillna("<missing>")) == [
        "1",
        "1",
        "<missing>",
        "2",
        "true",
        "<missing>",
        "a",
        "false",
        "1",
    ]
    cats = pd.Series(pd.Categorical(["b", None, "a", "b"]))
    assert list(as_text(cats).fillna("<missing>")) == ["b", "<missing>", "a", "b"]
    assert list(as_text(pd.Series([3.0, np.nan, 2.5])).fillna("<missing>")) == ["3", "<missing>", "2.5"]


def test_a_category_that_spells_the_label_is_still_a_leak_suspect_and_missing_counts_as_a_category():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.3).astype(float)
    spelled = pd.Series(np.where(y == 1, "bad", None), dtype=object)  # 'bad' or missing: the label itself
    assert leak_reason(spelled, y, "binary") is not None
    unrelated = pd.Series(rng.choice(["a", "b", None], 400), dtype=object)
    assert leak_reason(unrelated, y, "binary") is None


def test_importance_of_a_many_tree_model_is_measured_on_fewer_rows_and_still_ranks_the_driver_first():
    """TreeSHAP costs rows x trees: 300 rows for a small model, down to 100 (never fewer) for one with many trees."""
    from soloml.modeling.explain import MIN_SAMPLE_ROWS, SAMPLE_ROWS, global_importance, sample_rows

    assert sample_rows(50) == SAMPLE_ROWS
    assert MIN_SAMPLE_ROWS < sample_rows(400) < SAMPLE_ROWS
    assert sample_rows(5_000) == MIN_SAMPLE_ROWS
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"driver": rng.normal(size=2_000), "noise": rng.normal(size=2_000)})
    y = 3.0 * frame["driver"].to_numpy() + rng.normal(0, 0.5, 2_000)
    signature = build_signature(frame, ("driver", "noise"), (), {})
    X = signature.prepare(frame)
    params = ft.task_params("regression", 2, "rmse", n_rows=len(X), seed=0, n_features=2)
    booster, _ = ft.fit(X, y, params, categorical=[], rounds=1_000)
    importance = global_importance(booster, X, signature, "regression", 2)
    assert [f.name for f in importance] == ["driver", "noise"]
    assert importance[0].mean_abs_contribution > 5 * importance[1].mean_abs_contribution


def test_validation_sharing_each_folds_datasets_predicts_what_fresh_fits_predict():
    """Each fold builds its inner, check and fold Datasets once for every blend member and seed: the same boosters
    as fitting each from its own rows, so the judged predictions do not move (rare positives: weighted)."""
    frame = _frame(n=700, seed=5)
    frame["y"] = frame["y"] & (np.random.default_rng(6).random(len(frame)) < 0.35)
    ts = flat_set(frame, "y", "binary")
    signature = build_signature(ts.frame, ("plan", "amount"), ("plan",), {})
    X = signature.prepare(ts.frame)
    y = ts.frame["label"].to_numpy(dtype=float)
    assert ft.positive_weight("binary", y) > 1
    blend = bl.blend_members("binary", len(X), [4])
    for seed in (0, 1):
        plan = plan_validation(ts, seed=seed)
        params = ft.task_params("binary", 2, "roc_auc", n_rows=len(X), seed=seed, n_features=2)
        oos = cross_validate(X, y, plan, params, categorical=["plan"], blend=blend)
        expected = np.empty(len(X))
        for train_rows, valid_rows in plan.folds:
            boosters = [_fold_booster(X, y, plan, train_rows, {**params, **overrides}) for overrides in blend]
            weight = ft.positive_weight("binary", y[train_rows])
            expected[valid_rows] = ft.blended_predict(boosters, X.iloc[valid_rows], "binary", weight)
        np.testing.assert_allclose(oos.predictions, expected[plan.rows], rtol=0, atol=1e-12)


def _fold_booster(X, y, plan, train_rows, params):
    """A fold's booster fit the plain way, from a Dataset of its own rows: rounds by early stopping on the fold's
    inner split, scaled, then refit on the fold's training rows (what cross_validate does with shared Datasets)."""
    member, read = bl.member_reading(params, ["plan"], ())
    inner_train, inner_valid = plan.inner(train_rows)
    _, best = ft.fit(
        X.iloc[inner_train],
        y[inner_train],
        member,
        categorical=read,
        valid=(X.iloc[inner_valid], y[inner_valid]),
        adjust=False,
    )
    rounds = ft.scaled_rounds(best, len(inner_train), len(train_rows))
    return ft.fit(X.iloc[train_rows], y[train_rows], member, categorical=read, rounds=rounds, adjust=False)[0]
