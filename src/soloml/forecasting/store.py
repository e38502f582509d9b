"""A fitted Forecaster on disk, in open formats only (no pickle), and back.

    forecaster.json        settings, each series' chosen model, its fitted form and parameters, the
                           interval calibration, library versions and a SHA-256 of every file
    history.parquet        the series the models were fitted on
    forecasts.parquet      the forecasts made at save time
    backtest.parquet       the judged backtest windows
    lightgbm_global.txt    the shared LightGBM model, in LightGBM's text format (when one was chosen)

Loading refits the chosen statistical models on the stored history (their fits are deterministic) and
reads the LightGBM model from its text, then checks the re-forecast equals forecasts.parquet.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ForecastError
from soloml.forecasting.calendar import SEASON
from soloml.forecasting.forecaster import Forecaster, SeriesChoice
from soloml.forecasting.lightgbm_global import GlobalModel, GlobalSpec
from soloml.forecasting.series import SeriesSet

FORMAT = "soloml.forecaster/1"
META = "forecaster.json"
GLOBAL_FILE = "lightgbm_global.txt"
LIBRARIES = ("soloml", "statsforecast", "lightgbm", "numpy")


def save_forecaster(forecaster: Forecaster, folder: Path | str) -> Path:
    """Write `forecaster` to `folder` (replacing what is there only once everything is written)."""
    folder = Path(folder)
    tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        frames = {
            "history.parquet": forecaster.series_.frame,
            "forecasts.parquet": forecaster.forecast_,
            "backtest.parquet": forecaster.backtest_,
        }
        for name, frame in frames.items():
            frame.to_parquet(tmp / name, index=False)
        if forecaster.global_ is not None:
            (tmp / GLOBAL_FILE).write_text(forecaster.global_.text, encoding="utf-8")
        meta = _metadata(forecaster)
        meta["files"] = {p.name: _sha256(p) for p in sorted(tmp.iterdir())}
        (tmp / META).write_text(json.dumps(meta, indent=2, allow_nan=False, default=_json_default), encoding="utf-8")
        _swap(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def load_forecaster(folder: Path | str, *, verify: bool = True) -> Forecaster:
    """A Forecaster from `folder`; with `verify`, re-forecast and check the numbers equal the saved ones."""
    folder = Path(folder)
    path = folder / META
    if not path.is_file():
        raise ForecastError(
            f"{folder} holds no saved forecaster ({META} is missing).",
            hint="Point at the folder `soloml forecast` wrote (forecaster/).",
        )
    meta = json.loads(path.read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ForecastError(
            f"{path} is format {meta.get('format')!r}; this soloml reads {FORMAT!r}.",
            hint="Forecast again to write it in this version's format.",
        )
    for name, digest in meta["files"].items():
        if not (folder / name).is_file() or _sha256(folder / name) != digest:
            raise ForecastError(
                f"{folder / name} is missing or changed since it was saved (its SHA-256 differs).",
                hint="Forecast again to write a fresh copy.",
            )
    forecaster = _rebuild(folder, meta)
    if verify:
        again = forecaster.forecast()
        saved = forecaster.forecast_
        columns = ["forecast", "lower", "upper"]
        if len(again) != len(saved) or not np.array_equal(
            again[columns].to_numpy(), saved[columns].to_numpy(), equal_nan=True
        ):
            raise ForecastError(
                f"The forecaster in {folder} no longer reproduces its saved forecasts.",
                hint=f"It was saved with {meta['versions']}; this machine has {_versions()}. Forecast again with this one.",
            )
    return forecaster


def _metadata(f: Forecaster) -> dict[str, Any]:
    s = f.series_
    return {
        "format": FORMAT,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "settings": {
            "horizon": f.horizon,
            "level": f.level,
            "models": list(f.models or []),
            "allowed": list(f.allowed_),
            "holidays": [str(h) for h in f.holidays],
        },
        "series": {
            "frequency": s.frequency,
            "name": s.name,
            "unit": s.unit,
            "currency": s.currency,
            "source": s.source,
            "by": list(s.by),
            "non_negative": s.non_negative,
            "additive": s.additive,
            "notes": list(s.notes),
        },
        "notes": list(f.notes_),
        "choices": {uid: asdict(c) for uid, c in f.choices_.items()},
        "global": f.global_.spec.to_json() if f.global_ is not None else None,
    }


def _rebuild(folder: Path, meta: dict[str, Any]) -> Forecaster:
    settings, s = meta["settings"], meta["series"]
    f = Forecaster(
        settings["horizon"],
        level=settings["level"],
        models=settings["models"] or None,
        holidays=tuple(settings["holidays"]),
    )
    history = pd.read_parquet(folder / "history.parquet")
    f.series_ = SeriesSet(
        history,
        s["frequency"],
        s["name"],
        s["unit"],
        s["currency"],
        s["source"],
        tuple(s["by"]),
        s["non_negative"],
        tuple(s["notes"]),
        s["additive"],
    )
    f.season_ = SEASON[s["frequency"]]
    f.allowed_ = tuple(settings["allowed"])
    f.notes_ = list(meta["notes"])
    f.choices_ = {uid: _choice(c) for uid, c in meta["choices"].items()}
    f.global_ = (
        GlobalModel(GlobalSpec.from_json(meta["global"]), (folder / GLOBAL_FILE).read_text(encoding="utf-8"))
        if meta["global"]
        else None
    )
    f.forecast_ = pd.read_parquet(folder / "forecasts.parquet")
    f.backtest_ = pd.read_parquet(folder / "backtest.parquet")
    return f


def _choice(c: dict[str, Any]) -> SeriesChoice:
    return SeriesChoice(
        c["model"],
        tuple(c["members"]),
        c["tier"],
        c["reason"],
        c["windows"],
        c["scores"],
        c["q"],
        c["n_scores"],
        c["scale"],
        c["fitted"],
        c["form_length"],
        c.get("forms", {}),  # saved before forms were kept: refit choosing the form again, as then
    )


def _swap(tmp: Path, folder: Path) -> None:
    old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _versions() -> dict[str, str]:
    out = {}
    for name in LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")
