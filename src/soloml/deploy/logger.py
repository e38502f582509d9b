"""The prediction log of the service: a bounded queue on the request path, batched writes off it.

A request calls `PredictionLogger.log`. The writer thread keeps up with the service: it writes as soon as
`batch_rows` rows are queued (and at least every `flush_seconds` otherwise), each write taking everything
queued (up to `max_batch`), so the batch grows with the request rate and the log's throughput stays above
the service's. If the queue is full anyway, the request waits up to `max_wait` for room (back-pressure:
the service slows down rather than loses rows); only when waiting cannot help (the writer is not running
or cannot write, e.g. another process holds the warehouse) is the row dropped at once, and counted.

DuckDB lets one process hold a database file for writing at a time. So the writer opens the warehouse
for each batch and closes it straight after, and leaves at least `gap_seconds` between writes, which
keeps the file free for the CLI (`soloml score`, `soloml promote`) in between. If another process holds
the file, the batch is kept and retried; rows keep queueing (and drop with a count once the queue is full).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from soloml.errors import SolomlError

POSTGRES_SCHEMES = ("postgresql://", "postgres://")  # a warehouse URL the log writes to over a connection

# ops.predictions column order (warehouse/connection.py)
COLUMNS = (
    "run_id",
    "project",
    "model_version",
    "entity_id",
    "score",
    "decision",
    "rank",
    "top_reasons",
    "scored_at",
    "origin",
)
_TYPES = (
    pa.string(),
    pa.string(),
    pa.string(),
    pa.string(),
    pa.float64(),
    pa.bool_(),
    pa.int32(),
    pa.string(),
    pa.timestamp("us"),
    pa.string(),
)

Row = tuple[str, str, str, str | None, float, bool | None, int | None, str, datetime, str]


@dataclass(frozen=True)
class LogStats:
    """Counters of the prediction log, shown by GET /ready."""

    logged: int
    dropped: int
    pending: int
    failed_writes: int
    last_error: str | None


class PredictionLogger:
    """Bounded queue + one writer thread appending to ops.predictions of `warehouse` (a DuckDB file, or a Postgres URL)."""

    def __init__(
        self,
        warehouse: str | Path,
        *,
        max_queue: int = 50_000,
        batch_rows: int = 2_000,
        max_batch: int = 50_000,
        flush_seconds: float = 2.0,
        gap_seconds: float = 0.05,
        max_wait: float = 1.0,
    ) -> None:
        self.warehouse = str(warehouse)
        self.batch_rows = batch_rows
        self.max_batch = max(max_batch, batch_rows)
        self.flush_seconds = flush_seconds
        self.gap_seconds = gap_seconds
        self.max_wait = max_wait
        self._queue: queue.Queue[Row] = queue.Queue(maxsize=max_queue)
        self._carry: list[Row] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._writing = False  # the writer runs and its last write succeeded: waiting for room helps
        self._logged = 0
        self._dropped = 0
        self._failed = 0
        self._last_error: str | None = None
        self._schemas_ready = False

    def log(self, row: Row) -> bool:
        """Queue one prediction; waits (at most `max_wait`) for room while the writer is writing; False if dropped."""
        try:
            self._queue.put_nowait(row)
        except queue.Full:
            self._wake.set()
            try:
                if not self._writing:
                    raise
                self._queue.put(row, timeout=self.max_wait)
            except queue.Full:
                self._dropped += 1
                return False
        if self._queue.qsize() >= self.batch_rows:
            self._wake.set()
        return True

    def start(self) -> None:
        if self._thread is None:
            self._stop.clear()
            self._writing = True
            self._thread = threading.Thread(target=self._run, name="soloml-prediction-log", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the writer after a last flush (retrying a locked file until `timeout`)."""
        if self._thread is None:
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self._thread = None
        self._writing = False
        deadline = time.monotonic() + timeout
        while (self._carry or not self._queue.empty()) and time.monotonic() < deadline:
            if not self.flush():
                time.sleep(0.1)

    @property
    def stats(self) -> LogStats:
        return LogStats(
            self._logged, self._dropped, self._queue.qsize() + len(self._carry), self._failed, self._last_error
        )

    def flush(self) -> bool:
        """Write what is queued now (up to `max_batch` rows); False when the warehouse could not be written (rows are kept)."""
        while len(self._carry) < self.max_batch:
            try:
                self._carry.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not self._carry:
            return True
        try:
            self._write(self._carry)
        except (SolomlError, Exception) as exc:  # noqa: BLE001 - a locked or broken file must not kill the writer
            self._failed += 1
            self._last_error = str(exc)
            return False
        self._logged += len(self._carry)
        self._carry = []
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            if self._queue.qsize() < self.batch_rows:
                self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self._writing = self.flush()
            self._stop.wait(self.gap_seconds if self._writing else self.flush_seconds)

    def _write(self, rows: list[Row]) -> None:
        import duckdb

        from soloml.warehouse import ops
        from soloml.warehouse.connection import DUCKDB_CONFIG, connect

        columns = list(zip(*rows, strict=False))
        table = pa.table(
            {name: pa.array(values, type=kind) for name, values, kind in zip(COLUMNS, columns, _TYPES, strict=False)}
        )
        if self.warehouse.startswith(POSTGRES_SCHEMES):  # a shared server: no file to keep free, one connection a batch
            pg = connect(self.warehouse)
            try:
                ops.insert_frame(pg, "predictions", table, exprs={"top_reasons": '"top_reasons"::JSON'})
            finally:
                pg.close()
            return
        if not self._schemas_ready:  # once: create ops.* if this is a fresh file; later batches only insert
            connect(self.warehouse, lock_timeout=0).close()  # busy: fail now, the next round retries
            self._schemas_ready = True
        con = duckdb.connect(self.warehouse, config=dict(DUCKDB_CONFIG))
        try:
            ops.insert_frame(
                con, "predictions", table, exprs={"top_reasons": '"top_reasons"::JSON'}
            )  # one statement a batch
        finally:
            con.close()
