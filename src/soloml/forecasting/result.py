"""The result of a forecast run: forecasts, the judged backtest, accuracy beside the baseline, the verdict; `to_facts()` for JSON."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from soloml.forecasting import words
from soloml.forecasting.calendar import NOUN, label
from soloml.forecasting.forecaster import Forecaster, SeriesChoice
from soloml.forecasting.judge import Accuracy, ForecastVerdict, accuracy, decide
from soloml.forecasting.metrics import METRIC_WORDS
from soloml.forecasting.models import MODEL_WORDS
from soloml.forecasting.series import SeriesSet
from soloml.forecasting.totals import Total, horizon_totals


@dataclass(frozen=True)
class ForecastResult:
    name: str
    series: SeriesSet
    horizon: int
    level: float
    metric: str
    threshold: float | None
    forecasts: pd.DataFrame
    backtest: pd.DataFrame
    choices: dict[str, SeriesChoice]
    accuracy: Accuracy
    verdict: ForecastVerdict
    notes: tuple[str, ...]

    @property
    def baseline_model(self) -> str:
        return _baseline_model(self.backtest)

    @property
    def judged_periods(self) -> int:
        return _judged_periods(self.backtest)

    def to_facts(self) -> dict[str, Any]:
        f = self.series.frequency
        facts = {
            "project": self.name,
            "series": self.series.describe(),
            "horizon": self.horizon,
            "frequency": f,
            "level": self.level,
            "metric": self.metric,
            "metric_name": METRIC_WORDS[self.metric],
            "threshold": self.threshold,
            "verdict": self.verdict.decision,
            "verdict_detail": {
                "headline": self.verdict.headline,
                "reasons": list(self.verdict.reasons),
                "next_steps": list(self.verdict.next_steps),
            },
            "accuracy": _plain(asdict(self.accuracy)),
            "baseline_model": self.baseline_model,
            "judged_periods": self.judged_periods,
            "choices": {uid: _choice(c) for uid, c in self.choices.items()},
            "forecasts": _rows(self.forecasts, f, ("step", "forecast", "lower", "upper", "model")),
            "backtest": _rows(
                self.backtest, f, ("origin", "actual", "forecast", "lower", "upper", "model", "baseline")
            ),
            "notes": list(self.notes),
            "totals": [_plain(asdict(t)) for t in self.totals()] if self.series.additive else [],
        }
        facts["words"] = words.lines(facts)
        return facts

    def totals(self) -> list[Total]:
        """Each series' total over the horizon with its simulated range (totals.py), not the sum of the periods' bounds."""
        scales = {uid: c.scale for uid, c in self.choices.items()}
        return horizon_totals(
            self.forecasts, self.backtest, scales, level=self.level, non_negative=self.series.non_negative
        )

    def chart_panels(self, max_series: int = 4, max_history: int = 120) -> list[dict[str, Any]]:
        """Plain data for reports.charts.forecast_chart: the biggest few series, their history, backtest and forecast."""
        volume = (
            self.forecasts.groupby("unique_id")["forecast"].apply(lambda v: v.abs().sum()).sort_values(ascending=False)
        )
        panels = []
        for uid in volume.index[:max_series]:
            h = self.series.frame[self.series.frame["unique_id"] == uid].tail(max_history)
            b = self.backtest[self.backtest["unique_id"] == uid]
            f = self.forecasts[self.forecasts["unique_id"] == uid]
            panels.append(
                {
                    "name": uid if len(volume) > 1 else self.series.name,
                    "unit": self.series.unit,
                    "currency": self.series.currency,
                    "level": self.level,
                    "history": {"dates": list(h["ds"]), "values": list(h["y"])},
                    "backtest": {
                        "dates": list(b["ds"]),
                        "windows": list(b["offset"]),
                        "forecast": list(b["forecast"]),
                        "lower": list(b["lower"]),
                        "upper": list(b["upper"]),
                    },
                    "forecast": {
                        "dates": list(f["ds"]),
                        "forecast": list(f["forecast"]),
                        "lower": list(f["lower"]),
                        "upper": list(f["upper"]),
                    },
                }
            )
        return panels


def forecast_result(
    forecaster: Forecaster,
    *,
    name: str,
    metric: str = "mase",
    threshold: float | None = None,
    miss_tolerance: float = 0.1,
    miss_cost: float | None = None,
) -> ForecastResult:
    """Judge a fitted Forecaster's backtest against seasonal naive and the done line."""
    series = forecaster.series_
    acc = accuracy(
        forecaster.backtest_,
        metric,
        series_total=len(series.ids),
        level=forecaster.level,
        tolerance=miss_tolerance,
        miss_cost=miss_cost,
    )
    backtest = forecaster.backtest_
    base, periods = _baseline_model(backtest), _judged_periods(backtest)
    needed = f"the longest series has {int(series.frame.groupby('unique_id').size().max())} {NOUN[series.frequency]}s; a backtest needs at least {forecaster.horizon + 3}"
    verdict = decide(
        acc,
        threshold,
        span=words.span_words(periods, series.frequency),
        baseline_words=words.baseline_words(base, series.frequency),
        needed=needed,
        chosen=_chosen_words(forecaster),
    )
    notes = (*series.notes, *forecaster.notes_, *_choice_notes(forecaster))
    return ForecastResult(
        name,
        series,
        forecaster.horizon,
        forecaster.level,
        metric,
        threshold,
        forecaster.forecast_,
        backtest,
        forecaster.choices_,
        acc,
        verdict,
        notes,
    )


def _baseline_model(backtest: pd.DataFrame) -> str:
    """The baseline most judged periods were compared with (seasonal naive, or naive for series shorter than a season)."""
    return str(backtest["baseline_model"].mode().iloc[0]) if len(backtest) else "seasonal_naive"


def _judged_periods(backtest: pd.DataFrame) -> int:
    return int(backtest.groupby("unique_id").size().max()) if len(backtest) else 0


def _chosen_words(forecaster: Forecaster) -> str:
    counts: dict[str, int] = {}
    for c in forecaster.choices_.values():
        counts[c.model] = counts.get(c.model, 0) + 1

    def name(m: str) -> str:
        return (
            words.baseline_words(m, forecaster.series_.frequency)
            if m in ("seasonal_naive", "naive")
            else MODEL_WORDS.get(m, m)
        )

    return ", ".join(
        f"{name(m)} for {n} series" if len(forecaster.choices_) > 1 else name(m) for m, n in counts.items()
    )


def _choice_notes(forecaster: Forecaster) -> list[str]:
    out = [f"Chosen by backtest: {_chosen_words(forecaster)}."]
    uncalibrated = [uid for uid, c in forecaster.choices_.items() if c.q is None]
    if uncalibrated:
        out.append(
            f"{len(uncalibrated)} series have no range: too little history to calibrate one ({', '.join(uncalibrated[:3])})."
        )
    return out


def _choice(c: SeriesChoice) -> dict[str, Any]:
    return {
        "model": c.model,
        "members": list(c.members),
        "tier": c.tier,
        "reason": c.reason,
        "chosen_by_windows": c.windows,
        "selection_mase": {k: _num(v) for k, v in c.scores.items()},
        "interval_errors": c.n_scores,
        "fitted": c.fitted,
    }


def _rows(frame: pd.DataFrame, frequency: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict("records"):
        row = {"series": rec["unique_id"], "period": label(rec["ds"], frequency)}
        for c in columns:
            value = rec[c]
            row[c] = label(value, frequency) if c == "origin" else _num(value) if isinstance(value, float) else value
        out.append(row)
    return out


def _num(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else (float(x) if isinstance(x, float) else x)


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _num(v) for k, v in d.items()}
