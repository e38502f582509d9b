"""`POST /v1/experiments/{name}/assign` for the prediction service: which variant a unit gets, logged as an exposure.

The service (deploy/) knows nothing of experiments; `soloml serve` mounts this router beside the
predict routes. Assignment is the same pure hash as `soloml experiment assign`, so a unit gets the
same variant from the batch job and from the service. Exposures are written off the request path:
a bounded queue drained by one background thread that opens the warehouse only to write a batch.
"""

from __future__ import annotations

import hmac
import queue
import threading
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from soloml.errors import ExperimentError
from soloml.experiments.assignment import assign, log_exposures
from soloml.experiments.spec import ExperimentSpec, find_experiment
from soloml.warehouse.connection import connect


class AssignRequest(BaseModel):
    unit_id: str = Field(..., min_length=1, max_length=512, description="The unit to assign, e.g. a customer id.")


class AssignResponse(BaseModel):
    experiment: str
    unit_id: str
    variant: str


class ExposureLog:
    """Bounded queue of (experiment, unit_id, variant); a daemon thread writes batches to ops.exposures."""

    def __init__(self, warehouse: str | Path, *, max_queue: int = 10_000, flush_seconds: float = 1.0) -> None:
        self.warehouse = str(warehouse)
        self.flush_seconds = flush_seconds
        self.dropped = 0
        self._queue: queue.Queue[tuple[str, str, str]] = queue.Queue(maxsize=max_queue)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def log(self, experiment: str, unit_id: str, variant: str) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="soloml-exposure-log", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((experiment, unit_id, variant))
        except queue.Full:
            self.dropped += 1

    def flush(self) -> int:
        """Write everything queued now; returns rows written (0 when the warehouse is busy: they are retried)."""
        batch: list[tuple[str, str, str]] = []
        while True:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not batch:
            return 0
        by_experiment: dict[str, dict[str, str]] = {}
        for experiment, unit, variant in batch:
            by_experiment.setdefault(experiment, {}).setdefault(unit, variant)
        try:
            con = connect(self.warehouse, lock_timeout=0)
        except Exception:  # noqa: BLE001 - another process holds the file: keep the rows for the next round
            for row in batch:
                try:
                    self._queue.put_nowait(row)
                except queue.Full:
                    self.dropped += 1
            return 0
        try:
            return sum(log_exposures(con, name, units, origin="service") for name, units in by_experiment.items())
        finally:
            con.close()

    def _run(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.flush_seconds):
            self.flush()


def experiment_router(experiments_dir: Path, warehouse: str | Path | None) -> APIRouter:
    """The assign route over a workspace's experiments/ folder (specs re-read when their file changes)."""
    router = APIRouter(tags=["experiments"])
    log = ExposureLog(warehouse) if warehouse else None
    cache: dict[str, tuple[float, ExperimentSpec]] = {}

    def spec_for(name: str) -> ExperimentSpec:
        path = experiments_dir / f"{name}.yaml"
        mtime = path.stat().st_mtime if path.is_file() else -1.0
        hit = cache.get(name)
        if hit is None or hit[0] != mtime:
            cache[name] = (mtime, find_experiment(experiments_dir, name))
        return cache[name][1]

    @router.post(
        "/v1/experiments/{name}/assign",
        response_model=AssignResponse,
        responses={401: {"description": "Missing or wrong API key."}, 404: {"description": "No such experiment."}},
    )
    async def assign_unit(name: str, body: AssignRequest, request: Request) -> AssignResponse | JSONResponse:
        """The variant this unit gets in experiment NAME (stable: same answer as `soloml experiment assign`); logged as an exposure."""
        expected = getattr(request.app.state, "api_key", None)
        given = request.headers.get("x-api-key")
        if expected and not (given and hmac.compare_digest(given.encode(), expected.encode())):
            return JSONResponse({"detail": "Missing or wrong API key: send it in the X-API-Key header."}, status_code=401)
        try:
            spec = spec_for(name)
        except ExperimentError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        variant = assign(spec, body.unit_id)
        if log is not None:
            log.log(spec.name, body.unit_id, variant)
        return AssignResponse(experiment=spec.name, unit_id=body.unit_id, variant=variant)

    router.exposure_log = log  # type: ignore[attr-defined]  # for tests and shutdown flushes
    return router
