"""A forecast project shipped like any model: registered, re-forecast from the promoted version, written back, served.

    soloml forecast revenue                     fit, judge, register as the next version ('candidate')
    soloml promote revenue v0003                (the registry, as for any model)
    soloml forecast revenue --use production    refit the promoted version's chosen models on the newest data
                                                (same choices, same calibration), no new version

Each run also writes forecasts/NAME/latest.json (what GET /v1/NAME/forecast serves when it was made by
the production version) and every write-back target (forecast.write_to in the spec, plus --to).
Orchestration only: it composes forecasting, the registry and deploy/staging.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from soloml.errors import ForecastError
from soloml.forecasting.calendar import label
from soloml.forecasting.forecaster import Forecaster
from soloml.forecasting.result import ForecastResult
from soloml.forecasting.series import SeriesSet

LATEST_FILE = "latest.json"
WRITEBACK_COLUMNS = (
    "run_id",
    "project",
    "model_version",
    "series_id",
    "period",
    "step",
    "forecast",
    "lower",
    "upper",
    "level",
    "model",
    "made_at",
)


def summary(result: ForecastResult, spec: Any, run_id: str) -> dict[str, Any]:
    """What the registry keeps beside a forecaster: the verdict and numbers `soloml models` lists, and lineage."""
    s, acc = result.series, result.accuracy
    frame = s.frame
    return {
        "task": "forecast",
        "verdict": result.verdict.decision,
        "metric": result.metric,
        "model_score": acc.value,
        "baseline_score": acc.baseline,
        "baseline_model": result.baseline_model,
        "threshold": result.threshold,
        "horizon": result.horizon,
        "frequency": s.frequency,
        "level": result.level,
        "coverage": acc.coverage,
        "spec_hash": spec.spec_hash(),
        "spec": spec.model_dump(mode="json"),
        "run_id": run_id,
        "lineage": {
            "series": s.name,
            "source": s.source,
            "by": list(s.by),
            "series_ids": sorted(map(str, s.ids)),
            "history_rows": len(frame),
            "first_period": label(frame["ds"].min(), s.frequency),
            "last_period": label(s.last, s.frequency),
        },
        "choices": {uid: {"model": c.model, "members": list(c.members)} for uid, c in result.choices.items()},
    }


def reforecast(forecaster: Forecaster, series: SeriesSet) -> list[str]:
    """Point a loaded forecaster at the newest series (the same recipe run again) and forecast: its chosen models are
    refitted on the new history; choices and interval calibration stay as they were judged. Returns notes."""
    old = forecaster.series_
    if series.frequency != old.frequency:
        raise ForecastError(
            f"The forecaster was made on {old.frequency}ly series; the project's series are now {series.frequency}ly.",
            hint="Forecast again without --use to choose and judge models for the new frequency.",
        )
    known = set(forecaster.choices_)
    ids = set(map(str, series.ids))
    notes = []
    new, gone = sorted(ids - known), sorted(known - ids)
    if not ids & known:
        raise ForecastError(
            f"None of the {len(ids)} series now in the data were in the forecaster (it knows {', '.join(sorted(known)[:5])}).",
            hint="Forecast again without --use to choose models for these series.",
        )
    if new:
        notes.append(
            f"{len(new)} series are new since this forecaster was made and are not forecast ({', '.join(new[:3])}): forecast again without --use."
        )
    if gone:
        notes.append(
            f"{len(gone)} series the forecaster knows have no rows now and are not forecast ({', '.join(gone[:3])})."
        )
        forecaster.choices_ = {k: v for k, v in forecaster.choices_.items() if k in ids}
    frame = series.frame[series.frame["unique_id"].astype(str).isin(known)].reset_index(drop=True)
    forecaster.series_ = replace(series, frame=frame)
    forecaster.forecast_ = forecaster.forecast()
    if old.last != series.last:
        notes.append(
            f"Re-forecast from {label(series.last, series.frequency)} with the models chosen on data up to {label(old.last, old.frequency)}."
        )
    return notes


def writeback_frame(
    result: ForecastResult, *, run_id: str, project: str, version: str | None, made_at: datetime
) -> pd.DataFrame:
    f = result.forecasts
    return pd.DataFrame(
        {
            "run_id": run_id,
            "project": project,
            "model_version": version,
            "series_id": f["unique_id"].astype(str),
            "period": pd.to_datetime(f["ds"]).dt.date,
            "step": f["step"].astype(int),
            "forecast": f["forecast"],
            "lower": f["lower"],
            "upper": f["upper"],
            "level": result.level,
            "model": f["model"],
            "made_at": made_at,
        }
    ).loc[:, list(WRITEBACK_COLUMNS)]


def default_table(project: str) -> str:
    return f"soloml_{project.replace('-', '_')}_forecasts"


def write_targets(targets: Sequence[str], frame: pd.DataFrame, *, project: str) -> list[Any]:
    """Stage every target first, then publish them all: a target that fails leaves every live table and file as it was."""
    from soloml.deploy.staging import StagedTable
    from soloml.deploy.writeback import plan_target

    staged = []
    try:
        for target in targets:
            done, stage = plan_target(target, table=default_table(project), project=project, rows=len(frame))
            stage.stage(frame, chunk_rows=5_000) if isinstance(stage, StagedTable) else stage.stage(frame)
            staged.append((done, stage))
    except BaseException:
        for _, stage in staged:
            _discard(stage)
        raise
    for _, stage in staged:
        stage.publish()
    return [done for done, _ in staged]


def _discard(stage: Any) -> None:
    try:
        stage.discard()
    except Exception:  # noqa: BLE001 - best effort; the live target was never touched
        pass


def write_latest(folder: Path, result: ForecastResult, *, run_id: str, version: str | None, made_at: datetime) -> Path:
    """forecasts/NAME/latest.json: the newest forecast and which registry version made it (what the service serves)."""
    facts = result.to_facts()
    body = {
        "project": result.name,
        "model_version": version,
        "run_id": run_id,
        "made_at": made_at.isoformat(timespec="seconds"),
        "frequency": result.series.frequency,
        "level": result.level,
        "unit": result.series.unit,
        "currency": result.series.currency,
        "series": sorted(map(str, result.series.ids)),
        "forecasts": facts["forecasts"],
        "totals": facts["totals"],
    }
    path = folder / LATEST_FILE
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(body, indent=2, default=str, allow_nan=False), encoding="utf-8")
    tmp.replace(path)
    return path


def served_forecast(models_dir: Path, root: Path | None, project: str) -> dict[str, Any]:
    """The production forecaster's latest forecast: latest.json when that version made it, else the forecast saved with it."""
    from soloml.registry.forecasters import load_forecaster_version

    v = load_forecaster_version(models_dir, project, "production")
    if root is not None:
        path = Path(root) / "forecasts" / project / LATEST_FILE
        try:
            latest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            latest = None
        if isinstance(latest, dict) and latest.get("model_version") == v.version:
            return {**latest, "source": "latest run"}
    meta, frequency = v.metadata, v.metadata.get("frequency", "month")
    rows = [
        {
            "series": str(r["unique_id"]),
            "period": label(r["ds"], frequency),
            "step": int(r["step"]),
            "forecast": _num(r["forecast"]),
            "lower": _num(r["lower"]),
            "upper": _num(r["upper"]),
            "model": r["model"],
        }
        for r in v.forecasts().to_dict("records")
    ]
    return {
        "project": project,
        "model_version": v.version,
        "run_id": meta.get("run_id"),
        "made_at": meta.get("created_at"),
        "frequency": frequency,
        "level": meta.get("level"),
        "series": sorted({r["series"] for r in rows}),
        "forecasts": rows,
        "totals": [],
        "source": "saved with the version",
    }


def _num(x: Any) -> float | None:
    x = float(x)
    return x if x == x and abs(x) != float("inf") else None
