"""Class weighting for rare positives, and the shift that keeps probabilities calibrated."""

from __future__ import annotations

import math

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from soloml.modeling import blend as bl
from soloml.modeling import fit as ft


@pytest.mark.parametrize(("rate", "expected"), [(0.5, 1.0), (0.25, 1.0), (0.1, 3.0), (0.01, math.sqrt(99))])
def test_rare_positives_get_a_damped_weight(rate, expected):
    n = 1000
    y = np.zeros(n)
    y[: int(rate * n)] = 1
    assert ft.positive_weight("binary", y) == pytest.approx(expected)


def test_shifting_the_first_tree_moves_every_raw_score_and_keeps_contributions_additive():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=500), "b": rng.normal(size=500)})
    y = (X["a"] + rng.normal(size=500) > 0).astype(float)
    booster = lgb.train(
        {"objective": "binary", "verbosity": -1, "num_leaves": 7}, lgb.Dataset(X, y), num_boost_round=20
    )
    shifted = ft.shift_raw_score(booster, -0.7)
    np.testing.assert_allclose(shifted.predict(X, raw_score=True), booster.predict(X, raw_score=True) - 0.7)
    np.testing.assert_allclose(shifted.predict(X, pred_contrib=True).sum(axis=1), shifted.predict(X, raw_score=True))
    reloaded = lgb.Booster(model_str=shifted.model_to_string())  # the edited text file is a valid model
    np.testing.assert_allclose(reloaded.predict(X), shifted.predict(X))


def test_weighted_fit_still_predicts_the_base_rate_on_average():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=4000)})
    y = (rng.random(4000) < 1 / (1 + np.exp(-(-3 + X["a"])))).astype(float)
    params = ft.task_params("binary", 2, "roc_auc", n_rows=4000, seed=0)
    booster, _ = ft.fit(X.iloc[:3000], y[:3000], params, categorical=[], valid=(X.iloc[3000:], y[3000:]))
    assert ft.positive_weight("binary", y) > 1
    assert booster.predict(X).mean() == pytest.approx(y.mean(), abs=0.02)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_averaged_boosters_are_one_model_predicting_the_mean_raw_score(task):
    """A blend is saved as one booster: the mean of the members' raw scores, contributions still additive."""
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.normal(size=600), "b": rng.normal(size=600)})
    signal = X["a"] + 0.5 * X["b"] + rng.normal(size=600)
    y = {"binary": (signal > 0.8), "multiclass": np.digitize(signal, [-0.5, 0.5]), "regression": signal}[task]
    y = np.asarray(y, dtype=float)
    params = ft.task_params(task, 3, "", n_rows=600, seed=0, n_features=2)
    params["metric"] = "None"
    first, _ = ft.fit(X, y, params, categorical=[], rounds=30)
    second, _ = ft.fit(X, y, {**params, "num_leaves": 5, "seed": 1}, categorical=[], rounds=45)
    merged = bl.average([first, second])
    mean_raw = (first.predict(X, raw_score=True) + second.predict(X, raw_score=True)) / 2
    np.testing.assert_allclose(merged.predict(X, raw_score=True), mean_raw, atol=1e-12)
    np.testing.assert_allclose(merged.predict(X), ft.blended_predict([first, second], X, task), atol=1e-12)
    contrib = merged.predict(X, pred_contrib=True)
    total = contrib.reshape(len(X), -1, 3).sum(axis=2) if task == "multiclass" else contrib.sum(axis=1)
    np.testing.assert_allclose(total, merged.predict(X, raw_score=True), atol=1e-9)
    reloaded = lgb.Booster(model_str=merged.model_to_string())
    np.testing.assert_allclose(reloaded.predict(X), merged.predict(X))


def test_multiclass_blends_the_smoothing_only_on_small_data_with_a_many_valued_category():
    assert bl.blend_members("multiclass", 4_000, [2, 51]) == ({}, bl.CATEGORY_SMOOTHING)
    assert bl.blend_members("multiclass", 4_000, []) == ({},)
    assert bl.blend_members("multiclass", 4_000, [2, 3, 4]) == ({},)  # one against the rest: smoothing does nothing
    assert bl.blend_members("multiclass", ft.SMALL_DATA_ROWS, [51]) == ({},)


def test_a_small_regression_adds_a_booster_of_small_smoothed_leaves_to_its_blend():
    """Regression below SMALL_DATA_ROWS: the defaults, the smoothing where a category has more than
    MAX_CAT_TO_ONEHOT values, and small leaves pulled toward their parents (RESULTS.md ## Modeling, 2026-12-07)."""
    assert bl.SMALL_LEAVES == {"min_data_in_leaf": 3, "path_smooth": 10.0, "bagging_fraction": 1.0, "bagging_freq": 0}
    assert bl.blend_members("regression", 4_000, [2, 51]) == ({}, bl.SMOOTHED_IN_ORDER, bl.SMALL_LEAVES)
    assert bl.blend_members("regression", 4_000, []) == ({}, bl.SMALL_LEAVES)
    assert bl.blend_members("regression", 4_000, [2, 3, 4]) == ({}, bl.SMALL_LEAVES)
    assert bl.blend_members("regression", ft.SMALL_DATA_ROWS, [51]) == ({},)


def test_a_small_binary_table_blends_the_defaults_randomised_trees_and_additive_stumps():
    """Binary below SMALL_DATA_ROWS: defaults + smoothed extra_trees + stumps, whatever the categories (RESULTS.md
    ## Modeling)."""
    assert bl.blend_members("binary", 4_000, [2, 51]) == ({}, bl.RANDOMISED_TREES, bl.ADDITIVE_STUMPS)
    assert bl.blend_members("binary", 4_000, []) == ({}, bl.RANDOMISED_TREES, bl.ADDITIVE_STUMPS)
    assert bl.blend_members("binary", 4_000, [2, 3]) == ({}, bl.RANDOMISED_TREES, bl.ADDITIVE_STUMPS)
    assert bl.blend_members("binary", ft.SMALL_DATA_ROWS, [51]) == ({},)
    assert bl.RANDOMISED_TREES == {**bl.CATEGORY_SMOOTHING, "extra_trees": True, bl.ORDERED_AS_NUMBERS: True}


def test_the_randomised_member_reads_ordered_categories_as_numbers_the_defaults_as_categories():
    defaults, randomised, stumps = bl.blend_members("binary", 4_000, [35, 50])
    assert bl.member_reading(defaults, ["grade", "state"], {"grade"}) == ({}, ["grade", "state"])
    params, read = bl.member_reading(randomised, ["grade", "state"], {"grade"})
    assert read == ["state"] and bl.ORDERED_AS_NUMBERS not in params and params["extra_trees"] is True
    assert bl.member_reading(stumps, ["grade", "state"], {"grade"})[1] == ["state"]
    assert bl.member_reading(randomised, [0, 3], {3}) == (params, [0])  # positions work the same


def test_the_saved_blend_of_defaults_randomised_trees_and_stumps_predicts_the_members_average():
    """What the model saves (one averaged booster) is what validation judged (the members' mean raw score)."""
    rng = np.random.default_rng(5)
    n = 800
    X = pd.DataFrame({"a": rng.normal(size=n), "region": pd.Categorical(rng.integers(0, 9, n).astype(str))})
    y = ((X["a"] + 0.3 * X["region"].cat.codes + rng.normal(size=n)) > 3.3).astype(float).to_numpy()
    assert ft.positive_weight("binary", y) > 1  # rare positives: each member's first tree is shifted back
    params = ft.task_params("binary", 2, "roc_auc", n_rows=n, seed=0, n_features=2)
    members = [
        ft.fit(X, y, member, categorical=read, rounds=rounds)[0]
        for overrides, rounds in zip(bl.blend_members("binary", n, [9]), (40, 60, 80), strict=True)
        for member, read in [bl.member_reading({**params, **overrides}, ["region"], ())]
    ]
    merged = bl.average(members)
    assert merged.current_iteration() == 180
    mean_raw = np.mean([m.predict(X, raw_score=True) for m in members], axis=0)
    np.testing.assert_allclose(merged.predict(X, raw_score=True), mean_raw, atol=1e-12)
    np.testing.assert_allclose(merged.predict(X), 1 / (1 + np.exp(-mean_raw)), atol=1e-12)
    np.testing.assert_allclose(merged.predict(X), ft.blended_predict(members, X, "binary"), atol=1e-12)
    reloaded = lgb.Booster(model_str=merged.model_to_string())  # the saved text file is the same model
    np.testing.assert_allclose(reloaded.predict(X), merged.predict(X))


def test_members_reading_an_ordered_category_differently_average_into_one_model():
    """The defaults split a grade by category, the randomised trees by its rank: one booster, the mean raw score."""
    rng = np.random.default_rng(7)
    n = 1500
    grades = [f"{letter}{digit}" for letter in "ABCDEFG" for digit in range(1, 6)]
    rank = rng.integers(0, len(grades), n)
    X = pd.DataFrame({"a": rng.normal(size=n), "grade": pd.Categorical([grades[i] for i in rank], categories=grades)})
    y = (rng.random(n) < 1 / (1 + np.exp(-(rank / 8 - 3 + X["a"])))).astype(float).to_numpy()
    params = ft.task_params("binary", 2, "roc_auc", n_rows=n, seed=0, n_features=2)
    members = [
        ft.fit(X, y, member, categorical=read, rounds=40)[0]
        for overrides in bl.blend_members("binary", n, [len(grades)])
        for member, read in [bl.member_reading({**params, **overrides}, ["grade"], {"grade"})]
    ]
    kinds = [{node["decision_type"] for node in _splits(m.dump_model(), feature=1)} for m in members]
    assert kinds == [{"=="}, {"<="}, {"<="}]  # the grade as a category, then as a number (randomised, stumps)
    merged = bl.average(members)
    mean_raw = np.mean([m.predict(X, raw_score=True) for m in members], axis=0)
    M, _ = ft.as_matrix(X, ["grade"])
    for rows in (X, M):  # a frame with categories and the scoring paths' code matrix
        np.testing.assert_allclose(merged.predict(rows, raw_score=True), mean_raw, atol=1e-12)
    contrib = merged.predict(M, pred_contrib=True)
    np.testing.assert_allclose(contrib.sum(axis=1), mean_raw, atol=1e-9)
    reloaded = lgb.Booster(model_str=merged.model_to_string())
    np.testing.assert_allclose(reloaded.predict(M, raw_score=True), mean_raw, atol=1e-12)


def _splits(model: dict, *, feature: int) -> list[dict]:
    """Every split node on `feature` in a dumped model."""
    out, todo = [], [t["tree_structure"] for t in model["tree_info"]]
    while todo:
        node = todo.pop()
        if "split_feature" in node:
            if node["split_feature"] == feature:
                out.append(node)
            todo += [node["left_child"], node["right_child"]]
    return out


def test_a_dataset_built_once_trains_every_seed_and_member_as_a_fresh_one_would():
    """Validation and the refits share one lgb.Dataset per set of rows: bins depend on the rows, not on the seed
    or a blend member's overrides, so each booster is the one a Dataset of its own would give, tree for tree."""
    rng = np.random.default_rng(4)
    n = 1500
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 7, n).astype(float), rng.gamma(2.0, 3.0, n)])
    X[rng.random(n) < 0.1, 0] = np.nan
    y = ((X[:, 1] > 5) & (rng.random(n) < 0.6)).astype(float)  # rare positives: the weighted path
    train, check = np.arange(1200), np.arange(1200, n)
    base = ft.task_params("binary", 2, "roc_auc", n_rows=n, seed=0, n_features=3)
    weight = ft.positive_weight("binary", y[train])
    assert weight > 1
    shared = ft.dataset(X[train], y[train], weight, categorical=[1])
    shared_check = ft.dataset(X[check], y[check], weight, categorical=[1], reference=shared)
    for seed in (0, 1, 2):
        for overrides in bl.blend_members("binary", n, [7]):
            params = {**base, **overrides, "seed": seed}
            fresh, fresh_rounds = ft.fit(
                X[train], y[train], params, categorical=[1], valid=(X[check], y[check]), adjust=False
            )
            reused, rounds = ft.fit(
                shared, y[train], params, categorical=[1], valid=shared_check, adjust=False, scratch=True
            )
            assert rounds == fresh_rounds
            assert reused.model_to_string() == fresh.model_to_string()
            np.testing.assert_array_equal(reused.predict(X), fresh.predict(X))
            refit, _ = ft.fit(X[train], y[train], params, categorical=[1], rounds=rounds)
            again, _ = ft.fit(shared, y[train], params, categorical=[1], rounds=rounds)
            assert again.model_to_string() == refit.model_to_string()


@pytest.mark.parametrize("n_features", [3, 60])
def test_single_threaded_fits_build_histograms_by_row_and_grow_the_trees_column_wise_would(n_features):
    """Below SMALL_DATA_ROWS one thread fits, and row-wise histograms (cheaper on few rows) add each bin's
    gradients in the same order as column-wise ones: tree for tree the same model, feature sampling or not."""
    rng = np.random.default_rng(7)
    n = 1200
    X = rng.normal(size=(n, n_features))
    X[:, 1] = rng.integers(0, 9, n)
    X[rng.random((n, n_features)) < 0.05] = np.nan
    y = (np.nan_to_num(X[:, 0]) + (X[:, 1] > 5) + rng.normal(size=n) > 1).astype(float)
    params = ft.task_params("binary", 2, "roc_auc", n_rows=n, seed=3, n_features=n_features)
    assert params["num_threads"] == 1 and params["force_row_wise"] and "force_col_wise" not in params
    by_column = {k: v for k, v in params.items() if k != "force_row_wise"} | {"force_col_wise": True}
    trees = []
    for p in (params, by_column):
        booster, _ = ft.fit(X, y, {**p, **bl.RANDOMISED_TREES}, categorical=[1], rounds=40)
        trees.append(booster.model_to_string().split("parameters:")[0])
    assert trees[0] == trees[1]
    assert ft.task_params("binary", 2, "roc_auc", n_rows=ft.SMALL_DATA_ROWS, seed=0)["force_col_wise"]


@pytest.mark.parametrize("order", ["plain first", "linear first"])
def test_an_averaged_blend_with_a_linear_tree_member_predicts_the_members_mean_raw_score(order):
    """Linear trees (`linear_tree`) predict leaf_const + leaf_coeff . x (leaf_value where a leaf's column is
    missing): averaging scales all three, whichever member comes first, and the saved text reloads the same."""
    rng = np.random.default_rng(7)
    n = 600
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "region": pd.Categorical(rng.integers(0, 7, n).astype(str)),
        }
    )
    y = (3 * X["a"] + X["b"] ** 2 + 0.5 * X["region"].cat.codes + rng.normal(size=n)).to_numpy()
    X.loc[::17, "b"] = np.nan  # rows where a linear leaf falls back to its constant leaf_value
    params = ft.task_params("regression", 2, "rmse", n_rows=n, seed=0, n_features=3)
    plain = ft.fit(X, y, params, categorical=["region"], rounds=30)[0]
    linear = ft.fit(X, y, {**params, **bl.LINEAR_TREES}, categorical=["region"], rounds=40)[0]
    members = [plain, linear] if order == "plain first" else [linear, plain]
    merged = bl.average(members)
    mean_raw = (plain.predict(X, raw_score=True) + linear.predict(X, raw_score=True)) / 2
    assert np.max(np.abs(linear.predict(X) - plain.predict(X))) > 0.1  # the members differ: the test can fail
    np.testing.assert_allclose(merged.predict(X), mean_raw, atol=1e-9)
    np.testing.assert_allclose(merged.predict(X), ft.blended_predict(members, X, "regression"), atol=1e-9)
    reloaded = lgb.Booster(model_str=merged.model_to_string())
    np.testing.assert_allclose(reloaded.predict(X), merged.predict(X), atol=1e-12)


def test_the_saved_blend_of_a_small_regression_predicts_its_members_average_and_explains_it():
    """Three members (defaults, smoothing, small smoothed leaves) saved as one booster: the mean of their
    predictions, TreeSHAP contributions summing to it, and the same predictions from the reloaded text."""
    rng = np.random.default_rng(11)
    n = 900
    X = pd.DataFrame({"a": rng.normal(size=n), "region": pd.Categorical(rng.integers(0, 9, n).astype(str))})
    y = (5 * X["a"] + X["region"].cat.codes + rng.normal(size=n)).to_numpy()
    params = ft.task_params("regression", 2, "rmse", n_rows=n, seed=0, n_features=2)
    blend = bl.blend_members("regression", n, [9])
    assert len(blend) == 3
    members = [
        ft.fit(X, y, {**params, **o}, categorical=["region"], rounds=r)[0]
        for o, r in zip(blend, (30, 40, 50), strict=True)
    ]
    merged = bl.average(members)
    mean = np.mean([m.predict(X) for m in members], axis=0)
    np.testing.assert_allclose(merged.predict(X), mean, atol=1e-9)
    np.testing.assert_allclose(merged.predict(X, pred_contrib=True).sum(axis=1), merged.predict(X), atol=1e-9)
    reloaded = lgb.Booster(model_str=merged.model_to_string())
    np.testing.assert_allclose(reloaded.predict(X), merged.predict(X), atol=1e-12)


def test_a_small_regressions_members_train_on_shared_datasets_as_on_their_own():
    """The small-leaf member (min_data_in_leaf 3) cannot reuse a Dataset LightGBM built for leaves of 20 (with
    feature_pre_filter it refuses): dataset_key gives it its own, and every member is the booster a fresh Dataset
    would give."""
    rng = np.random.default_rng(5)
    n = 900
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 9, n).astype(float)])
    y = 4 * X[:, 0] + X[:, 1] + rng.normal(size=n)
    params = ft.task_params("regression", 2, "rmse", n_rows=n, seed=0, n_features=2)
    blend = bl.blend_members("regression", n, [9])
    assert len({ft.dataset_key({**params, **o}, [1]) for o in blend}) == 2  # the small leaves apart
    shared: dict = {}
    for overrides in blend:
        member = {**params, **overrides}
        data = shared.setdefault(ft.dataset_key(member, [1]), ft.dataset(X, y, 1.0, categorical=[1]))
        reused, _ = ft.fit(data, y, member, categorical=[1], rounds=30)
        fresh, _ = ft.fit(X, y, member, categorical=[1], rounds=30)
        assert reused.model_to_string() == fresh.model_to_string()


def test_the_stumps_member_is_an_additive_model_of_one_split_trees_whose_contributions_are_its_steps():
    """ADDITIVE_STUMPS: every tree splits once, so the booster is a sum of one-column steps and each row's
    TreeSHAP contribution of a column is exactly its trees' leaf values: explanations of it are exact."""
    rng = np.random.default_rng(3)
    n = 3000
    X = np.column_stack([rng.normal(size=n), rng.normal(size=n), rng.integers(0, 6, n).astype(float)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * X[:, 0] - X[:, 1] + 0.3 * X[:, 2] - 2)))).astype(float)
    params = ft.task_params("binary", 2, "roc_auc", n_rows=n, seed=0, n_features=3)
    member, read = bl.member_reading({**params, **bl.ADDITIVE_STUMPS}, [2], set())
    booster, _ = ft.fit(X, y, member, categorical=read, rounds=60)
    trees = booster.dump_model()["tree_info"]
    assert trees and all(t["num_leaves"] <= 2 for t in trees)
    by_column = np.zeros((n, 3))
    for t in trees:
        node = t["tree_structure"]
        if "split_feature" not in node:
            continue
        leaves = booster.predict(X, pred_leaf=True)[:, t["tree_index"]]
        values = np.array([node["left_child"]["leaf_value"], node["right_child"]["leaf_value"]])
        by_column[:, node["split_feature"]] += values[leaves]
    contrib = booster.predict(X, pred_contrib=True)[:, :3]
    np.testing.assert_allclose(contrib - contrib.mean(axis=0), by_column - by_column.mean(axis=0), atol=1e-9)


def test_a_small_regressions_smoothing_member_reads_ordered_categories_by_rank_the_others_as_categories():
    """hotel_rates' room types (a..h): the smoothing member splits them in their order (bench/RESULTS.md, 'Regression
    members, second pass': -0.6% RMSE under 5 of 5 seeds); the defaults and the small leaves keep categories."""
    assert bl.SMOOTHED_IN_ORDER == {**bl.CATEGORY_SMOOTHING, bl.ORDERED_AS_NUMBERS: True}
    defaults, smoothing, small = bl.blend_members("regression", 4_000, [8, 51])
    cats, ordered = ["room", "agent"], {"room"}
    assert bl.member_reading(defaults, cats, ordered)[1] == cats
    assert bl.member_reading(smoothing, cats, ordered) == (dict(bl.CATEGORY_SMOOTHING), ["agent"])
    assert bl.member_reading(small, cats, ordered)[1] == cats
    assert bl.blend_members("multiclass", 4_000, [51]) == ({}, bl.CATEGORY_SMOOTHING)  # measured on regression only


def test_the_small_leaf_member_fits_every_row_in_every_tree_so_no_seed_changes_it():
    """Row sampling makes a leaf of 3 rows noisier still (RESULTS.md "Regression members, third pass"): the member
    samples no rows, and with every column for every tree (fewer than FEW_FEATURES) its trees do not depend on the seed."""
    rng = np.random.default_rng(4)
    X = pd.DataFrame({"a": rng.normal(size=800), "b": rng.integers(0, 9, 800).astype(float)})
    y = 3 * X["a"].to_numpy() + np.sin(X["b"].to_numpy()) + rng.normal(0, 0.3, 800)
    texts = []
    for seed in (0, 1):
        params = {**ft.task_params("regression", 1, "rmse", n_rows=800, seed=seed, n_features=2), **bl.SMALL_LEAVES}
        booster, _ = ft.fit(X, y, params, categorical=[], rounds=40)
        texts.append(booster.model_to_string().split("parameters:")[0].replace(f"[seed: {seed}]", ""))
    assert texts[0] == texts[1]
