"""The registry's second model kind: a forecaster, saved as a version like any model.

    models/<project>/v0003/
      metadata.json                kind: forecaster, verdict, metric, spec hash, lineage (series, periods, loads)
      forecaster/forecaster.json   the chosen models and their fitted parameters (forecasting/store.py)
      forecaster/*.parquet         history, forecasts and backtest; lightgbm_global.txt when chosen
      checksums.json               SHA-256 of metadata.json and of every forecaster file

It gets a version number, the 'candidate' alias, promotion and rollback exactly as a LightGBM model
does (store.save_version, aliases.py); `store.load_model` refuses it, `load_forecaster_version` reads it.
The registry never reads or writes the forecaster's own files: forecasting hands in the writer on save and
reads `ForecasterVersion.files` on load, so the registry knows nothing of a model kind but its folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from soloml._version import __version__
from soloml.errors import RegistryError
from soloml.registry.store import (
    CHECKSUMS_FILE,
    KIND_FORECASTER,
    METADATA_FILE,
    _finite,
    _json_default,
    kind_of,
    project_dir,
    save_version,
    verify,
)

FORECASTER_DIR = "forecaster"
FORECASTS_FILE = f"{FORECASTER_DIR}/forecasts.parquet"


@dataclass(frozen=True)
class ForecasterVersion:
    """A verified forecaster version: its folder and metadata; `files` holds the fitted models (forecasting/store.py)."""

    project: str
    version: str
    metadata: dict[str, Any]
    path: Path

    @property
    def files(self) -> Path:
        """The forecaster's own folder, written and read by forecasting/store.py (checksums verified already)."""
        return self.path / FORECASTER_DIR

    def forecasts(self) -> pd.DataFrame:
        """The forecasts made when this version was saved (unique_id, ds, step, forecast, lower, upper, model)."""
        return pd.read_parquet(self.path / FORECASTS_FILE)


def save_forecaster_version(
    models_dir: Path,
    project: str,
    write_files: Callable[[Path], None],
    summary: dict[str, Any],
    *,
    con: Any = None,
    note: str | None = None,
) -> str:
    """Save a fitted forecaster as the next version of `project` (registered as 'candidate'); returns the version.

    `write_files(folder)` writes the forecaster's own files into `folder` (forecasting/store.py does); the
    registry adds metadata and checksums around them. `summary` is what `soloml models` lists and lineage
    needs: verdict, metric, model_score, baseline_score, threshold, spec_hash, spec, lineage."""

    def write(folder: Path, version: str) -> None:
        write_files(folder / FORECASTER_DIR)
        metadata = {
            "format": 1,
            "kind": KIND_FORECASTER,
            "project": project,
            "version": version,
            "created_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
            "soloml_version": __version__,
            **summary,
        }
        (folder / METADATA_FILE).write_text(
            json.dumps(_finite(metadata), indent=2, ensure_ascii=False, default=_json_default, allow_nan=False),
            encoding="utf-8",
        )
        files = [
            METADATA_FILE,
            *sorted(f"{FORECASTER_DIR}/{p.name}" for p in (folder / FORECASTER_DIR).iterdir() if p.is_file()),
        ]
        sums = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in files}
        (folder / CHECKSUMS_FILE).write_text(json.dumps(sums, indent=2) + "\n", encoding="utf-8")

    return save_version(models_dir, project, write, con=con, note=note or f"forecast: {summary.get('verdict')}")


def load_forecaster_version(models_dir: Path, project: str, ref: str = "production") -> ForecasterVersion:
    """The forecaster `ref` (a version or an alias) of `project`, verified by SHA-256; a LightGBM model is refused."""
    from soloml.registry.aliases import resolve

    version = resolve(models_dir, project, ref)
    folder = project_dir(models_dir, project) / version
    verify(folder)
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"{folder / METADATA_FILE} cannot be read: {exc}.", hint=f"Forecast again: `soloml forecast {project}`."
        ) from exc
    if kind_of(metadata) != KIND_FORECASTER:
        raise RegistryError(
            f"{project} {version} is a {kind_of(metadata)} model, not a forecaster.",
            hint=f"Score it with `soloml score {project}`; a forecast project is made with `soloml forecast {project}`.",
        )
    return ForecasterVersion(project, version, metadata, folder)
