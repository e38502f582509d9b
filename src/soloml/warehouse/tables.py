"""What is in the warehouse: every table with its row count, columns (and original headers), and last load."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

DATA_SCHEMAS = ("raw", "core", "features")


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str
    header: str | None  # the header in the loaded file, for raw tables


@dataclass(frozen=True)
class LastLoad:
    load_id: str
    source: str
    finished_at: datetime | None
    rows_loaded: int | None
    rows_quarantined: int | None


@dataclass(frozen=True)
class TableInfo:
    table: str  # 'raw.stripe_payments'
    rows: int
    columns: tuple[ColumnInfo, ...]
    last_load: LastLoad | None


def _journal_has(con: Connection, column: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = 'loads' AND column_name = ?",
        [column],
    ).fetchall()
    return bool(rows[0][0])


def list_tables(con: Connection, *, schemas: tuple[str, ...] = DATA_SCHEMAS) -> list[TableInfo]:
    """Tables of `schemas` (raw, core, features by default), in schema then name order."""
    placeholders = ", ".join("?" for _ in schemas)
    names = con.execute(
        f"SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ({placeholders}) "
        f"AND table_type = 'BASE TABLE' ORDER BY array_position(?, table_schema), table_name",
        [*schemas, list(schemas)],
    ).fetchall()
    with_headers = _journal_has(con, "columns")
    out = []
    for schema, name in names:
        qualified = f"{schema}.{name}"
        cols = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
        rows = con.execute(f"SELECT count(*) FROM {quote_ident(schema)}.{quote_ident(name)}").fetchall()[0][0]
        last = con.execute(
            f"SELECT load_id, source, finished_at, rows_loaded, rows_quarantined{', headers, columns' if with_headers else ', NULL, NULL'} "
            "FROM ops.loads WHERE target_table = ? AND status = 'loaded' ORDER BY finished_at DESC LIMIT 1",
            [qualified],
        ).fetchall()
        header_of: dict[str, str] = {}
        last_load = None
        if last:
            load_id, source, finished, loaded, quarantined, headers, columns = last[0]
            if headers and columns:
                header_of = dict(zip(json.loads(columns), json.loads(headers), strict=False))
            last_load = LastLoad(load_id, source, finished, loaded, quarantined)
        infos = tuple(ColumnInfo(c, t, header_of.get(c)) for c, t in cols)
        out.append(TableInfo(qualified, int(rows), infos, last_load))
    return out
