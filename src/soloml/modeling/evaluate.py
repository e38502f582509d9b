"""Evaluation in the business's units: precision and lift at capacity, expected value, calibration, threshold.

Capacity scaling. The spec says how many entities can be acted on per cycle (e.g. 100 a week). With
cutoffs, the validation rows are one snapshot of the population, and snapshots are `cutoffs.every`
apart (e.g. monthly). Acting on the top `capacity` every cycle and re-ranking the rest reaches
`capacity x cycles per snapshot` entities before the next snapshot (100 x 4.35 = 435 a month), so
precision and lift are measured on that many top-ranked validation rows. A flat table without time is
one snapshot acted on for one cycle: k = capacity. k never exceeds the rows judged. Per-cycle figures
(hits, expected value) are then quoted for `capacity` actions.

Expected value per cycle = value_per_success x success_rate x hits - cost_per_action x actions;
acting on nobody is worth 0. The decision threshold acts only where the expected gain is positive
(probability >= cost / (value x success_rate)) and never on more than capacity per snapshot. Without
business inputs (`value_per_success` not set, as on the quick path) there are no money figures at all.

Multiclass: a hit is a row whose predicted class is right, ranked by the predicted class's probability
(acting on the rows the model is surest of, with the action for the class it predicts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from soloml.modeling import metrics as m
from soloml.projects.spec import ProjectSpec

CYCLE_DAYS = {"daily": 1.0, "weekly": 7.0, "monthly": 365.25 / 12}
BOOTSTRAP_ROUNDS = 200
TOP_SHARE = 0.1


@dataclass(frozen=True)
class Capacity:
    per_cycle: int
    cycle: str
    cycles_per_snapshot: float
    k: int  # validation rows acted on
    threshold_rank: int  # rank whose score is the capacity cut in one cycle
    explanation: str


@dataclass(frozen=True)
class Policy:
    """Acting on a ranked list: the model's, today's rule's, a random pick's, or nobody."""

    name: str
    description: str
    actions_per_cycle: float
    precision: float | None
    hits_per_cycle: float | None
    lift: float | None
    expected_value: float | None


@dataclass(frozen=True)
class ReliabilityBin:
    mean_predicted: float
    observed_rate: float
    rows: int


@dataclass(frozen=True)
class Calibration:
    brier: float
    mean_predicted: float
    observed_rate: float
    table: tuple[ReliabilityBin, ...]


@dataclass(frozen=True)
class Business:
    capacity: Capacity
    currency: str
    base_rate: float | None
    model: Policy
    today_rule: Policy | None
    random: Policy
    threshold: float
    breakeven_probability: float | None


def scale_capacity(spec: ProjectSpec, n_rows: int, *, over_time: bool, snapshots: int = 1) -> Capacity:
    """The validation rows acted on; with several judged snapshots, each gets its share of the capacity.

    Without business inputs (no value agreed, e.g. the quick path) there is no agreed capacity either:
    the top TOP_SHARE of the judged rows.
    """
    capacity = spec.business.capacity
    cycle = spec.business.cycle
    if spec.business.value_per_success is None:
        k = max(1, round(TOP_SHARE * n_rows))
        return Capacity(
            k, cycle, 1.0, k, k, f"top {k} of {n_rows} validation rows (the top {TOP_SHARE:.0%}: no capacity agreed)"
        )
    if over_time:
        cycles = max(1.0, CYCLE_DAYS[spec.cutoffs.every] / CYCLE_DAYS[cycle])
        words = f"{capacity} per {_cycle_noun(cycle)} x {cycles:.2f} {_cycle_noun(cycle)}s between {spec.cutoffs.every} snapshots"
        if snapshots > 1:
            words += f", over {snapshots} judged snapshots"
    else:
        cycles = 1.0
        words = f"{capacity} per {_cycle_noun(cycle)}, the table read as one snapshot"
    k = int(min(n_rows, max(1, round(capacity * cycles * max(1, snapshots)))))
    return Capacity(
        capacity, cycle, cycles, k, int(min(n_rows, capacity)), f"top {k} of {n_rows} validation rows ({words})"
    )


def _cycle_noun(cycle: str) -> str:
    return {"daily": "day", "weekly": "week", "monthly": "month"}[cycle]


def metric_value(name: str, task: str, y: np.ndarray, pred: np.ndarray, score: np.ndarray, k: int) -> float | None:
    """`name` for one set of predictions; None when the metric does not apply to this task/baseline."""
    if name == "precision_at_capacity":
        if task == "binary":
            return m.precision_at_k(y, score, k)
        if task == "regression":
            return m.top_k_overlap(y, score, k)
        return m.precision_at_k(m.correct_class(y, pred), score, k)
    if name in ("roc_auc", "pr_auc"):
        return getattr(m, name)(y, score) if task == "binary" else None
    fn = m.TASK_METRICS[task].get(name)
    return None if fn is None else fn(y, pred)


def all_metrics(task: str, y: np.ndarray, pred: np.ndarray, score: np.ndarray, k: int) -> dict[str, float | None]:
    names = [*m.TASK_METRICS[task], "precision_at_capacity"]
    return {name: metric_value(name, task, y, pred, score, k) for name in names}


def business(
    spec: ProjectSpec,
    task: str,
    y: np.ndarray,
    model: tuple[np.ndarray, np.ndarray],
    rule: tuple[np.ndarray, np.ndarray] | None,
    rule_description: str | None,
    capacity: Capacity,
    prior: np.ndarray | None = None,
) -> Business:
    """Acting on the top `capacity.k` by each ranking. `model` and `rule` are (prediction, score) pairs;
    multiclass needs the `prior` (class shares) for a random pick's hit rate."""
    b = spec.business
    n = len(y)
    worth = None if b.value_per_success is None else b.value_per_success * b.success_rate
    actions = capacity.k / capacity.cycles_per_snapshot
    base = float(np.mean(y)) if task == "binary" else None
    if task == "binary":
        random_precision: float | None = base
    elif task == "multiclass":
        random_precision = None if prior is None else float(m.accuracy(y, prior))
    else:
        random_precision = capacity.k / max(n, 1)

    def policy(name: str, description: str, precision: float | None) -> Policy:
        if precision is None:
            return Policy(name, description, actions, None, None, None, None)
        hits = precision * actions
        lift = precision / random_precision if random_precision else None
        value = None if worth is None else worth * hits - b.cost_per_action * actions
        return Policy(name, description, actions, precision, hits, lift, value)

    def precision(pair: tuple[np.ndarray, np.ndarray]) -> float | None:
        return metric_value("precision_at_capacity", task, y, pair[0], pair[1], capacity.k)

    rule_policy = None if rule is None else policy("today_rule", rule_description or "today's rule", precision(rule))
    breakeven = None
    if task == "binary" and worth is not None:
        breakeven = b.cost_per_action / worth if worth > 0 else 1.0
    return Business(
        capacity=capacity,
        currency=b.currency,
        base_rate=base,
        model=policy("model", "the model's top-ranked", precision(model)),
        today_rule=rule_policy,
        random=policy("random", "a random pick", random_precision),
        threshold=decision_threshold(task, model[1], capacity.threshold_rank, breakeven),
        breakeven_probability=breakeven,
    )


def decision_threshold(task: str, score: np.ndarray, rank: int, breakeven: float | None) -> float:
    """Act when the score is at least this: the capacity cut, raised to the break-even probability (binary)."""
    if len(score) == 0:
        return 0.0
    ordered = np.sort(np.asarray(score, dtype=float))[::-1]
    cut = float(ordered[min(max(rank, 1), len(ordered)) - 1])
    return max(cut, breakeven) if breakeven is not None else cut


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> Calibration:
    """Brier score and a reliability table over quantile bins of the predicted probability."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    order = np.argsort(p, kind="mergesort")
    table = []
    for chunk in np.array_split(order, min(bins, max(1, len(p)))):
        if len(chunk):
            table.append(ReliabilityBin(float(p[chunk].mean()), float(y[chunk].mean()), len(chunk)))
    return Calibration(m.brier(y, p), float(p.mean()), float(y.mean()), tuple(table))


def bootstrap_difference(
    metric: str,
    task: str,
    y: np.ndarray,
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
    k: int,
    *,
    seed: int,
    rounds: int = BOOTSTRAP_ROUNDS,
) -> tuple[float, float] | None:
    """95% interval of metric(a) - metric(b) over paired bootstrap resamples of the validation rows.

    `a` and `b` are (prediction, score) pairs. Each resample is expressed as row weights (how often
    each row was drawn), which lets each metric be recomputed in one pass over pre-sorted rows.
    Returns None when the metric cannot be computed on enough resamples.
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    fa = weighted_metric(metric, task, y, a[0], a[1], k)
    fb = weighted_metric(metric, task, y, b[0], b[1], k)
    if fa is None or fb is None:
        return None
    diffs = []
    for _ in range(rounds):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype(np.float64)  # how often each row is drawn
        va, vb = fa(w), fb(w)
        if not (np.isnan(va) or np.isnan(vb)):
            diffs.append(va - vb)
    if len(diffs) < rounds // 2:
        return None
    low, high = np.quantile(diffs, [0.025, 0.975])
    return float(low), float(high)


def weighted_metric(
    metric: str, task: str, y: np.ndarray, pred: np.ndarray, score: np.ndarray, k: int
) -> Callable[[np.ndarray], float] | None:
    """`metric` as a function of row weights, with the sorting done once up front."""
    y = np.asarray(y, dtype=np.float64)
    if metric == "roc_auc" and task == "binary":
        return _weighted_auc(y, np.asarray(score, dtype=np.float64))
    if metric == "precision_at_capacity" and task == "binary":
        return _weighted_precision_at_k(y, np.asarray(score, dtype=np.float64), k)
    if metric == "precision_at_capacity" and task == "multiclass":
        return _weighted_precision_at_k(m.correct_class(y, pred), np.asarray(score, dtype=np.float64), k)
    losses = _row_losses(metric, task, y, pred)
    if losses is not None:
        values, root = losses
        return lambda w: _weighted_mean(values, w, root)
    value = metric_value(metric, task, y, pred, score, k)
    if value is None:
        return None

    def resampled(w: np.ndarray) -> float:  # metrics without a one-pass form: expand the weights into rows
        idx = np.repeat(np.arange(len(y)), w.astype(np.int64))
        result = metric_value(metric, task, y[idx], pred[idx], score[idx], k)
        return float("nan") if result is None else float(result)

    return resampled


def _weighted_auc(y: np.ndarray, score: np.ndarray) -> Callable[[np.ndarray], float]:
    _, group = np.unique(score, return_inverse=True)  # groups of tied scores, ascending
    groups = int(group.max()) + 1 if len(group) else 0

    def auc(w: np.ndarray) -> float:
        pos = np.bincount(group, weights=w * y, minlength=groups)
        neg = np.bincount(group, weights=w * (1 - y), minlength=groups)
        total_pos, total_neg = pos.sum(), neg.sum()
        if total_pos == 0 or total_neg == 0:
            return float("nan")
        below = np.cumsum(neg) - neg
        return float(np.sum(pos * (below + 0.5 * neg)) / (total_pos * total_neg))

    return auc


def _weighted_precision_at_k(y: np.ndarray, score: np.ndarray, k: int) -> Callable[[np.ndarray], float]:
    return lambda w: m.precision_at_k_weighted(y, score, k, w)


def _row_losses(metric: str, task: str, y: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, bool] | None:
    """Per-row terms whose weighted mean is the metric (and whether to take its square root)."""
    pred = np.asarray(pred, dtype=np.float64)
    if task == "binary" and metric == "log_loss":
        p = np.clip(pred, m.EPS, 1 - m.EPS)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)), False
    if task == "binary" and metric == "brier":
        return (pred - y) ** 2, False
    if task == "regression" and metric == "rmse":
        return (y - pred) ** 2, True
    if task == "regression" and metric == "mae":
        return np.abs(y - pred), False
    if task == "multiclass" and metric == "multi_logloss":
        return -np.log(np.clip(pred[np.arange(len(y)), y.astype(int)], m.EPS, 1.0)), False
    if task == "multiclass" and metric == "accuracy":
        return (pred.argmax(axis=1) == y).astype(np.float64), False
    return None


def _weighted_mean(values: np.ndarray, w: np.ndarray, root: bool) -> float:
    total = w.sum()
    if total == 0:
        return float("nan")
    mean = float(np.sum(values * w) / total)
    return float(np.sqrt(mean)) if root else mean
