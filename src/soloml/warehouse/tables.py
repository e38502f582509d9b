"""What is in the warehouse: every table with its row count, columns (and original headers), and last load."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.postgres_connection import PostgresConnection

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


def reads_files(con: Connection) -> bool:
    """Whether this warehouse's SQL reads a file by its path (DuckDB's read_csv / read_parquet): Postgres does not."""
    return not isinstance(con, PostgresConnection)


def describe(con: Connection, relation: str) -> list[tuple[str, str]]:
    """(column, type) of `relation` (a table, a file-reading function on DuckDB, or `(query) alias`), types named as
    DuckDB names them (BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP...) on either warehouse: DESCRIBE on DuckDB,
    PostgresConnection.describe on Postgres (which has no DESCRIBE)."""
    if isinstance(con, PostgresConnection):
        return con.describe(relation)
    return [(r[0], str(r[1]).upper()) for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _journal_has(con: Connection, column: str) -> bool:
    rows = con.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = 'loads' AND column_name = ?",
        [column],
    ).fetchall()
    return bool(rows[0][0])


def list_tables(con: Connection, *, schemas: tuple[str, ...] = DATA_SCHEMAS) -> list[TableInfo]:
    """Tables of `schemas` (raw, core, features by default), in schema then name order.

    Three queries whatever the number of tables (the dashboard's Data page runs this on every view): the
    columns of all of them, one exact `count(*)` per table in a single UNION ALL, and the last load of each.
    """
    placeholders = ", ".join("?" for _ in schemas)
    names = con.execute(
        f"SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ({placeholders}) "
        f"AND table_type = 'BASE TABLE' ORDER BY array_position(?, table_schema), table_name",
        [*schemas, list(schemas)],
    ).fetchall()
    if not names:
        return []
    qualified_names = [f"{schema}.{name}" for schema, name in names]
    columns: dict[str, list[tuple[str, str]]] = {q: [] for q in qualified_names}
    for schema, name, column, kind in con.execute(
        f"SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        f"WHERE table_schema IN ({placeholders}) ORDER BY table_schema, table_name, ordinal_position",
        [*schemas],
    ).fetchall():
        columns.setdefault(f"{schema}.{name}", []).append((column, kind))
    counts = dict(
        con.execute(
            " UNION ALL ".join(
                f"SELECT {i} AS i, count(*) AS n FROM {quote_ident(schema)}.{quote_ident(name)}"
                for i, (schema, name) in enumerate(names)
            )
        ).fetchall()
    )
    with_headers = _journal_has(con, "columns")
    last_of: dict[str, tuple] = {}
    for row in con.execute(
        f"SELECT target_table, load_id, source, finished_at, rows_loaded, rows_quarantined"
        f"{', headers, columns' if with_headers else ', NULL, NULL'} FROM ops.loads "
        f"WHERE status = 'loaded' AND target_table IN ({', '.join('?' for _ in qualified_names)}) "
        "QUALIFY row_number() OVER (PARTITION BY target_table ORDER BY finished_at DESC) = 1",
        qualified_names,
    ).fetchall():
        last_of[row[0]] = row[1:]
    out = []
    for i, qualified in enumerate(qualified_names):
        header_of: dict[str, str] = {}
        last_load = None
        last = last_of.get(qualified)
        if last:
            load_id, source, finished, loaded, quarantined, headers, cols = last
            if headers and cols:
                header_of = dict(zip(json.loads(cols), json.loads(headers), strict=False))
            last_load = LastLoad(load_id, source, finished, loaded, quarantined)
        infos = tuple(ColumnInfo(c, t, header_of.get(c)) for c, t in columns[qualified])
        out.append(TableInfo(qualified, int(counts.get(i, 0)), infos, last_load))
    return out
