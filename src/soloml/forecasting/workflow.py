"""Forecast in a workspace: series -> Forecaster -> judged result, written to forecasts/NAME/ and ops.forecasts.

    forecasts/NAME/forecast.csv    one row per series and period: forecast, lower, upper, model
    forecasts/NAME/backtest.csv    the judged windows: actual, forecast, interval, seasonal naive
    forecasts/NAME/forecaster/     the saved forecaster (store.py)

This is what `soloml forecast PROJECT` and `soloml forecast --table ...` call.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from soloml.errors import ConfigError, SolomlError
from soloml.forecasting.calendar import NOUN, Frequency, label
from soloml.forecasting.forecaster import Forecaster
from soloml.forecasting.journal import write_forecasts
from soloml.forecasting.recipes import core_series
from soloml.forecasting.result import ForecastResult, forecast_result
from soloml.forecasting.series import SeriesSet
from soloml.forecasting.store import save_forecaster
from soloml.forecasting.tables import table_series
from soloml.projects.recipes.table import is_file_path
from soloml.projects.spec import ForecastSettings, ProjectSpec, find_spec
from soloml.warehouse.names import table_name
from soloml.workspace import Workspace

DEFAULT_HORIZON: dict[str, int] = {"day": 28, "week": 13, "month": 12, "quarter": 4}
PERIOD_DAYS: dict[str, float] = {"day": 1, "week": 7, "month": 365.25 / 12, "quarter": 365.25 / 4}
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ForecastRun:
    """A forecast made in a workspace: the result, where it was written, and its run id."""

    result: ForecastResult
    run_id: str
    folder: Path | None

    @property
    def csv(self) -> Path | None:
        return self.folder / "forecast.csv" if self.folder else None

    def to_facts(self) -> dict[str, Any]:
        out = self.result.to_facts()
        out["run_id"] = self.run_id
        out["files"] = {"folder": str(self.folder), "csv": str(self.csv), "backtest": str(self.folder / "backtest.csv"), "forecaster": str(self.folder / "forecaster")} if self.folder else {}
        return out


@dataclass(frozen=True)
class Settings:
    horizon: int | None = None
    level: float = 0.8
    metric: str = "wape"
    threshold: float | None = None
    miss_tolerance: float = 0.1
    miss_cost: float | None = None
    models: tuple[str, ...] = ()
    holidays: tuple[Any, ...] = ()


def forecast_table(
    ws: Workspace, table: str, date_column: str, value_column: str, *, by: Sequence[str] = (), frequency: Frequency | None = None,
    agg: str = "sum", settings: Settings = Settings(), n_jobs: int = 1, progress: Callable[[int, int], None] | None = None, save: bool = True,
) -> ForecastRun:
    """The quick path: any table with a date and a value column (and optional series-id columns)."""
    stem = Path(table).stem if is_file_path(table) else table.split(".")[-1]
    name = table_name(f"{stem}_{value_column}")
    with ws.connect() as con:
        series = table_series(con, table, date_column, value_column, by=tuple(by), frequency=frequency, agg=agg)
    return _run(ws, name, series, settings, n_jobs=n_jobs, progress=progress, save=save)


def forecast_project(ws: Workspace, project: str, *, n_jobs: int = 1, progress: Callable[[int, int], None] | None = None, save: bool = True) -> ForecastRun:
    """A `recipe: forecast` project: its series, horizon and done line come from projects/PROJECT.yaml."""
    spec = find_spec(ws.projects_dir, project)
    if spec.recipe != "forecast":
        raise ConfigError(f"Project '{spec.name}' uses recipe '{spec.recipe}', not 'forecast'.", hint=f"Use `soloml train {spec.name}` for it.")
    block = spec.forecast or ForecastSettings()
    with ws.connect() as con:
        series = project_series(con, spec, block, currency=spec.business.currency)
    settings, notes = project_settings(spec, block, series.frequency)
    run = _run(ws, spec.name, series, settings, n_jobs=n_jobs, progress=progress, save=save, extra_notes=notes)
    return run


def spec_series(con: Any, spec: ProjectSpec) -> SeriesSet:
    """The series a forecast project's forecast uses (what `soloml check` judges before any forecast is made)."""
    return project_series(con, spec, spec.forecast or ForecastSettings(), currency=spec.business.currency)


def project_series(con: Any, spec: ProjectSpec, block: ForecastSettings, *, currency: str) -> SeriesSet:
    if block.series != "table":
        return core_series(con, block.series, frequency=block.frequency or "month", by=tuple(block.by), currency=currency)
    missing = [k for k in ("table", "date_column", "value_column") if getattr(block, k) is None]
    if missing:
        raise ConfigError(f"Project '{spec.name}': forecast.series is 'table' but forecast.{missing[0]} is not set.",
                          hint="Set forecast.table, forecast.date_column and forecast.value_column in the project YAML.")
    return table_series(con, block.table, block.date_column, block.value_column, by=tuple(block.by), frequency=block.frequency, agg=block.agg)  # type: ignore[arg-type]


def project_settings(spec: ProjectSpec, block: ForecastSettings, frequency: Frequency) -> tuple[Settings, list[str]]:
    """The spec's forecast settings; the horizon from forecast.horizon, else label.horizon_days in periods."""
    notes = []
    from_label = max(1, math.ceil(spec.label.horizon_days / PERIOD_DAYS[frequency]))
    horizon = block.horizon or from_label
    if block.horizon and from_label != block.horizon and "horizon_days" in spec.label.model_fields_set:
        notes.append(f"forecast.horizon ({block.horizon} {NOUN[frequency]}s) is used; label.horizon_days ({spec.label.horizon_days}) is not.")
    return Settings(horizon, block.level, spec.done.metric, spec.done.value, block.miss_tolerance, block.miss_cost, tuple(block.models), tuple(block.holidays)), notes


def _run(ws: Workspace, name: str, series: SeriesSet, settings: Settings, *, n_jobs: int, progress, save: bool, extra_notes: Sequence[str] = ()) -> ForecastRun:
    run_id = f"forecast-{uuid.uuid4().hex[:12]}"
    started = _now()
    horizon = settings.horizon or DEFAULT_HORIZON[series.frequency]
    try:
        forecaster = Forecaster(horizon, level=settings.level, models=settings.models or None, holidays=settings.holidays, n_jobs=n_jobs, progress=progress)
        forecaster.fit(series)
        result = forecast_result(forecaster, name=name, metric=settings.metric, threshold=settings.threshold,
                                 miss_tolerance=settings.miss_tolerance, miss_cost=settings.miss_cost)
        result = _with_notes(result, [*extra_notes, *_holiday_note(settings, forecaster)])
        folder = _write(ws, name, forecaster, result) if save else None
    except SolomlError as exc:
        if save:
            _log(ws, run_id, name, started, "failed", None, str(exc), {})
        raise
    if save:
        details = {"verdict": result.verdict.decision, "metric": result.metric, "value": result.accuracy.value, "baseline": result.accuracy.baseline,
                   "horizon": horizon, "frequency": series.frequency, "series": len(series.ids), "last_period": label(series.last, series.frequency)}
        _log(ws, run_id, name, started, "succeeded", len(result.forecasts), None, details, result)
    return ForecastRun(result, run_id, folder)


def _holiday_note(settings: Settings, forecaster: Forecaster) -> list[str]:
    if settings.holidays and not any("lightgbm" in c.members for c in forecaster.choices_.values()):
        return [f"The {len(settings.holidays)} holiday date(s) were not used: only the LightGBM global model reads them and it was not chosen."]
    return []


def _with_notes(result: ForecastResult, notes: list[str]) -> ForecastResult:
    from dataclasses import replace

    return replace(result, notes=(*result.notes, *notes)) if notes else result


def _write(ws: Workspace, name: str, forecaster: Forecaster, result: ForecastResult) -> Path:
    folder = ws.path("forecasts", name)
    folder.mkdir(parents=True, exist_ok=True)
    save_forecaster(forecaster, folder / "forecaster")
    f = result.series.frequency
    forecast = result.forecasts.assign(period=lambda d: d["ds"].map(lambda ts: label(ts, f)), level=result.level)
    _csv(forecast[["unique_id", "period", "step", "forecast", "lower", "upper", "level", "model"]].rename(columns={"unique_id": "series"}), folder / "forecast.csv")
    backtest = result.backtest.assign(period=lambda d: d["ds"].map(lambda ts: label(ts, f)), origin=lambda d: d["origin"].map(lambda ts: label(ts, f)))
    _csv(backtest[["unique_id", "origin", "period", "step", "actual", "forecast", "lower", "upper", "model", "baseline", "baseline_model"]]
         .rename(columns={"unique_id": "series"}), folder / "backtest.csv")
    return folder


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """Write whole or not at all; a series id that a spreadsheet would run as a formula is quoted."""
    frame = frame.assign(series=frame["series"].map(lambda s: f"'{s}" if str(s).startswith(FORMULA_START) else s))
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)


def _log(ws: Workspace, run_id: str, project: str, started: datetime, status: str, rows: int | None, error: str | None,
         details: dict[str, Any], result: ForecastResult | None = None) -> None:
    """ops.runs (and, for a success, ops.forecasts) in one transaction."""
    with ws.connect() as con:
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO ops.runs (run_id, project, kind, model_version, started_at, finished_at, status, rows, error, details) "
            "VALUES (?, ?, 'forecast', NULL, ?, ?, ?, ?, ?, ?)",
            [run_id, project, started, _now(), status, rows, error, json.dumps(details, default=str)],
        )
        if result is not None:
            write_forecasts(con, result.forecasts, run_id=run_id, project=project, frequency=result.series.frequency, level=result.level, made_at=started)
        con.execute("COMMIT")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
