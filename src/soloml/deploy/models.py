"""The models a running service holds, and the watcher that swaps in a newly promoted one.

Each project's production model is loaded once into a `ServedModel` (booster, request model, encoder,
reason writer, the latest batch's feature rows for look-ups by id). A background thread checks every
`watch_seconds` whether `models/<project>/aliases.json` or the latest scored features changed (by
stat, not by reading on every request) and, if so, builds a fresh `ServedModel` and swaps it in with
one dict assignment; requests in flight keep the one they started with.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, TypeAdapter

from soloml.deploy.contrib import PathContributions, predicted_class_contributions
from soloml.deploy.frame import feature_matrix
from soloml.deploy.reasons import ReasonWriter, model_stats
from soloml.deploy.schema import RowEncoder, request_model
from soloml.deploy.singlerow import PREDICT_LEAF_INDEX, SingleRow
from soloml.errors import DeployError, SolomlError

MAX_BATCH = 1000
ALIAS = "production"


def scoring_dir(root: Path, project: str) -> Path:
    """Where `soloml score` keeps the latest run's feature rows (read by the service for look-ups by id)."""
    return root / "scoring" / project


@dataclass
class ServedModel:
    """Everything the hot path needs for one project, built once per model version."""

    project: str
    version: str
    model: Any  # soloml.registry.LoadedModel
    request: type[BaseModel]
    many: TypeAdapter
    encoder: RowEncoder
    reasons: ReasonWriter
    paths: PathContributions | None
    single: SingleRow | None
    single_leaf: SingleRow | None
    threshold: float | None
    task: str
    loaded_at: str
    lookup: dict[str, int] = field(default_factory=dict)
    lookup_matrix: np.ndarray | None = None
    lookup_run: dict[str, Any] = field(default_factory=dict)

    def predict(self, X: np.ndarray) -> np.ndarray:
        scores = self.model.booster.predict(X, num_threads=1)
        return scores.max(axis=1) if scores.ndim == 2 else scores

    def classes_of(self, X: np.ndarray) -> tuple[np.ndarray, list[Any], np.ndarray]:
        """Multiclass: (probability of the predicted class, the class, n x K probabilities)."""
        probs = np.asarray(self.model.booster.predict(X, num_threads=1)).reshape(len(X), -1)
        best = probs.argmax(axis=1)
        names = list(getattr(self.model, "classes", None) or range(probs.shape[1]))
        return probs[np.arange(len(X)), best], [names[i] for i in best.tolist()], probs

    def predict_explain(self, X: np.ndarray, how: str) -> tuple[np.ndarray, list[list[str]]]:
        """Scores and top reasons per row: 'fast' path contributions, 'exact' TreeSHAP, 'none' skips them.

        With 'fast' one booster call (pred_leaf) yields both: the contributions add up to the raw score.
        One row goes through LightGBM's C single-row API when it was verified for this model.
        Multiclass: the score is the predicted class's probability and the reasons explain that class.
        """
        if self.task == "multiclass":
            scores, _, probs = self.classes_of(X)
            if how == "none":
                return scores, [[] for _ in range(len(X))]
            contrib = predicted_class_contributions(
                self.model.booster.predict(X, pred_contrib=True, num_threads=1), probs
            )
            return scores, self.reasons.rows(X, contrib)
        if len(X) == 1:
            row = X[0]
            if how == "none" and self.single is not None:
                out = self.single(row)
                return np.array([out.max() if len(out) > 1 else out[0]]), [[]]
            if (
                how == "fast"
                and self.single_leaf is not None
                and self.paths is not None
                and self.paths.link is not None
            ):
                contrib, raw = self.paths.one(self.single_leaf(row))
                return self.paths.link(np.array([raw])), [self.reasons.one(row, contrib)]
        if how == "none":
            return self.predict(X), [[] for _ in range(len(X))]
        if how == "fast" and self.paths is not None:
            contrib = self.paths.contributions(self.model.booster, X)
            scores = self.paths.score(contrib) if self.paths.link is not None else self.predict(X)
            return scores, self.reasons.rows(X, contrib)
        contrib = self.model.booster.predict(X, pred_contrib=True, num_threads=1)
        return self.predict(X), self.reasons.rows(X, contrib)

    def describe(self) -> dict[str, Any]:
        meta = getattr(self.model, "metadata", {}) or {}
        sig = self.model.signature
        return {
            "project": self.project,
            "model_version": self.version,
            "task": self.task,
            "threshold": self.threshold,
            "created_at": meta.get("created_at"),
            "verdict": meta.get("verdict"),
            "loaded_at": self.loaded_at,
            "features": [
                {
                    "name": n,
                    "type": sig.dtypes.get(n),
                    "description": sig.describe(n),
                    **({"categories": sig.categories[n]} if n in sig.categories else {}),
                }
                for n in sig.names
            ],
            "entities_for_lookup": len(self.lookup),
            "lookup_run": self.lookup_run or None,
        }


def build_served(project: str, model: Any, root: Path | None) -> ServedModel:
    sig = model.signature
    req = request_model(project, sig)
    paths = PathContributions.from_booster(model.booster)
    served = ServedModel(
        project=project,
        version=model.version,
        model=model,
        request=req,
        many=TypeAdapter(_many(req)),
        encoder=RowEncoder(sig),
        reasons=ReasonWriter(sig, model_stats(model)),
        paths=paths,
        single=SingleRow.create(model.booster),
        single_leaf=SingleRow.create(model.booster, PREDICT_LEAF_INDEX) if paths is not None else None,
        threshold=None if getattr(model, "threshold", None) is None else float(model.threshold),
        task=str(getattr(model, "task", "binary")),
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    if root is not None:
        attach_lookup(served, root)
    return served


def _many(req: type[BaseModel]) -> Any:
    from typing import Annotated

    return Annotated[list[req], Field(min_length=1, max_length=MAX_BATCH)]  # type: ignore[valid-type]


def attach_lookup(served: ServedModel, root: Path) -> None:
    """Load the latest scored feature rows (if any) as an encoded matrix keyed by entity id."""
    folder = scoring_dir(root, served.project)
    path = folder / "features.parquet"
    if not path.is_file():
        return
    import pandas as pd

    frame = pd.read_parquet(path)
    try:
        matrix = feature_matrix(served.model.signature, frame)
    except SolomlError:
        return  # the scored rows came from another feature set; look-ups wait for the next `soloml score`
    served.lookup = {str(e): i for i, e in enumerate(frame["entity_id"].astype(str))}
    served.lookup_matrix = matrix
    run = folder / "run.json"
    served.lookup_run = json.loads(run.read_text(encoding="utf-8")) if run.is_file() else {}


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class ModelStore:
    """The production models of every project under `models_dir`, kept current by a watcher thread."""

    def __init__(
        self,
        models_dir: Path,
        *,
        root: Path | None = None,
        projects: tuple[str, ...] | None = None,
        watch_seconds: float = 0.5,
    ) -> None:
        self.models_dir = Path(models_dir)
        self.root = root
        self.only = projects
        self.watch_seconds = watch_seconds
        self.served: dict[str, ServedModel] = {}
        self.forecasters: dict[
            str, str
        ] = {}  # project -> production version of a forecaster (served at GET /v1/{project}/forecast)
        self.errors: dict[str, str] = {}
        self._seen: dict[str, tuple[Any, Any]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refresh()

    def project_names(self) -> list[str]:
        if self.only:
            return list(self.only)
        return sorted(p.parent.name for p in self.models_dir.glob("*/aliases.json"))

    def refresh(self) -> list[str]:
        """Reload what changed on disk; returns the projects whose model or look-up rows were swapped."""
        from soloml.registry import load_model, resolve
        from soloml.registry.store import KIND_FORECASTER, kind_of, read_metadata

        changed = []
        for project in self.project_names():
            aliases = _stat(self.models_dir / project / "aliases.json")
            features = _stat(scoring_dir(self.root, project) / "run.json") if self.root else None
            stamp = (aliases, features)
            if self._seen.get(project) == stamp:
                continue
            current = self.served.get(project)
            try:
                version = resolve(self.models_dir, project, ALIAS)
                if kind_of(read_metadata(self.models_dir, project, version)) == KIND_FORECASTER:
                    # a forecaster has no rows to score: its forecast route reads it per request
                    self.served.pop(project, None)
                    self.forecasters[project] = version
                    self.errors.pop(project, None)
                    self._seen[project] = stamp
                    changed.append(project)
                    continue
                self.forecasters.pop(project, None)
                if current is not None and current.version == version:
                    if features != self._seen.get(project, (None, None))[1] and self.root is not None:
                        fresh = build_served(project, current.model, self.root)
                        self.served[project] = fresh
                        changed.append(project)
                else:
                    self.served[project] = build_served(project, load_model(self.models_dir, project, ALIAS), self.root)
                    changed.append(project)
                self.errors.pop(project, None)
                self._seen[project] = stamp
            except Exception as exc:  # noqa: BLE001 - no production model yet, a refused version, a bad file: that project only
                self.errors[project] = (
                    str(exc)
                    if isinstance(exc, SolomlError)
                    else f"{project} could not be loaded: {type(exc).__name__}: {exc}"
                )
                if current is None:
                    self._seen.pop(project, None)
        return changed

    def get(self, project: str) -> ServedModel:
        served = self.served.get(project)
        if served is None:
            from soloml.errors import did_you_mean

            known = sorted(self.served)
            why = f" ({self.errors[project]})" if project in self.errors else ""
            raise DeployError(
                f"No production model for project '{project}'{why}.{did_you_mean(project, known)}"
                + (f" Served projects: {', '.join(known)}." if known else " No project has a production model yet."),
                hint="Train it with `soloml train PROJECT` and promote it with `soloml promote PROJECT VERSION`.",
            )
        return served

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="soloml-model-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _watch(self) -> None:
        while not self._stop.wait(self.watch_seconds):
            try:
                self.refresh()
            except Exception as exc:  # noqa: BLE001 - the watcher must outlive one bad refresh
                self.errors["*"] = f"refresh failed: {exc}"
                time.sleep(self.watch_seconds)
