"""The load journal `ops.loads`: one row per load attempt.

A load writes its row as `running` (committed) before it reads anything, and turns it into `loaded` inside
the load's own transaction, or into `failed` after a rollback. A row still `running` from another process is
a load that was killed: the next load marks it `interrupted` (DuckDB lets one process write a warehouse file
at a time, so that process is gone or no longer loading).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from soloml.warehouse import ops
from soloml.warehouse.base import Connection
from soloml.warehouse.migrations import converge

# This process, as `ops.loads.run_by` records it; the token tells apart processes that reuse a pid (containers).
PROCESS_TOKEN = secrets.token_hex(4)
PROCESS = f"{socket.gethostname()}:{os.getpid()}:{PROCESS_TOKEN}"
INTERRUPTED = (
    "interrupted: the process running this load stopped (killed or crashed) before it finished; "
    "nothing of it was written. Run the load again."
)


def utcnow() -> datetime:
    """Naive UTC now, the warehouse's convention for timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def new_load_id(now: datetime | None = None) -> str:
    """A sortable, readable id: 'L20240115T093210-3f9a1c'."""
    now = now or utcnow()
    return f"L{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def ensure_journal(con: Connection) -> None:
    """Columns added to ops.loads / ops.quarantine after the first release: ops.SCHEMA declares them, converge adds them."""
    converge(con)


@dataclass(frozen=True)
class PreviousLoad:
    load_id: str
    target_table: str | None
    finished_at: datetime | None
    rows_loaded: int | None
    vendor_object: str | None = None  # what the file was recognised as then (None: landed in raw only)
    detected_name: str | None = None  # the raw table the detector chose (None: named after the file or --as)


def same_loads(con: Connection, sha256: str, requested_as: str | None) -> list[PreviousLoad]:
    """Earlier successful loads of the same content (same sha256, same --as), newest first."""
    rows = con.execute(
        """
        SELECT load_id, target_table, finished_at, rows_loaded, json_extract_string(detection, '$.vendor_object'),
               nullif(json_extract_string(detection, '$.name'), '')
        FROM ops.loads WHERE sha256 = ? AND status = 'loaded' AND requested_as IS NOT DISTINCT FROM ?
        ORDER BY finished_at DESC
        """,
        [sha256, requested_as],
    ).fetchall()
    return [PreviousLoad(*row) for row in rows]


@dataclass(frozen=True)
class JournalEntry:
    load_id: str
    source: str
    sha256: str | None
    target_table: str | None
    detected_format: str | None
    started_at: datetime
    status: str
    requested_as: str | None = None
    rows_in: int | None = None
    rows_loaded: int | None = None
    rows_quarantined: int | None = None
    rows_skipped: int | None = None
    error: str | None = None
    headers: list[str] | None = None
    columns: list[str] | None = None
    detection: dict[str, Any] | None = None
    core_rows: dict[str, int] | None = None
    notes: list[str] = field(default_factory=list)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


_COLUMNS = (
    "source",
    "sha256",
    "target_table",
    "detected_format",
    "rows_in",
    "rows_loaded",
    "rows_quarantined",
    "started_at",
    "finished_at",
    "status",
    "error",
    "requested_as",
    "rows_skipped",
    "headers",
    "columns",
    "detection",
    "core_rows",
    "notes",
)


def _values(entry: JournalEntry) -> dict[str, Any]:
    """The outcome columns of `entry`, by name (JSON already text: non-ASCII headers stay readable in the table)."""
    return dict(
        zip(
            _COLUMNS,
            [
                entry.source,
                entry.sha256,
                entry.target_table,
                entry.detected_format,
                entry.rows_in,
                entry.rows_loaded,
                entry.rows_quarantined,
                entry.started_at,
                utcnow(),
                entry.status,
                entry.error,
                entry.requested_as,
                entry.rows_skipped,
                _json(entry.headers),
                _json(entry.columns),
                _json(entry.detection),
                _json(entry.core_rows),
                _json(entry.notes or None),
            ],
            strict=True,
        )
    )


def record(con: Connection, entry: JournalEntry) -> None:
    """Insert one finished journal row (the caller owns the transaction)."""
    ops.insert(con, "loads", load_id=entry.load_id, **_values(entry), run_by=PROCESS)


def start(con: Connection, entries: list[JournalEntry]) -> None:
    """Write `running` rows for loads about to begin, committed at once so a killed load leaves its trace."""
    con.begin()
    for entry in entries:
        ops.insert(
            con,
            "loads",
            load_id=entry.load_id,
            source=entry.source,
            sha256=entry.sha256,
            detected_format=entry.detected_format,
            started_at=entry.started_at,
            status="running",
            requested_as=entry.requested_as,
            run_by=PROCESS,
        )
    con.commit()


def finish(con: Connection, entry: JournalEntry) -> None:
    """Turn a `running` row into its outcome (the caller owns the transaction)."""
    ops.update(con, "loads", {"load_id": entry.load_id}, **_values(entry))


def forget(con: Connection, load_id: str) -> None:
    """Drop the `running` row of a load that turned out to be a no-op (the same data again)."""
    ops.delete(con, "loads", load_id=load_id, status="running")


@dataclass(frozen=True)
class InterruptedLoad:
    load_id: str
    source: str
    started_at: datetime | None
    run_by: str | None


def mark_interrupted(con: Connection) -> tuple[InterruptedLoad, ...]:
    """Mark every `running` row of another process as `interrupted` (nothing of it was committed) and list them."""
    ensure_journal(con)
    rows = con.execute(
        "SELECT load_id, source, started_at, run_by FROM ops.loads WHERE status = 'running' AND run_by IS DISTINCT FROM ? ORDER BY started_at",
        [PROCESS],
    ).fetchall()
    now = utcnow()
    for row in rows:  # the rows just read: one process writes the file at a time, so none can change between
        ops.update(
            con,
            "loads",
            {"load_id": row[0], "status": "running"},
            status="interrupted",
            error=INTERRUPTED,
            finished_at=now,
        )
    return tuple(InterruptedLoad(*row) for row in rows)
