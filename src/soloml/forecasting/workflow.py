"""Forecast in a workspace: series -> Forecaster -> judged result, written to forecasts/NAME/ and ops.forecasts.

    forecasts/NAME/forecast.csv    one row per series and period: forecast, lower, upper, model
    forecasts/NAME/backtest.csv    the judged windows: actual, forecast, interval, seasonal naive
    forecasts/NAME/forecaster/     the saved forecaster (store.py)
    forecasts/NAME/latest.json     the newest forecast and the registry version that made it (shipping.py)

A project's forecaster is also registered as the project's next version in models/ (registry/forecasters.py);
`use="production"` re-forecasts with the promoted version instead of choosing again (shipping.reforecast).

This is what `soloml forecast PROJECT` and `soloml forecast --table ...` call.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
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
from soloml.forecasting.store import load_forecaster, save_forecaster
from soloml.forecasting.tables import table_series
from soloml.projects.recipes.table import is_file_path
from soloml.projects.spec import ForecastSettings, ProjectSpec, find_spec
from soloml.warehouse import ops
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
    model_version: str | None = None  # the registry version that made it (projects only)
    reused: bool = False  # re-forecast from a registered version (--use), not chosen afresh
    outputs: tuple[Any, ...] = ()  # write-back targets (deploy/writeback.WriteBack)

    @property
    def csv(self) -> Path | None:
        return self.folder / "forecast.csv" if self.folder else None

    def to_facts(self) -> dict[str, Any]:
        out = self.result.to_facts()
        out["run_id"] = self.run_id
        out["model_version"] = self.model_version
        out["reused"] = self.reused
        out["outputs"] = [{"target": o.target, "table": o.table, "rows": o.rows} for o in self.outputs]
        out["files"] = (
            {
                "folder": str(self.folder),
                "csv": str(self.csv),
                "backtest": str(self.folder / "backtest.csv"),
                "forecaster": str(self.folder / "forecaster"),
            }
            if self.folder
            else {}
        )
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
    ws: Workspace,
    table: str,
    date_column: str,
    value_column: str,
    *,
    by: Sequence[str] = (),
    frequency: Frequency | None = None,
    agg: str = "sum",
    settings: Settings = Settings(),
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    save: bool = True,
) -> ForecastRun:
    """The quick path: any table with a date and a value column (and optional series-id columns)."""
    stem = Path(table).stem if is_file_path(table) else table.split(".")[-1]
    name = table_name(f"{stem}_{value_column}")
    with ws.connect() as con:
        series = table_series(con, table, date_column, value_column, by=tuple(by), frequency=frequency, agg=agg)
    return _run(ws, name, series, settings, n_jobs=n_jobs, progress=progress, save=save)


def forecast_project(
    ws: Workspace,
    project: str,
    *,
    use: str | None = None,
    to: Sequence[str] = (),
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    save: bool = True,
) -> ForecastRun:
    """A `recipe: forecast` project: its series, horizon and done line come from projects/PROJECT.yaml.

    Without `use`, models are chosen and judged afresh and the forecaster is registered as the next version
    ('candidate'). With `use` (an alias such as 'production' or a version), that version's chosen models are
    refitted on the newest data. Either way the forecast goes to ops.forecasts, forecast.csv, latest.json and
    every write-back target (forecast.write_to, then `to`)."""
    spec = find_spec(ws.projects_dir, project)
    if spec.recipe != "forecast":
        raise ConfigError(
            f"Project '{spec.name}' uses recipe '{spec.recipe}', not 'forecast'.",
            hint=f"Use `soloml train {spec.name}` for it.",
        )
    block = spec.forecast or ForecastSettings()
    with ws.connect() as con:
        series = project_series(con, spec, block, currency=spec.business.currency)
    settings, notes = project_settings(spec, block, series.frequency)
    targets = (*block.write_to, *to) if save else ()
    run = _run(
        ws,
        spec.name,
        series,
        settings,
        n_jobs=n_jobs,
        progress=progress,
        save=save,
        extra_notes=notes,
        spec=spec,
        use=use,
        targets=targets,
    )
    return run


def spec_series(con: Any, spec: ProjectSpec) -> SeriesSet:
    """The series a forecast project's forecast uses (what `soloml check` judges before any forecast is made)."""
    return project_series(con, spec, spec.forecast or ForecastSettings(), currency=spec.business.currency)


def project_series(con: Any, spec: ProjectSpec, block: ForecastSettings, *, currency: str) -> SeriesSet:
    if block.series != "table":
        return core_series(
            con, block.series, frequency=block.frequency or "month", by=tuple(block.by), currency=currency
        )
    missing = [k for k in ("table", "date_column", "value_column") if getattr(block, k) is None]
    if missing:
        raise ConfigError(
            f"Project '{spec.name}': forecast.series is 'table' but forecast.{missing[0]} is not set.",
            hint="Set forecast.table, forecast.date_column and forecast.value_column in the project YAML.",
        )
    return table_series(
        con,
        block.table,
        block.date_column,
        block.value_column,
        by=tuple(block.by),
        frequency=block.frequency,
        agg=block.agg,
    )  # type: ignore[arg-type]


def project_settings(spec: ProjectSpec, block: ForecastSettings, frequency: Frequency) -> tuple[Settings, list[str]]:
    """The spec's forecast settings; the horizon from forecast.horizon, else label.horizon_days in periods."""
    notes = []
    from_label = max(1, math.ceil(spec.label.horizon_days / PERIOD_DAYS[frequency]))
    horizon = block.horizon or from_label
    if block.horizon and from_label != block.horizon and "horizon_days" in spec.label.model_fields_set:
        notes.append(
            f"forecast.horizon ({block.horizon} {NOUN[frequency]}s) is used; label.horizon_days ({spec.label.horizon_days}) is not."
        )
    return Settings(
        horizon,
        block.level,
        spec.done.metric,
        spec.done.value,
        block.miss_tolerance,
        block.miss_cost,
        tuple(block.models),
        tuple(block.holidays),
    ), notes


def _run(
    ws: Workspace,
    name: str,
    series: SeriesSet,
    settings: Settings,
    *,
    n_jobs: int,
    progress,
    save: bool,
    extra_notes: Sequence[str] = (),
    spec: ProjectSpec | None = None,
    use: str | None = None,
    targets: Sequence[str] = (),
) -> ForecastRun:
    from soloml.forecasting import shipping

    run_id = f"forecast-{uuid.uuid4().hex[:12]}"
    started = _now()
    horizon = settings.horizon or DEFAULT_HORIZON[series.frequency]
    version: str | None = None
    outputs: list[Any] = []
    try:
        if use is not None:
            forecaster, version, reuse_notes = _reuse(ws, name, series, use, spec, n_jobs=n_jobs, progress=progress)
        else:
            forecaster = Forecaster(
                horizon,
                level=settings.level,
                models=settings.models or None,
                holidays=settings.holidays,
                n_jobs=n_jobs,
                progress=progress,
            )
            forecaster.fit(series)
            reuse_notes = []
        result = forecast_result(
            forecaster,
            name=name,
            metric=settings.metric,
            threshold=settings.threshold,
            miss_tolerance=settings.miss_tolerance,
            miss_cost=settings.miss_cost,
        )
        result = _with_notes(result, [*reuse_notes, *extra_notes, *_holiday_note(settings, forecaster)])
        folder = _write(ws, name, forecaster, result) if save else None
        if save and spec is not None and use is None:
            from soloml.registry.forecasters import save_forecaster_version

            with ws.connect() as con:
                version = save_forecaster_version(
                    ws.models_dir,
                    name,
                    partial(save_forecaster, forecaster),
                    shipping.summary(result, spec, run_id),
                    con=con,
                )
        if targets:
            outputs = shipping.write_targets(
                targets,
                shipping.writeback_frame(result, run_id=run_id, project=name, version=version, made_at=started),
                project=name,
            )
    except SolomlError as exc:
        if save:
            _log(ws, run_id, name, started, "failed", None, str(exc), {}, version=version)
        raise
    if save:
        details = {
            "verdict": result.verdict.decision,
            "metric": result.metric,
            "value": result.accuracy.value,
            "baseline": result.accuracy.baseline,
            "horizon": result.horizon,
            "frequency": series.frequency,
            "series": len(series.ids),
            "last_period": label(series.last, series.frequency),
            "reused": use is not None,
            "outputs": [o.target for o in outputs],
        }
        _log(ws, run_id, name, started, "succeeded", len(result.forecasts), None, details, result, version=version)
        if folder is not None:
            shipping.write_latest(folder, result, run_id=run_id, version=version, made_at=started)
    return ForecastRun(result, run_id, folder, version, use is not None, tuple(outputs))


def _reuse(
    ws: Workspace, name: str, series: SeriesSet, use: str, spec: ProjectSpec | None, *, n_jobs: int, progress
) -> tuple[Forecaster, str, list[str]]:
    """The registered forecaster `use` of project `name`, refitted on `series` (its choices and calibration kept)."""
    from soloml.forecasting.shipping import reforecast
    from soloml.registry.forecasters import load_forecaster_version

    v = load_forecaster_version(ws.models_dir, name, use)
    forecaster = load_forecaster(v.files, verify=False)
    forecaster.n_jobs, forecaster.progress = n_jobs, progress
    notes = [
        f"Forecast with {name} {v.version} (its models were chosen and judged on {v.metadata.get('created_at', 'its save date')})."
    ]
    if spec is not None and v.metadata.get("spec_hash") not in (None, spec.spec_hash()):
        notes.append(
            f"projects/{name}.yaml changed since {v.version} was made; its horizon and models are {v.version}'s. Forecast without --use to apply the new spec."
        )
    return forecaster, v.version, notes + reforecast(forecaster, series)


def _holiday_note(settings: Settings, forecaster: Forecaster) -> list[str]:
    if settings.holidays and not any("lightgbm" in c.members for c in forecaster.choices_.values()):
        return [
            f"The {len(settings.holidays)} holiday date(s) were not used: only the LightGBM global model reads them and it was not chosen."
        ]
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
    _csv(
        forecast[["unique_id", "period", "step", "forecast", "lower", "upper", "level", "model"]].rename(
            columns={"unique_id": "series"}
        ),
        folder / "forecast.csv",
    )
    backtest = result.backtest.assign(
        period=lambda d: d["ds"].map(lambda ts: label(ts, f)), origin=lambda d: d["origin"].map(lambda ts: label(ts, f))
    )
    _csv(
        backtest[
            [
                "unique_id",
                "origin",
                "period",
                "step",
                "actual",
                "forecast",
                "lower",
                "upper",
                "model",
                "baseline",
                "baseline_model",
            ]
        ].rename(columns={"unique_id": "series"}),
        folder / "backtest.csv",
    )
    return folder


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """Write whole or not at all; a series id that a spreadsheet would run as a formula is quoted."""
    frame = frame.assign(series=frame["series"].map(lambda s: f"'{s}" if str(s).startswith(FORMULA_START) else s))
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, encoding="utf-8")
    tmp.replace(path)


def _log(
    ws: Workspace,
    run_id: str,
    project: str,
    started: datetime,
    status: str,
    rows: int | None,
    error: str | None,
    details: dict[str, Any],
    result: ForecastResult | None = None,
    *,
    version: str | None = None,
) -> None:
    """ops.runs (and, for a success, ops.forecasts) in one transaction."""
    with ws.connect() as con:
        con.execute("BEGIN")
        ops.record_run(
            con,
            run_id=run_id,
            project=project,
            kind="forecast",
            model_version=version,
            status=status,
            started_at=started,
            finished_at=_now(),
            rows=rows,
            error=error,
            details=details,
        )
        if result is not None:
            write_forecasts(
                con,
                result.forecasts,
                run_id=run_id,
                project=project,
                frequency=result.series.frequency,
                level=result.level,
                made_at=started,
            )
        con.execute("COMMIT")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
