"""LightGBM with defaults that work without tuning, early stopping, class imbalance handled, and a blend of a few.

Imbalance: when positives are rarer than 1 in 5, they are up-weighted by sqrt(negatives/positives)
(a damped weight: it helps the trees find the rare class without drowning the common one). Weighting
shifts the log-odds by log(weight), so the fitted booster's first tree is shifted back by exactly that
amount: probabilities stay calibrated, which the expected-value threshold needs, and the saved model
text file predicts calibrated probabilities on its own.

The blend of several boosters on small data, and writing them as one, is modeling/blend.py.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml.errors import ModelError
from soloml.modeling.blend import SMALL_DATA_ROWS

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


def blended_predict(
    boosters: list[lgb.Booster], X: pd.DataFrame | np.ndarray, task: str, weight: float = 1.0
) -> np.ndarray:
    """What `blend.average(boosters)` predicts, without building it; `weight` as in `unweight` (validation's unadjusted boosters)."""
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
