"""Fast per-row feature contributions along each tree's decision path (Saabas / treeinterpreter style).

LightGBM's exact `pred_contrib` (TreeSHAP) costs about a millisecond per row for a few hundred trees,
too slow for the service's hot path. Path contributions need only the leaf each tree lands in
(`pred_leaf`, a few microseconds) and a table, computed once per model, of what every node on the
path to each leaf added to the score: the change in the node's value, credited to the feature the parent
split on. They add up exactly to the raw score (bias + sum = margin), like SHAP values, and rank the
strong features alike; they can differ from SHAP on interactions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import lightgbm as lgb
import numpy as np
from scipy import sparse


class PathContributions:
    """contributions(X) -> (n, k + 1): per-feature contributions in raw-score units, then the bias."""

    def __init__(
        self,
        table: np.ndarray,
        offsets: np.ndarray,
        bias: float,
        n_features: int,
        link: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.table = table  # (total leaves, k): contribution of each leaf's path
        self.offsets = offsets  # first row of each tree in `table`
        self.bias = bias
        self.n_features = n_features
        self.link = link  # raw score -> prediction, when checked against booster.predict

    @classmethod
    def from_booster(cls, booster: lgb.Booster) -> PathContributions | None:
        """None when the model has several trees per iteration (multiclass): use pred_contrib there."""
        dump = booster.dump_model()
        if dump.get("num_tree_per_iteration", 1) != 1:
            return None
        k = booster.num_feature()
        per_tree: list[np.ndarray] = []
        bias = 0.0
        for info in dump["tree_info"]:
            root = info["tree_structure"]
            leaves = np.zeros((max(int(info.get("num_leaves", 1)), 1), k))
            if "leaf_value" in root:
                bias += float(root["leaf_value"])
            else:
                bias += float(root["internal_value"])
                _walk(root, np.zeros(k), leaves)
            per_tree.append(leaves)
        offsets = np.cumsum([0] + [t.shape[0] for t in per_tree[:-1]]).astype(np.int64)
        table = np.vstack(per_tree) if per_tree else np.zeros((0, k))
        paths = cls(table, offsets, bias, k)
        paths.link = _checked_link(booster, paths, str(dump.get("objective", "")))
        return paths

    def one(self, leaves: np.ndarray) -> tuple[np.ndarray, float]:
        """(k contributions, raw score) of one row from its leaf indices."""
        c = self.table[leaves.astype(np.int64) + self.offsets[: len(leaves)]].sum(axis=0)
        return c, self.bias + float(c.sum())

    def score(self, contrib: np.ndarray) -> np.ndarray:
        """Predictions from contributions (bias + sum = raw score, then the objective's link). Needs `link`."""
        assert self.link is not None
        return self.link(contrib.sum(axis=1))

    def contributions(self, booster: lgb.Booster, X: np.ndarray, *, num_threads: int = 1) -> np.ndarray:
        """Per-row contributions (n, k + 1); num_threads=0 lets LightGBM use every core (batch scoring)."""
        leaves = np.asarray(booster.predict(X, pred_leaf=True, num_threads=num_threads))
        return self.from_leaves(leaves.reshape(len(X), -1))

    def from_leaves(self, leaves: np.ndarray) -> np.ndarray:
        """Contributions from the (rows, trees) leaf indices `pred_leaf` gives."""
        rows = leaves.astype(np.int64) + self.offsets[: leaves.shape[1]]
        out = np.empty((len(rows), self.n_features + 1))
        out[:, self.n_features] = self.bias
        if len(rows) == 1:
            out[0, : self.n_features] = self.table[rows[0]].sum(axis=0)
            return out
        # many rows: a sparse one-hot (rows x leaves) times the leaf table, without a (rows, trees, features) temporary
        n, trees = rows.shape
        onehot = sparse.csr_matrix(
            (np.ones(n * trees), rows.ravel(), np.arange(0, n * trees + 1, trees)), shape=(n, self.table.shape[0])
        )
        out[:, : self.n_features] = onehot @ self.table
        return out
        step = max(1, 4_000_000 // max(1, rows.shape[1] * self.n_features))  # bound the (rows, trees, features) gather
        for start in range(0, len(rows), step):
            out[start : start + step, : self.n_features] = self.table[rows[start : start + step]].sum(axis=1)
        out[:, self.n_features] = self.bias
        return out


def predicted_class_contributions(contrib: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """From multiclass `pred_contrib` (n x K*(k+1)), each row's block for its predicted class (n x (k+1))."""
    n, classes = probs.shape
    blocks = np.asarray(contrib).reshape(n, classes, -1)
    return blocks[np.arange(n), probs.argmax(axis=1)]


def _link_for(objective: str) -> Callable[[np.ndarray], np.ndarray] | None:
    """The objective's output transform, as LightGBM applies it in predict()."""
    name, *args = objective.split()
    options = dict(a.split(":", 1) for a in args if ":" in a)
    if name in ("binary", "cross_entropy", "xentropy"):
        sigmoid = float(options.get("sigmoid", 1.0)) if name == "binary" else 1.0
        return lambda raw: 1.0 / (1.0 + np.exp(-sigmoid * raw))
    if name in ("regression", "regression_l1", "huber", "fair", "quantile", "mape"):
        return lambda raw: raw
    if name in ("poisson", "gamma", "tweedie"):
        return np.exp
    return None


def _checked_link(
    booster: lgb.Booster, paths: PathContributions, objective: str
) -> Callable[[np.ndarray], np.ndarray] | None:
    """The link, only if bias + contributions -> link reproduces booster.predict on varied rows (else None)."""
    link = _link_for(objective)
    if link is None:
        return None
    rng = np.random.default_rng(0)
    k = paths.n_features
    X = np.concatenate(
        [
            rng.normal(0, 1, (40, k)),
            rng.normal(0, 50, (40, k)),
            rng.integers(0, 6, (40, k)).astype(float),
            np.full((1, k), np.nan),
        ]
    )
    X[rng.random(X.shape) < 0.1] = np.nan
    expected = np.asarray(booster.predict(X, num_threads=1))
    got = link(paths.contributions(booster, X).sum(axis=1))
    return link if expected.shape == got.shape and np.allclose(got, expected, rtol=1e-9, atol=1e-12) else None


def _walk(node: dict[str, Any], path: np.ndarray, leaves: np.ndarray) -> None:
    """Depth-first: credit each child's value change to the parent's split feature."""
    parent_value = float(node["internal_value"])
    feature = int(node["split_feature"])
    for side in ("left_child", "right_child"):
        child = node[side]
        child_value = float(child["leaf_value"] if "leaf_value" in child else child["internal_value"])
        step = path.copy()
        step[feature] += child_value - parent_value
        if "leaf_value" in child:
            leaves[int(child.get("leaf_index", 0))] = step
        else:
            _walk(child, step, leaves)
