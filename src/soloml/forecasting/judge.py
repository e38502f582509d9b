"""How good the forecasts were on the judged windows, beside seasonal naive, and the done verdict.

    DONE          meaningfully better than seasonal naive (5% lower error or more) and within the done line
    KEEP_GOING    meaningfully better than seasonal naive but short of the done line, or too little history to judge
    NOT_WORTH_IT  not meaningfully better than seasonal naive: plan with 'same period last season'

Without a done line (the quick path with no --threshold), beating seasonal naive meaningfully is the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from soloml.forecasting import metrics
from soloml.forecasting.intervals import coverage
from soloml.modeling.verdict import Decision

MARGIN = 0.05
NOT_CHOSEN_ON = "periods it was not chosen on"


@dataclass(frozen=True)
class Accuracy:
    """soloml's forecasts and seasonal naive's on the same judged periods, in the spec's metric and as WAPE."""

    metric: str
    value: float | None
    baseline: float | None
    wape: float | None
    baseline_wape: float | None
    periods: int
    windows: int
    series_judged: int
    series_total: int
    coverage: float | None
    covered_periods: int
    level: float
    misses: int | None = None
    baseline_misses: int | None = None
    chosen_share: float = 0.0  # share of judged periods whose model was chosen by earlier windows (0: all by default)


@dataclass(frozen=True)
class ForecastVerdict:
    decision: Decision
    headline: str
    reasons: tuple[str, ...]
    next_steps: tuple[str, ...]
    metric: str
    value: float | None
    baseline: float | None
    threshold: float | None


def accuracy(
    backtest: pd.DataFrame,
    metric: str,
    *,
    series_total: int,
    level: float,
    tolerance: float = 0.1,
    miss_cost: float | None = None,
) -> Accuracy:
    """Aggregate the judged windows: MASE averages per window and series; WAPE, MAPE and misses pool every period."""
    if backtest.empty:
        return Accuracy(metric, None, None, None, None, 0, 0, 0, series_total, None, 0, level)
    a, f, b = (backtest[c].to_numpy(dtype=float) for c in ("actual", "forecast", "baseline"))
    covered = backtest.dropna(subset=["lower", "upper"])
    cov = (
        coverage(covered["actual"].to_numpy(), covered["lower"].to_numpy(), covered["upper"].to_numpy())
        if len(covered)
        else None
    )
    misses, base_misses = int(metrics.missed(a, f, tolerance).sum()), int(metrics.missed(a, b, tolerance).sum())
    values = {
        "mase": lambda col: _mase(backtest, col),
        "wape": lambda col: metrics.wape(a, backtest[col].to_numpy(dtype=float)),
        "mape": lambda col: metrics.mape(a, backtest[col].to_numpy(dtype=float)),
        "miss_cost": lambda col: (misses if col == "forecast" else base_misses) * (miss_cost or 0.0) / len(a),
    }
    return Accuracy(
        metric,
        _finite(values[metric]("forecast")),
        _finite(values[metric]("baseline")),
        _finite(metrics.wape(a, f)),
        _finite(metrics.wape(a, b)),
        len(a),
        backtest["offset"].nunique(),
        backtest["unique_id"].nunique(),
        series_total,
        cov,
        len(covered),
        level,
        misses,
        base_misses,
        float((backtest["chosen_by"] > 0).mean()),
    )


def _mase(backtest: pd.DataFrame, column: str) -> float:
    """Mean over series and windows of each window's MASE."""
    errors = (
        backtest.assign(e=(backtest["actual"] - backtest[column]).abs())
        .groupby(["unique_id", "offset"])
        .agg(e=("e", "mean"), s=("scale", "first"))
    )
    return float((errors["e"] / errors["s"]).mean())


def _finite(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


def decide(
    acc: Accuracy, threshold: float | None, *, span: str, baseline_words: str, needed: str, chosen: str
) -> ForecastVerdict:
    """The verdict from the judged accuracy; `span` ('the last 12 months'), `baseline_words` and `chosen` (the final models) go into the words."""
    name = metrics.METRIC_WORDS[acc.metric]
    more = ("Load older exports so the backtest has a window to choose on before the ones it judges.",)
    if acc.value is None or acc.baseline is None:
        return ForecastVerdict(
            "KEEP_GOING",
            f"Keep going: there is too little history to test a forecast honestly ({needed}).",
            (),
            more,
            acc.metric,
            acc.value,
            acc.baseline,
            threshold,
        )
    if acc.chosen_share == 0:
        return ForecastVerdict(
            "KEEP_GOING",
            f"Keep going: there is not yet enough history to test a model choice against {baseline_words} on {NOT_CHOSEN_ON}; "
            f"{baseline_words} missed by {fmt(acc.baseline_wape, 'wape')} over {span}. The forecast uses {chosen}, chosen on {span}.",
            (),
            more,
            acc.metric,
            acc.value,
            acc.baseline,
            threshold,
        )
    ours, theirs = fmt(acc.value, acc.metric), fmt(acc.baseline, acc.metric)
    better = acc.value <= acc.baseline * (1 - MARGIN) if acc.baseline > 0 else False
    reasons = (f"{name}: {ours} against {theirs} for {baseline_words}, over {span}",)
    line = f"the done line of {fmt(threshold, acc.metric)}" if threshold is not None else None
    if not better:
        return ForecastVerdict(
            "NOT_WORTH_IT",
            f"Not worth it: over {span} the forecasts' {name} was {ours}, not meaningfully better than {theirs} for {baseline_words}.",
            reasons,
            (f"Plan with {baseline_words} for now.", *_steps(acc)),
            acc.metric,
            acc.value,
            acc.baseline,
            threshold,
        )
    if threshold is None or acc.value <= threshold:
        within = f", and within {line}" if line else " (no done line was given)"
        return ForecastVerdict(
            "DONE",
            f"Done: over {span} the forecasts' {name} was {ours}, better than {theirs} for {baseline_words}{within}. Use them.",
            reasons,
            ("Save and schedule it; compare the forecasts with the actuals as they arrive.",),
            acc.metric,
            acc.value,
            acc.baseline,
            threshold,
        )
    return ForecastVerdict(
        "KEEP_GOING",
        f"Keep going: over {span} the forecasts' {name} was {ours}, better than {theirs} for {baseline_words}, but short of {line}.",
        reasons,
        _steps(acc),
        acc.metric,
        acc.value,
        acc.baseline,
        threshold,
    )


def _steps(acc: Accuracy) -> tuple[str, ...]:
    steps = ["More history: older exports give the models more seasons to learn from."]
    if acc.series_total < 5:
        steps.append(
            "Related series: split the forecast --by product or channel so one LightGBM model learns across them."
        )
    steps.append("Check with the stakeholder whether the error reached is already useful for the plan.")
    return tuple(steps)


def fmt(value: float | None, metric: str) -> str:
    if value is None:
        return "n/a"
    if metric in ("wape", "mape", "smape"):
        return f"{value:.1%}"
    if metric == "miss_cost":
        return f"{value:,.0f}"
    return f"{value:.2f}"
