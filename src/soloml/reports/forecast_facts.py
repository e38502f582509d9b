"""A forecast project's section: the saved forecast (forecasts/<project>/forecaster), judged again from its stored backtest.

Reading it back refits nothing the store does not refit anyway (statistical fits are deterministic) and
never re-forecasts for the check (`verify=False`: the numbers shown are the ones saved). The chart's
data are the panels `ForecastResult.chart_panels()` gives; the renderer draws them with reports.charts.
"""

from __future__ import annotations

from typing import Any

from soloml.errors import SolomlError
from soloml.forecasting.calendar import NOUN
from soloml.projects.spec import ForecastSettings, ProjectSpec
from soloml.tracker import words as w
from soloml.workspace import Workspace


def forecast_section(ws: Workspace, spec: ProjectSpec) -> dict[str, Any]:
    from soloml.forecasting.result import forecast_result
    from soloml.forecasting.store import load_forecaster
    from soloml.forecasting.workflow import project_settings

    folder = ws.path("forecasts", spec.name, "forecaster")
    if not folder.is_dir():
        return _missing("No forecast has been made yet.")
    try:
        forecaster = load_forecaster(folder, verify=False)
        settings, _ = project_settings(spec, spec.forecast or ForecastSettings(), forecaster.series_.frequency)
        result = forecast_result(
            forecaster,
            name=spec.name,
            metric=settings.metric,
            threshold=settings.threshold,
            miss_tolerance=settings.miss_tolerance,
            miss_cost=settings.miss_cost,
        )
    except SolomlError as exc:
        return _missing(f"The saved forecast cannot be read: {exc.message.split('. ')[0].rstrip('.')}.")
    facts = result.to_facts()
    verdict = result.verdict
    saved = (folder / "forecaster.json").stat().st_mtime
    from datetime import datetime

    made_on = datetime.fromtimestamp(saved).date()
    noun = NOUN.get(str(facts["frequency"]), "period")
    frame = result.series.frame
    periods = int(frame.groupby("unique_id").size().max()) if len(frame) else 0
    first, last = (frame["ds"].min().date(), frame["ds"].max().date()) if len(frame) else (None, None)
    history = (
        (
            f"The forecast learnt from {w.plural(periods, noun)} of history, {w.day(first)} to {w.day(last)}"
            + (f", {w.plural(len(result.series.ids), 'series', 'series')}." if len(result.series.ids) > 1 else ".")
        )
        if first
        else "The forecast had no history."
    )
    return {
        "made": True,
        "made_on": made_on,
        "verdict": verdict.decision,
        "verdict_words": w.VERDICT_WORDS.get(verdict.decision, "not judged"),
        "horizon": result.horizon,
        "frequency": facts["frequency"],
        "level": result.level,
        "series": len(result.series.ids),
        "forecasts": facts["forecasts"],
        "accuracy": facts["accuracy"],
        "panels": result.chart_panels(),
        "lines": [
            f"Forecast made on {w.day(made_on)}, {w.plural(result.horizon, noun)} ahead, with a range that should hold "
            f"{w.share(result.level)} of the time.",
            *(line.strip() for line in facts["words"]),
        ],
        "data_lines": [history],
        "model_lines": [
            f"The forecast is compared with {_baseline(facts)} on the periods it could have forecast in the past."
        ],
        "verdict_lines": [verdict.headline],
        "driver_lines": [
            "A forecast follows the series' own trend and seasons; it has no customer-level inputs to rank."
        ],
        "deployment_lines": [
            f"Saved on {w.day(made_on)}; a new forecast is made by running it again after new data is loaded."
        ],
    }


def _baseline(facts: dict[str, Any]) -> str:
    from soloml.forecasting.words import baseline_words

    return baseline_words(facts.get("baseline_model") or "seasonal_naive", facts["frequency"])


def _missing(reason: str) -> dict[str, Any]:
    return {
        "made": False,
        "panels": [],
        "lines": [reason],
        "data_lines": [],
        "model_lines": [reason],
        "verdict_lines": [f"No verdict yet. {reason}"],
        "driver_lines": [],
        "deployment_lines": ["Not deployed yet: there is no saved forecast."],
    }
