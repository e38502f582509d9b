"""LightGBM with defaults that work without tuning, early stopping, class imbalance handled, and a blend of a few.

Imbalance: when positives are rarer than 1 in 5, they are up-weighted by sqrt(negatives/positives)
(a damped weight: it helps the trees find the rare class without drowning the common one). Weighting
shifts the log-odds by log(weight), so the fitted booster's first tree is shifted back by exactly that
amount: probabilities stay calibrated, which the expected-value threshold needs, and the saved model
text file predicts calibrated probabilities on its own.

Blend: below SMALL_DATA_ROWS rows the model can be the average (of raw scores) of two or three boosters, the
defaults and others: for a binary label, extremely randomised trees with stronger category smoothing
(RANDOMISED_TREES: each split's threshold drawn at random, a strong regulariser of few, noisy positives);
otherwise, when a category column has more than MAX_CAT_TO_ONEHOT values, the category smoothing alone
(CATEGORY_SMOOTHING: on few rows the per-category statistics are noisy). On the bench tables (bench/RESULTS.md
## Modeling, bench/quality_probe.py) the randomised pair beat the smoothed pair (or one booster) on all four
binary tables, at no more fits where there were two boosters already; as the only booster randomised trees cost
a regression 60% RMSE, so regression keeps the smoothing alone. A binary table adds ADDITIVE_STUMPS (one split a
tree: an additive model, close to a regularised logistic regression): lending_club +0.006 AUC, credit_data +0.004,
wa_churn +0.002, mlc_churn -0.001, under two seeds (2026-12-07; +10% RMSE on Computers, so binary only). A
regression adds SMALL_LEAVES (leaves of 3 rows,
each pulled toward its parent by path_smooth): Computers -1.7% RMSE, hotel_rates -0.6%, over five seeds (2026-12-07;
small leaves without the pull cost hotel_rates' time split 1.4%). Averaging the members was never worse than the
better-guessed one by more than noise, where a choice between them on an inner split was. `average` writes them
as one booster (leaf values, and a linear tree's leaf constants and coefficients, divided by their number, trees
concatenated), so what is saved and scored is one model.

Ordered categories (signature.ordered: grades such as A1..G5, levels, numbers with units; their code is their
rank in the natural order): the randomised member reads them as numbers (ORDERED_AS_NUMBERS, `member_reading`),
thresholds on the order instead of per-value statistics of few positives; the defaults member still reads them
as categories. Each tree carries its own split kinds, so the averaged booster predicts the mean of both members'
raw scores and every scoring path, which only turns values into codes, stays the same (bench/RESULTS.md
"Ordered categories (2026-12-07)").
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml.errors import ModelError

DEFAULT_PARAMS: dict[str, Any] = {
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "max_bin": 255,
    "cat_smooth": 10.0,
    "verbosity": -1,
    "force_col_wise": True,
    "deterministic": True,
}
MAX_ROUNDS = 2000
EARLY_STOPPING_ROUNDS = 50
IMBALANCE_BELOW = 0.2
SMALL_DATA_ROWS = 20_000
FEW_FEATURES = 50  # below this, every tree sees every column: sampling few columns makes results swing with the seed
# improvements smaller than these are noise, not a reason to keep adding trees: absolute for scale-free metrics,
# a share of the label's spread (standard deviation) for errors in the label's units
MIN_DELTA = {
    "binary_logloss": 1e-3,
    "multi_logloss": 1e-3,
    "auc": 1e-4,
    "average_precision": 1e-4,
    "mape": 1e-4,
    "multi_error": 1e-4,
}
RELATIVE_MIN_DELTA = {"rmse": 1e-4, "l1": 1e-4}
CATEGORY_SMOOTHING: dict[str, Any] = {"cat_smooth": 50.0, "min_data_per_group": 50, "cat_l2": 10.0}
ORDERED_AS_NUMBERS = "ordered_categories_as_numbers"  # a member override soloml reads (member_reading), not LightGBM
RANDOMISED_TREES: dict[str, Any] = {  # smoothed too: better, and cheaper
    **CATEGORY_SMOOTHING,
    "extra_trees": True,
    ORDERED_AS_NUMBERS: True,
}
# a binary table's third member: stumps (one split a tree), so the booster is a sum of one-column steps, a smooth
# additive model like a regularised logistic regression; randomised and smoothed like the second, ordered categories
# read by rank (bench/RESULTS.md "Additive member (2026-12-07)")
ADDITIVE_STUMPS: dict[str, Any] = {
    "num_leaves": 2,
    "max_depth": 1,
    "learning_rate": 0.1,
    "min_data_in_leaf": 50,
    **RANDOMISED_TREES,
}
LINEAR_TREES: dict[str, Any] = {"linear_tree": True}  # a linear model of the numeric columns in each leaf
# a regression's smoothing member reads ordered categories by rank (hotel_rates' room types: -0.6% RMSE under 5 of 5
# seeds, bench/RESULTS.md "Regression members, second pass (2026-12-07)"); multiclass keeps CATEGORY_SMOOTHING
SMOOTHED_IN_ORDER: dict[str, Any] = {**CATEGORY_SMOOTHING, ORDERED_AS_NUMBERS: True}
# a regression's extra member: leaves of a few rows find finer steps; each leaf's value is pulled toward its parent's
# in proportion to how few rows it holds (path_smooth), so the finer leaves do not chase single prices
SMALL_LEAVES: dict[str, Any] = {"min_data_in_leaf": 3, "path_smooth": 10.0}
MAX_CAT_TO_ONEHOT = 4  # LightGBM's default: categories with at most this many values split one against the rest

EARLY_STOP_METRIC = {
    "roc_auc": "auc",
    "precision_at_capacity": "auc",
    "pr_auc": "average_precision",
    "log_loss": "binary_logloss",
    "rmse": "rmse",
    "mae": "l1",
    "mape": "mape",
    "multi_logloss": "multi_logloss",
    "accuracy": "multi_error",
}


@dataclass(frozen=True)
class LabelCoding:
    """Label values <-> codes. For a binary task `classes[1]` is the positive class."""

    task: str
    classes: tuple[Any, ...] = ()

    @classmethod
    def learn(cls, task: str, y: pd.Series) -> LabelCoding:
        if task == "regression":
            return cls(task)
        values = sorted(pd.unique(y.dropna()), key=_sort_key)
        if task == "binary" and len(values) != 2:
            raise ModelError(
                f"A binary target needs exactly two values; the label holds {len(values)}: {values[:5]!r}.",
                hint="Check the target column, or treat it as multiclass/regression.",
            )
        return cls(task, tuple(_plain(v) for v in values))

    def encode(self, y: pd.Series) -> np.ndarray:
        if self.task == "regression":
            return pd.to_numeric(y, errors="raise").to_numpy(dtype=np.float64)
        codes = pd.Series(y).map({c: i for i, c in enumerate(self.classes)})
        if codes.isna().any():
            values = pd.Series(y)
            if (
                pd.api.types.is_numeric_dtype(values)
                and not pd.api.types.is_bool_dtype(values)
                and values.isin(range(len(self.classes))).all()
            ):
                return values.to_numpy(dtype=np.float64)  # labels already coded as positions in `classes`
            unknown = pd.Series(y)[codes.isna()].iloc[0]
            raise ModelError(
                f"Label value {unknown!r} is not one of the classes {list(self.classes)[:10]}.",
                hint="Check the target column.",
            )
        return codes.to_numpy(dtype=np.float64)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, float(value)) if isinstance(value, int | float | bool | np.number | np.bool_) else (1, str(value))


def task_params(
    task: str, n_classes: int, metric: str, *, n_rows: int, seed: int, n_features: int = FEW_FEATURES
) -> dict[str, Any]:
    """Defaults for this task; leaves are allowed to be smaller on small data so it can still learn, and
    fewer than FEW_FEATURES columns are all used by every tree."""
    params = dict(DEFAULT_PARAMS)
    params["min_data_in_leaf"] = max(2, min(DEFAULT_PARAMS["min_data_in_leaf"], n_rows // 25))
    if n_features < FEW_FEATURES:
        params["feature_fraction"] = 1.0
    params["seed"] = seed
    # OpenMP threads cost more than they save on small data (and on a busy machine); with one thread, row-wise
    # histograms add each bin's gradients in the same order as column-wise ones (the same trees) and cost less
    # on few rows (bench/RESULTS.md ## Modeling overhead)
    params["num_threads"] = 1 if n_rows < SMALL_DATA_ROWS else 0
    if n_rows < SMALL_DATA_ROWS:
        del params["force_col_wise"]
        params["force_row_wise"] = True
    params["metric"] = EARLY_STOP_METRIC.get(metric, "None")
    if task == "binary":
        params["objective"] = "binary"
    elif task == "multiclass":
        params["objective"] = "multiclass"
        params["num_class"] = n_classes
    else:
        params["objective"] = "regression"
    return params


def blend_members(task: str, n_rows: int, levels: Sequence[int]) -> tuple[dict[str, Any], ...]:
    """Parameter overrides of each booster averaged into the model: `({},)` (one booster, the defaults) from
        SMALL_DATA_ROWS rows; below, `({}, RANDOMISED_TREES, ADDITIVE_STUMPS)` for a binary `task`; for the other tasks the defaults
        and CATEGORY_SMOOTHING when a category column has more than MAX_CAT_TO_ONEHOT values (`levels`: each
        category column's distinct values, missing counted; a regression's reads ordered categories by rank,
    SMOOTHED_IN_ORDER), and for a regression SMALL_LEAVES after them. LightGBM
        splits a category with few values one against the rest, where the smoothing changes nothing: a second
        booster would be the first again."""
    if n_rows >= SMALL_DATA_ROWS:
        return ({},)
    if task == "binary":
        return ({}, dict(RANDOMISED_TREES), dict(ADDITIVE_STUMPS))
    members: tuple[dict[str, Any], ...] = ({},)
    if any(n > MAX_CAT_TO_ONEHOT for n in levels):
        members += (dict(SMOOTHED_IN_ORDER if task == "regression" else CATEGORY_SMOOTHING),)
    if task == "regression":
        members += (dict(SMALL_LEAVES),)
    return members


def member_reading(
    params: Mapping[str, Any], categorical: Sequence[Any], ordered: Collection[Any]
) -> tuple[dict[str, Any], list[Any]]:
    """(LightGBM's parameters of a blend member, the columns it reads as categories): with ORDERED_AS_NUMBERS
    in `params`, the `ordered` ones of `categorical` (names or positions) are read as numbers, their codes."""
    lgb_params = dict(params)
    if lgb_params.pop(ORDERED_AS_NUMBERS, False):
        return lgb_params, [c for c in categorical if c not in ordered]
    return lgb_params, list(categorical)


def blended_predict(
    boosters: list[lgb.Booster], X: pd.DataFrame | np.ndarray, task: str, weight: float = 1.0
) -> np.ndarray:
    """What `average(boosters)` predicts, without building it; `weight` as in `unweight` (validation's unadjusted boosters)."""
    if len(boosters) == 1:
        pred = np.asarray(boosters[0].predict(X))
        return unweight(pred, weight) if task == "binary" else pred
    raw: np.ndarray = np.mean([np.asarray(b.predict(X, raw_score=True)) for b in boosters], axis=0)
    if task == "binary":
        return sigmoid(raw - math.log(weight))
    if task == "multiclass":
        return softmax(raw)
    return raw


def sigmoid(raw: np.ndarray) -> np.ndarray:
    """Probabilities from binary raw scores (log-odds)."""
    out: np.ndarray = 1.0 / (1.0 + np.exp(-raw))
    return out


def softmax(raw: np.ndarray) -> np.ndarray:
    """Class probabilities from multiclass raw scores (n x K)."""
    e = np.exp(raw - raw.max(axis=1, keepdims=True))
    shares: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return shares


# what a tree adds to the raw score: leaf values, and a linear tree's leaf_const + leaf_coeff . x (its leaf_value
# where one of the leaf's columns is missing); internal values are what TreeSHAP reads
SCALED_IN_AVERAGE = ("leaf_value", "internal_value", "leaf_const", "leaf_coeff")


def average(boosters: list[lgb.Booster]) -> lgb.Booster:
    """One booster whose raw score is the mean of `boosters`' (fit on the same columns): each one's leaf values
    (and a linear tree's leaf constants and coefficients) divided by their number, the trees one after another.
    One booster comes back as it is."""
    if len(boosters) == 1:
        return boosters[0]
    share = 1.0 / len(boosters)
    head, trees, tail = "", [], ""
    for i, booster in enumerate(boosters):
        text = booster.model_to_string()
        start, end = text.find("Tree=0\n"), text.find("end of trees")
        if start < 0 or end < 0:
            raise ModelError("A booster to average has no trees.")
        if i == 0:
            head, tail = text[:start], text[end:]
        for block in re.split(r"Tree=\d+\n", text[start:end])[1:]:
            lines = block.rstrip("\n").split("\n")
            for j, line in enumerate(lines):
                key, _, values = line.partition("=")
                if key in SCALED_IN_AVERAGE:  # a linear leaf's coefficients keep their spacing (two between leaves)
                    lines[j] = key + "=" + re.sub(r"\S+", lambda v: repr(float(v.group()) * share), values)
            trees.append("\n".join(lines) + "\n\n\n")
    blocks = [f"Tree={i}\n{body}" for i, body in enumerate(trees)]
    sizes = "tree_sizes=" + " ".join(str(len(b.encode())) for b in blocks)
    head = re.sub(r"tree_sizes=[^\n]*", sizes, head, count=1)
    return lgb.Booster(model_str=head + "".join(blocks) + tail)


def scaled_rounds(rounds: float, chosen_on_rows: int, fit_rows: int) -> int:
    """Rounds for a fit on `fit_rows` rows, from `rounds` found best when training on `chosen_on_rows`.

    More data supports more boosting rounds before overfitting; the square root keeps the step modest.
    """
    scale = math.sqrt(fit_rows / chosen_on_rows) if chosen_on_rows else 1.0
    return max(1, round(float(rounds) * scale))


def min_delta(metric: str, y: np.ndarray) -> float:
    """The smallest improvement of the early-stopping metric that counts (see MIN_DELTA)."""
    if metric in RELATIVE_MIN_DELTA:
        spread = float(np.std(y)) if len(y) > 1 else 0.0
        return RELATIVE_MIN_DELTA[metric] * spread
    return MIN_DELTA.get(metric, 0.0)


def positive_weight(task: str, y: np.ndarray) -> float:
    """The damped up-weight of the positive class (1.0 when classes are balanced enough)."""
    if task != "binary" or len(y) == 0:
        return 1.0
    pos = float(np.sum(y == 1))
    rate = pos / len(y)
    if pos == 0 or rate >= IMBALANCE_BELOW:
        return 1.0
    return math.sqrt((len(y) - pos) / pos)


def as_matrix(X: pd.DataFrame, categorical: list[str]) -> tuple[np.ndarray, list[int]]:
    """`X` as the float matrix LightGBM builds from it (a category -> its code, missing -> NaN) and the category positions.

    Validation fits many boosters on row subsets of one frame; slicing this matrix once per fit is much
    cheaper than LightGBM converting a DataFrame with categories every time, and gives the same trees.
    """
    names = set(categorical)
    cols = []
    for name in X.columns:
        col = X[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = col.cat.codes.to_numpy(dtype=np.float64)
            codes[codes < 0] = np.nan
            cols.append(codes)
        else:
            cols.append(col.to_numpy(dtype=np.float64, na_value=np.nan))
    matrix = np.column_stack(cols) if cols else np.empty((len(X), 0))
    return matrix, [i for i, name in enumerate(X.columns) if name in names]


# LightGBM's bin_construct_sample_cnt: from this many rows the bins are found on a row sample the seed draws
BIN_SAMPLE_ROWS = 200_000
# parameters LightGBM fixes when it builds a Dataset (with feature_pre_filter, min_data_in_leaf decides which
# columns can split at all): boosters differing in one of them cannot share a Dataset
DATASET_PARAMS = ("max_bin", "min_data_in_bin", "min_data_in_leaf", "feature_pre_filter", "linear_tree", "use_missing")


def dataset_key(params: Mapping[str, Any], categorical: Sequence[Any]) -> tuple[Any, ...]:
    """What decides whether two boosters can train on one Dataset: the columns read as categories and the
    parameters LightGBM fixes at construction (a small-leaf member needs its own)."""
    return (tuple(categorical), *(params.get(k) for k in DATASET_PARAMS))


def dataset(
    X: pd.DataFrame | np.ndarray,
    y: np.ndarray,
    weight: float,
    *,
    categorical: list[str] | list[int],
    reference: lgb.Dataset | None = None,
) -> lgb.Dataset:
    """The lgb.Dataset `fit` trains on (or checks against, with the training set as `reference`): positives
    weighted `weight` (`positive_weight` of the training rows' labels).

    Built once, it serves every booster fit on these rows that reads the same columns as categories: its bins
    depend on the rows, the binning parameters and which columns are categories, which no seed changes (below
    BIN_SAMPLE_ROWS rows every row is binned, so the seed does not pick them); a member reading ordered
    categories as numbers (member_reading) needs its own. Binning is most of what building one costs.
    """
    w = np.where(y == 1, weight, 1.0) if weight != 1.0 else None
    # exactly `categorical` ("auto" would also read every other pandas category, an ordered one read as a number too)
    return lgb.Dataset(X, label=y, weight=w, reference=reference, categorical_feature=categorical, free_raw_data=True)


def fit(
    X: pd.DataFrame | np.ndarray | lgb.Dataset,
    y: np.ndarray,
    params: Mapping[str, Any],
    *,
    categorical: list[str] | list[int],
    rounds: int = MAX_ROUNDS,
    valid: tuple[pd.DataFrame | np.ndarray, np.ndarray] | lgb.Dataset | None = None,
    adjust: bool = True,
    scratch: bool = False,
) -> tuple[lgb.Booster, int]:
    """Train one booster; with `valid`, stop when the validation metric stops improving. Returns (booster, rounds used).

    `X` (with `y` its labels) and `valid` may be Datasets built by `dataset`, shared by several fits.
    With `adjust=False` the up-weighting of rare positives is left in the booster (cheaper: no model
    rebuild); the caller then corrects its probabilities with `unweight` (validation folds do this).
    `scratch=True`: the booster is only predicted with, then dropped, so LightGBM skips rebuilding it from
    its own text (the same trees either way) and it keeps a reference to its training Dataset while it lives.
    """
    weight = positive_weight(params.get("objective", ""), y)
    train_set = X if isinstance(X, lgb.Dataset) else dataset(X, y, weight, categorical=categorical)
    callbacks = []
    valid_sets = []
    if valid is not None:
        valid_sets = [
            valid
            if isinstance(valid, lgb.Dataset)
            else dataset(valid[0], valid[1], weight, categorical=categorical, reference=train_set)
        ]
        delta = min_delta(str(params.get("metric")), y)
        callbacks.append(
            lgb.early_stopping(EARLY_STOPPING_ROUNDS, first_metric_only=True, verbose=False, min_delta=delta)
        )
    try:
        booster = lgb.train(
            dict(params),
            train_set,
            num_boost_round=rounds,
            valid_sets=valid_sets,
            callbacks=callbacks,
            keep_training_booster=scratch,
        )
    except lgb.basic.LightGBMError as exc:
        raise ModelError(
            f"LightGBM could not train: {exc}.", hint="Check the features for constant or all-missing columns."
        ) from exc
    used = booster.best_iteration if valid is not None and booster.best_iteration > 0 else booster.current_iteration()
    if weight != 1.0 and adjust:
        booster = shift_raw_score(booster, -math.log(weight), num_iteration=used)
    return booster, used  # after early stopping, predict() uses the best iteration


def unweight(probability: np.ndarray, weight: float) -> np.ndarray:
    """Probabilities of a booster trained with positives weighted `weight`, as if trained unweighted.

    The same correction `shift_raw_score` bakes into the saved model: the raw score moves by -log(weight).
    """
    if weight == 1.0:
        return probability
    p = np.clip(np.asarray(probability, dtype=np.float64), 1e-15, 1 - 1e-15)
    return 1.0 / (1.0 + np.exp(-(np.log(p / (1 - p)) - math.log(weight))))


def shift_raw_score(booster: lgb.Booster, delta: float, *, num_iteration: int | None = None) -> lgb.Booster:
    """A copy of `booster` (its first `num_iteration` rounds) whose raw score is `delta` higher for every row: tree 0's leaves move."""
    text = booster.model_to_string(num_iteration=num_iteration)
    head, marker, rest = text.partition("Tree=0\n")
    if not marker:
        raise ModelError("The booster has no trees to adjust.")
    block, sep, tail = rest.partition("\n\n")
    lines = block.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("leaf_value="):
            values = [float(v) + delta for v in line[len("leaf_value=") :].split()]
            lines[i] = "leaf_value=" + " ".join(repr(v) for v in values)
    new_block = "\n".join(lines)
    # the header records each tree's size in bytes; tree 0 changed length
    sizes_at = head.find("tree_sizes=")
    if sizes_at >= 0:
        line_end = head.index("\n", sizes_at)
        sizes = head[sizes_at + len("tree_sizes=") : line_end].split()
        sizes[0] = str(int(sizes[0]) + len(new_block) - len(block))
        head = head[:sizes_at] + "tree_sizes=" + " ".join(sizes) + head[line_end:]
    return lgb.Booster(model_str=head + marker + new_block + sep + tail)


def predict(booster: lgb.Booster, X: pd.DataFrame | np.ndarray, task: str) -> np.ndarray:
    """Probability of the positive class (binary), n x K probabilities (multiclass) or values (regression)."""
    return np.asarray(booster.predict(X))
