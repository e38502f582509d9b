"""The model store: one folder per version, plain files, verified on load.

    models/<project>/
      aliases.json                 {"production": "v0002", "candidate": "v0003"}
      v0001/model.txt              LightGBM text format (never a pickle)
      v0001/metadata.json          spec hash, training summary, load ids, signature, metrics, verdict, ...
      v0001/checksums.json         SHA-256 of model.txt and metadata.json
      v0004/forecaster/...         a forecaster's files (forecasting/store.py), when metadata.json says kind: forecaster

Every version has a *kind* in metadata.json: `lightgbm` (a booster in model.txt; an entry without the
field is one, as every version written before kinds existed) or `forecaster` (registry/forecasters.py).
Whatever loads a booster checks the kind first and refuses a forecaster with a clear error.

A version folder is written under a temporary name and renamed into place, so a crash never leaves a
half-written version. A file whose SHA-256 no longer matches is refused with a RegistryError.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml._version import __version__
from soloml.crashpoints import pause_at
from soloml.errors import RegistryError
from soloml.modeling.explain import reasons as explain_reasons
from soloml.modeling.result import TrainResult
from soloml.modeling.signature import FeatureSignature
from soloml.registry.consistency import check_metadata

MODEL_FILE = "model.txt"
METADATA_FILE = "metadata.json"
CHECKSUMS_FILE = "checksums.json"
VERSION_RE = re.compile(r"v(\d{4,})")  # use fullmatch
FORMAT = 1
KIND_LIGHTGBM = "lightgbm"
KIND_FORECASTER = "forecaster"
KINDS = (KIND_LIGHTGBM, KIND_FORECASTER)


def kind_of(metadata: Mapping[str, Any]) -> str:
    """The version's kind; an entry written before kinds existed is a LightGBM model."""
    return str(metadata.get("kind") or KIND_LIGHTGBM)


@dataclass(frozen=True)
class LoadedModel:
    """A verified model version, ready to predict. Needs only soloml and lightgbm."""

    project: str
    version: str
    booster: lgb.Booster
    signature: FeatureSignature
    task: str
    threshold: float | None
    metadata: dict[str, Any]
    path: Path

    @property
    def classes(self) -> list[Any]:
        return list(self.metadata.get("classes") or [])

    def prepare(self, df: pd.DataFrame) -> pd.DataFrame:
        """Columns in model order; categories with the training categories (unknown -> NaN)."""
        return self.signature.prepare(df)

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """Probability of the positive class (binary), the value (regression), n x K probabilities (multiclass)."""
        return np.asarray(self.booster.predict(self.signature.matrix(df)))

    def reasons(self, df: pd.DataFrame, top: int = 3) -> list[list[str]]:
        """Per row, the top reasons in plain words: 'failed payments in the last 30 days: 2 (typical: 0)'."""
        return explain_reasons(
            self.booster,
            self.prepare(df),
            self.signature,
            self.metadata.get("feature_stats", {}),
            self.task,
            n_classes=max(2, len(self.classes)),
            top=top,
        )


def project_dir(models_dir: Path, project: str) -> Path:
    """models/<project>; a name that would step outside models/ ('..', 'a/b') is refused."""
    if not project or project in (".", "..") or any(c in project for c in "/\\\0"):
        raise RegistryError(
            f"'{project}' is not a project name: it would point outside {models_dir}.",
            hint="Use the project's name, e.g. churn.",
        )
    return Path(models_dir) / project


def versions(models_dir: Path, project: str) -> list[str]:
    """Saved versions of `project`, oldest first."""
    folder = project_dir(models_dir, project)
    if not folder.is_dir():
        return []
    found = [p.name for p in folder.iterdir() if p.is_dir() and VERSION_RE.fullmatch(p.name)]
    return sorted(found, key=lambda v: int(v[1:]))


def projects(models_dir: Path) -> list[str]:
    root = Path(models_dir)
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and versions(root, p.name))


def save_model(models_dir: Path, result: TrainResult, *, con: Any = None, note: str | None = None) -> str:
    """Write `result` as the next version of its project, register it as 'candidate', and return the version."""
    return save_version(
        models_dir,
        result.project,
        lambda folder, version: _write_files(folder, result, version),
        con=con,
        note=note or f"trained: {result.verdict.decision}",
    )


def save_version(
    models_dir: Path, project: str, write: Callable[[Path, str], None], *, con: Any = None, note: str | None = None
) -> str:
    """The next version number of `project`: `write(folder, version)` fills a staging folder, which is renamed into place
    (atomic) and registered as 'candidate'. Shared by every model kind."""
    from soloml.registry.aliases import set_alias

    folder = project_dir(models_dir, project)
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder / f".staging-{os.getpid()}-{uuid.uuid4().hex}"  # the pid tells recovery whether its writer is gone
    staging.mkdir()
    try:
        for attempt in range(100):
            existing = versions(models_dir, project)
            number = int(existing[-1][1:]) + 1 if existing else 1
            version = f"v{number:04d}"
            write(staging, version)
            pause_at("train.staged")
            try:
                os.rename(staging, folder / version)  # atomic; fails if another process took the number
                break
            except OSError:
                if attempt == 99:
                    raise
        else:  # pragma: no cover - the loop always breaks or raises
            raise RegistryError(f"Could not find a free version number in {folder}.")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    pause_at("train.saved")
    set_alias(con, models_dir, project, "candidate", version, action="register", note=note)
    return version


def _write_files(folder: Path, result: TrainResult, version: str) -> None:
    model_text = result.booster.model_to_string()
    metadata = build_metadata(result, version)
    files = {
        MODEL_FILE: model_text.encode("utf-8"),
        METADATA_FILE: json.dumps(
            _finite(metadata), indent=2, ensure_ascii=False, default=_json_default, allow_nan=False
        ).encode("utf-8"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    (folder / CHECKSUMS_FILE).write_text(json.dumps(checksums, indent=2) + "\n", encoding="utf-8")


def build_metadata(result: TrainResult, version: str) -> dict[str, Any]:
    """Everything a later stage or a person needs to know about a model, as plain JSON."""
    summary = result.summary(version)
    return {
        "format": FORMAT,
        "kind": KIND_LIGHTGBM,
        **summary,
        "created_at": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "soloml_version": __version__,
        "lightgbm_version": lgb.__version__,
        "spec_hash": result.spec_hash,
        "spec": result.spec.model_dump(mode="json"),
        "load_ids": list(result.load_ids),
        "classes": list(result.classes),
        "signature": result.signature.to_dict(),
        "feature_stats": result.feature_stats,
        "reference": result.reference,
        "importance": [
            {
                "name": f.name,
                "description": f.description,
                "gain_share": f.gain_share,
                "mean_abs_contribution": f.mean_abs_contribution,
            }
            for f in result.importance
        ],
        "params": result.params,
        "tuned_params": result.tuned_params,
        "seed": result.seed,
    }


def _finite(value: Any) -> Any:
    """NaN and infinity (a metric that could not be computed) become null: metadata.json stays strict JSON."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    if isinstance(value, float | np.floating) and not np.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _finite(value.item())
    return value


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def load_model(models_dir: Path, project: str, ref: str = "production") -> LoadedModel:
    """The model `ref` (a version like 'v0003' or an alias like 'production') of `project`, verified by SHA-256."""
    from soloml.registry.aliases import resolve

    version = resolve(models_dir, project, ref)
    folder = project_dir(models_dir, project) / version
    verify(folder)
    where = f"{project} {version} ({folder / METADATA_FILE})"
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        model_text = (folder / MODEL_FILE).read_text(encoding="utf-8") if kind_of(metadata) == KIND_LIGHTGBM else ""
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"Model {where} cannot be used: {exc}.",
            hint="Train a new version (`soloml train PROJECT`) or promote another.",
        ) from exc
    if kind_of(metadata) != KIND_LIGHTGBM:
        raise RegistryError(
            f"{project} {version} is a {kind_of(metadata)}, not a LightGBM model, so it cannot score rows.",
            hint=f"Forecast with it: `soloml forecast {project} --use {ref}`; serve its forecast at GET /v1/{project}/forecast.",
        )
    check_metadata(metadata, model_text, where=where)
    try:
        booster = lgb.Booster(model_str=model_text)
    except lgb.basic.LightGBMError as exc:
        raise RegistryError(
            f"{folder / MODEL_FILE} is not a readable LightGBM model: {exc}.", hint="Train a new version."
        ) from exc
    threshold = metadata["threshold"]
    return LoadedModel(
        project=project,
        version=version,
        booster=booster,
        signature=FeatureSignature.from_dict(metadata["signature"]),
        task=metadata["task"],
        threshold=None if threshold is None else float(threshold),
        metadata=metadata,
        path=folder,
    )


def verify(folder: Path) -> None:
    """Refuse a version whose files changed since they were saved (or are missing).

    metadata.json is checked first; its kind says which files must be there: model.txt for a LightGBM
    model, every file checksums.json lists (and at least one besides metadata.json) for a forecaster."""
    sums_path = folder / CHECKSUMS_FILE
    if not sums_path.is_file():
        raise RegistryError(
            f"{sums_path} is missing, so {folder} cannot be verified; refusing to load it.",
            hint="Train and save a new version.",
        )
    try:
        recorded: Mapping[str, str] = json.loads(sums_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RegistryError(
            f"{sums_path} is not valid JSON; refusing to load {folder}.", hint="Train and save a new version."
        ) from exc
    if not isinstance(recorded, dict):
        raise RegistryError(
            f"{sums_path} should map file names to SHA-256 digests; refusing to load {folder}.",
            hint="Train and save a new version.",
        )
    _check_file(folder, METADATA_FILE, recorded)
    try:
        kind = kind_of(json.loads((folder / METADATA_FILE).read_text(encoding="utf-8")))
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
        kind = KIND_LIGHTGBM  # load_model names what is wrong with the metadata
    if kind not in KINDS:
        raise RegistryError(
            f"{folder / METADATA_FILE} says kind '{kind}', which this soloml does not know (it knows {', '.join(KINDS)}).",
            hint="Upgrade soloml, or promote another version.",
        )
    names = [MODEL_FILE] if kind == KIND_LIGHTGBM else sorted(n for n in recorded if n != METADATA_FILE)
    if not names:
        raise RegistryError(
            f"{sums_path} lists no files of the {kind} besides metadata.json; refusing to load {folder.name}.",
            hint="Forecast again to save a new version.",
        )
    for name in names:
        _check_file(folder, name, recorded)


def _check_file(folder: Path, name: str, recorded: Mapping[str, str]) -> None:
    path = folder / name
    if ".." in Path(name).parts or Path(name).is_absolute():
        raise RegistryError(
            f"{folder / CHECKSUMS_FILE} names '{name}', outside the version folder; refusing to load {folder.name}.",
            hint="Train and save a new version.",
        )
    if not path.is_file():
        raise RegistryError(f"{path} is missing; refusing to load {folder.name}.", hint="Train and save a new version.")
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    if recorded.get(name) != actual:
        raise RegistryError(
            f"{path} does not match its recorded SHA-256 (expected {str(recorded.get(name))[:12]}..., found {actual[:12]}...): "
            "it changed after it was saved, so soloml refuses to load it.",
            hint="Restore the original file, or train a new version (`soloml train PROJECT`) and promote it.",
        )


def read_metadata(models_dir: Path, project: str, version: str) -> dict[str, Any]:
    path = project_dir(models_dir, project) / version / METADATA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
