"""The load journal `ops.loads`: one row per load attempt, written in the load's transaction (or after its rollback)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import duckdb

# Columns added to ops.loads / ops.quarantine after the first release; older warehouses get them on first load.
_EXTRA_COLUMNS = (
    ("ops.loads", "requested_as", "VARCHAR"),
    ("ops.loads", "rows_skipped", "BIGINT"),
    ("ops.loads", "headers", "JSON"),
    ("ops.loads", "columns", "JSON"),
    ("ops.loads", "detection", "JSON"),
    ("ops.loads", "core_rows", "JSON"),
    ("ops.loads", "notes", "JSON"),
    ("ops.quarantine", "source", "VARCHAR"),
)


def utcnow() -> datetime:
    """Naive UTC now, the warehouse's convention for timestamps."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_load_id(now: datetime | None = None) -> str:
    """A sortable, readable id: 'L20240115T093210-3f9a1c'."""
    now = now or utcnow()
    return f"L{now:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


def ensure_journal(con: duckdb.DuckDBPyConnection) -> None:
    for table, column, sql_type in _EXTRA_COLUMNS:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}")


@dataclass(frozen=True)
class PreviousLoad:
    load_id: str
    target_table: str | None
    finished_at: datetime | None
    rows_loaded: int | None
    vendor_object: str | None = None  # what the file was recognised as then (None: landed in raw only)


def find_same_load(con: duckdb.DuckDBPyConnection, sha256: str, requested_as: str | None) -> PreviousLoad | None:
    """The last successful load of the same content (same sha256, same --as), if any."""
    rows = con.execute(
        """
        SELECT load_id, target_table, finished_at, rows_loaded, json_extract_string(detection, '$.vendor_object') FROM ops.loads
        WHERE sha256 = ? AND status = 'loaded' AND requested_as IS NOT DISTINCT FROM ?
        ORDER BY finished_at DESC LIMIT 1
        """,
        [sha256, requested_as],
    ).fetchall()
    if not rows:
        return None
    load_id, target, finished, loaded, vendor_object = rows[0]
    return PreviousLoad(load_id, target, finished, loaded, vendor_object)


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


def record(con: duckdb.DuckDBPyConnection, entry: JournalEntry) -> None:
    """Insert one journal row (the caller owns the transaction)."""
    con.execute(
        """
        INSERT INTO ops.loads (load_id, source, sha256, target_table, detected_format, rows_in, rows_loaded,
            rows_quarantined, started_at, finished_at, status, error, requested_as, rows_skipped, headers, columns,
            detection, core_rows, notes)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            entry.load_id, entry.source, entry.sha256, entry.target_table, entry.detected_format, entry.rows_in,
            entry.rows_loaded, entry.rows_quarantined, entry.started_at, utcnow(), entry.status, entry.error,
            entry.requested_as, entry.rows_skipped, _json(entry.headers), _json(entry.columns),
            _json(entry.detection), _json(entry.core_rows), _json(entry.notes or None),
        ],
    )
