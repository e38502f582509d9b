"""`POST /v1/experiments/{name}/assign` for the prediction service: which variant a unit gets, logged as an exposure.

The service (deploy/) knows nothing of experiments; `soloml serve` mounts this router beside the
predict routes. Assignment is the same pure hash as `soloml experiment assign`, so a unit gets the
same variant from the batch job and from the service. Exposures are written off the request path:
a bounded queue drained by one background thread that opens the warehouse only to write a batch. When the
process exits (the service stopped, Ctrl-C), the thread is stopped between batches and what is still queued is
written: a thread killed inside a DuckDB call aborted the whole process, and the last second's exposures were lost.

A request is checked in the predict routes' order (deploy/edge.py): the API key first, then the name
(letters, digits, `_ . -`, at most 100 characters: nothing else reaches the file system), then the body
(JSON, at most 4 MB); error bodies never echo the input.
"""

from __future__ import annotations

import atexit
import queue
import re
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field, ValidationError

from soloml.deploy.edge import JSON, Answer, Edge, clipped, dump, edge_of, header, problem, validation_errors
from soloml.errors import ExperimentError, SolomlError
from soloml.experiments.assignment import assign, log_exposures
from soloml.experiments.spec import ExperimentSpec, find_experiment
from soloml.warehouse.connection import connect

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
NAME_PATTERN = f"^{NAME.pattern}$"


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
        self._stop = threading.Event()

    def log(self, experiment: str, unit_id: str, variant: str) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="soloml-exposure-log", daemon=True)
                self._thread.start()
                atexit.register(self.close)
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

    def close(self, timeout: float = 10.0) -> int:
        """Stop the background thread (after the batch it is writing) and write what is still queued; returns
        the rows written now. Runs at exit; safe to call more than once."""
        self._stop.set()
        with self._lock:
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        written = self.flush()
        atexit.unregister(self.close)
        return written

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
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

    async def answer(request: Request) -> Answer:
        edge = _edge(request)
        headers = request.scope["headers"]
        denied = edge.refused(header(headers, b"x-api-key")) or edge.unsupported(header(headers, b"content-type"))
        if denied is not None:
            return denied
        name = request.path_params["name"]
        if not NAME.fullmatch(name):
            return problem(
                422,
                f"'{clipped(name, 40)}' is not an experiment name: use letters, digits, '_', '.' or '-' (at most 100 characters).",
            )
        body = await edge.body(request.receive, header(headers, b"content-length"))
        if isinstance(body, tuple):
            return body
        try:
            unit = AssignRequest.model_validate_json(body).unit_id
        except ValidationError as exc:
            return dump({"detail": validation_errors(exc)}, 422)
        try:
            spec = spec_for(name)
        except ExperimentError as exc:
            return problem(404, edge.shown(str(exc)))
        except SolomlError as exc:  # the experiment's YAML is broken: the service's problem, said plainly
            return problem(503, edge.shown(f"Experiment '{name}' cannot be used: {exc}"))
        variant = assign(spec, unit)
        if log is not None:
            log.log(spec.name, unit, variant)
        return dump(AssignResponse(experiment=spec.name, unit_id=unit, variant=variant).model_dump())

    @router.post(
        "/v1/experiments/{name}/assign",
        response_model=AssignResponse,
        responses={
            401: {"description": "Missing or wrong API key."},
            404: {"description": "No such experiment."},
            413: {"description": "The body is larger than 4 MB."},
            415: {"description": "The body is not JSON."},
            422: {"description": "The name or the body is not valid; says which."},
        },
        openapi_extra=_openapi_extra(),
    )
    async def assign_unit(request: Request) -> Response:
        """The variant this unit gets in experiment NAME (stable: same answer as `soloml experiment assign`); logged as an exposure."""
        try:
            status, payload = await answer(request)
        except Exception as exc:  # noqa: BLE001 - answer, never drop the connection
            status, payload = problem(500, _edge(request).shown(f"Assignment failed: {type(exc).__name__}: {exc}"))
        return Response(payload, status_code=status, media_type=JSON)

    router.exposure_log = log  # type: ignore[attr-defined]  # for tests and shutdown flushes
    return router


def _edge(request: Request) -> Edge:
    return edge_of(request.app)


def _openapi_extra() -> dict[str, Any]:
    """The name parameter and the body as the route checks them (they are read by hand, after the key)."""
    return {
        "parameters": [
            {
                "name": "name",
                "in": "path",
                "required": True,
                "description": "The experiment (experiments/NAME.yaml).",
                "schema": {"type": "string", "pattern": NAME_PATTERN, "maxLength": 100},
            }
        ],
        "requestBody": {"required": True, "content": {JSON: {"schema": AssignRequest.model_json_schema()}}},
    }
