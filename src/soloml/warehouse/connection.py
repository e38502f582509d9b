"""Open the warehouse. The connection is always passed in, never global."""

from __future__ import annotations

import importlib
from pathlib import Path

from soloml.errors import WarehouseError
from soloml.sql_quoting import quote_ident as quote_ident  # re-exported: stages import it from here too
from soloml.warehouse.base import Connection, Warehouse
from soloml.warehouse.duckdb import DUCKDB_CONFIG as DUCKDB_CONFIG  # re-exported
from soloml.warehouse.duckdb import open_connection
from soloml.warehouse.migrations import SCHEMAS as SCHEMAS  # re-exported
from soloml.warehouse.migrations import migrate

# Warehouse URL schemes and the module that opens each. The Postgres warehouse (issue 18) will be one more line
# here and one new file, warehouse/postgres.py, with an `open_warehouse(url)` returning a `base.Warehouse`.
BACKENDS = {"duckdb": "soloml.warehouse.duckdb"}
NOT_YET = {
    "postgresql": "the Postgres warehouse is issue 18's (scale-out) and not built yet",
    "postgres": "the Postgres warehouse is issue 18's (scale-out) and not built yet",
}


def scheme_of(target: str | Path) -> str:
    """'duckdb' for a path, ':memory:' or duckdb:///...; the URL scheme otherwise."""
    text = str(target)
    if "://" not in text or text.startswith("duckdb:///"):
        return "duckdb"
    return text.split("://", 1)[0].split("+", 1)[0].lower()


def _refuse(target: str | Path, scheme: str) -> WarehouseError:
    why = NOT_YET.get(scheme, f"'{scheme}' is not a warehouse soloml knows")
    return WarehouseError(
        f"Warehouse URL '{target}' cannot be opened as the warehouse: {why}.",
        hint="Meanwhile keep the warehouse a DuckDB file in soloml.yaml (warehouse: warehouse.duckdb); "
        "Postgres already works as a load source (`soloml load postgresql://...`) and a write-back target (`soloml score --to ...`).",
    )


def connect(target: str | Path = ":memory:", *, read_only: bool = False, lock_timeout: float = 15.0) -> Connection:
    """A DuckDB connection to `target` (a file path, ':memory:' or duckdb:///path) with soloml's schemas, migrated.

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
    con = open_connection(str(target), read_only=read_only, lock_timeout=lock_timeout)
    if not read_only:
        ensure_schemas(con)
    return con


def open_warehouse(target: str | Path = ":memory:", *, read_only: bool = False) -> Warehouse:
    """The warehouse at `target` behind the `base.Warehouse` interface (schemas ensured as by `connect`)."""
    scheme = scheme_of(target)
    if scheme not in BACKENDS:
        raise _refuse(target, scheme)
    module = importlib.import_module(BACKENDS[scheme])
    return module.DuckDBWarehouse(connect(target, read_only=read_only), str(target))


def ensure_schemas(con: Connection) -> None:
    """Create soloml's schemas and bring ops.* to the current schema version."""
    migrate(con)


def table_exists(con: Connection, qualified: str) -> bool:
    schema, _, name = qualified.rpartition(".")
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema or "main", name],
    ).fetchall()
    row = row[0] if row else None
    return bool(row and row[0])
