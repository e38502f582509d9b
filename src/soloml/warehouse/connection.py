"""Open the warehouse. The connection is always passed in, never global."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

from soloml.errors import WarehouseError
from soloml.sql_quoting import quote_ident as quote_ident  # re-exported: stages import it from here too
from soloml.warehouse.base import DATABASE_ERRORS as DATABASE_ERRORS  # re-exported
from soloml.warehouse.base import Connection, Warehouse
from soloml.warehouse.duckdb import DUCKDB_CONFIG as DUCKDB_CONFIG  # re-exported
from soloml.warehouse.migrations import SCHEMAS as SCHEMAS  # re-exported
from soloml.warehouse.migrations import migrate

MIGRATION_LOCK = 0x501_0313  # the advisory lock key soloml's migrations take on a shared (Postgres) warehouse

# Warehouse URL schemes and the module that opens each: its `open_connection(url, read_only=, lock_timeout=)`
# gives the connection stage code uses, and `open_warehouse(con, url)` the `base.Warehouse` over it.
BACKENDS = {
    "duckdb": "soloml.warehouse.duckdb",
    "postgresql": "soloml.warehouse.postgres",
    "postgres": "soloml.warehouse.postgres",
}


def scheme_of(target: str | Path) -> str:
    """'duckdb' for a path, ':memory:' or duckdb:///...; the URL scheme otherwise."""
    text = str(target)
    if "://" not in text or text.startswith("duckdb:///"):
        return "duckdb"
    return text.split("://", 1)[0].split("+", 1)[0].lower()


def _refuse(target: str | Path, scheme: str) -> WarehouseError:
    return WarehouseError(
        f"Warehouse URL '{target}' cannot be opened as the warehouse: '{scheme}' is not a warehouse soloml knows.",
        hint="Use a DuckDB file (warehouse: warehouse.duckdb) or a Postgres URL "
        "(warehouse: postgresql://user@host/db) in soloml.yaml or SOLOML_WAREHOUSE_URL.",
    )


def connect(target: str | Path = ":memory:", *, read_only: bool = False, lock_timeout: float = 15.0) -> Connection:
    """A connection to `target` with soloml's schemas, migrated: DuckDB for a file path, ':memory:' or
    duckdb:///path; a PostgresConnection for postgresql://user@host/db.

    DuckDB lets one process write a file at a time; a lock held by another process is waited out
    for up to `lock_timeout` seconds before giving up with a WarehouseError. A workspace made by an older
    release is brought up to date here (warehouse/migrations.py) unless opened read-only.

    >>> con = connect(":memory:")
    >>> con.execute("select count(*) from ops.loads").fetchone()
    (0,)
    """
    scheme = scheme_of(target)
    if scheme not in BACKENDS:
        raise _refuse(target, scheme)
    module = importlib.import_module(BACKENDS[scheme])
    con: Connection = module.open_connection(str(target), read_only=read_only, lock_timeout=lock_timeout)
    if not read_only:
        ensure_schemas(con)
    return con


def open_warehouse(target: str | Path = ":memory:", *, read_only: bool = False) -> Warehouse:
    """The warehouse at `target` behind the `base.Warehouse` interface (schemas ensured as by `connect`)."""
    scheme = scheme_of(target)
    if scheme not in BACKENDS:
        raise _refuse(target, scheme)
    module = importlib.import_module(BACKENDS[scheme])
    warehouse: Warehouse = module.open_warehouse(connect(target, read_only=read_only), str(target))
    return warehouse


def ensure_schemas(con: Connection) -> None:
    """Create soloml's schemas and bring ops.* to the current schema version.

    On Postgres two processes may open a new warehouse at once: an advisory lock makes the second wait for the
    first's migration instead of both creating the same schemas.
    """
    if isinstance(con, duckdb.DuckDBPyConnection):
        migrate(con)
        return
    with con.advisory_lock(MIGRATION_LOCK):
        migrate(con)


def table_exists(con: Connection, qualified: str) -> bool:
    schema, _, name = qualified.rpartition(".")
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema or "main", name],
    ).fetchall()
    row = row[0] if row else None
    return bool(row and row[0])
