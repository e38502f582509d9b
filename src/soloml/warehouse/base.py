"""What a stage needs from a warehouse, named once, so a second warehouse is one new file and not a rewrite.

Every stage talks to its connection directly (`con.execute(...).df()`, `con.register(...)`). Stage code
annotates that connection as `Connection` (below), never as `duckdb.DuckDBPyConnection`: the alias is where the
DuckDB and the Postgres warehouse (issue 18) meet. `Warehouse` is the interface both implement:
`warehouse/duckdb.py` over a DuckDB connection, `warehouse/postgres.py` over a PostgresConnection.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol, TypeAlias, runtime_checkable

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa

from soloml.warehouse.postgres_connection import PostgresConnection

# The connection stage code is handed: DuckDB's, or PostgresConnection (warehouse/postgres.py), which answers the
# same calls (execute/executemany/fetchone/fetchall/df/to_arrow_table/sql/register/unregister/close).
Connection: TypeAlias = duckdb.DuckDBPyConnection | PostgresConnection

# What a statement on either connection raises when the database refuses it: catch this, never duckdb.Error alone,
# where the statement may run on the warehouse (a Postgres error is a psycopg.Error).
DATABASE_ERRORS: tuple[type[Exception], ...] = (duckdb.Error, psycopg.Error)

WriteMode = Literal["replace", "append", "create"]


@runtime_checkable
class Warehouse(Protocol):
    """Where soloml keeps raw.*, core.*, features.* and ops.*. SQL handed in is DuckDB's dialect (dialect.py)."""

    url: str

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a SELECT."""

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """A SELECT as a pandas DataFrame."""

    def query_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """A SELECT as an Arrow table."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """A statement whose result is not read (DDL, INSERT, UPDATE...)."""

    def read_frame(self, table: str) -> pd.DataFrame:
        """A whole table (schema-qualified) as a DataFrame."""

    def write_frame(self, frame: pd.DataFrame | pa.Table, table: str, *, mode: WriteMode = "append") -> int:
        """Write a frame to a schema-qualified table: replace it, append to it, or create it (must not exist)."""

    def transaction(self) -> AbstractContextManager[None]:
        """All or nothing: commits when the block ends, rolls back when it raises."""

    def schemas(self) -> list[str]:
        """The schemas that hold tables."""

    def tables(self, schema: str | None = None) -> list[str]:
        """Schema-qualified table names, sorted; only `schema`'s when given."""

    def table_exists(self, qualified: str) -> bool:
        """Whether `schema.table` exists."""

    def close(self) -> None:
        """Release the connection."""


def split_name(qualified: str) -> tuple[str, str]:
    """'schema.table' -> (schema, table); a bare name is in `main`."""
    schema, _, name = qualified.rpartition(".")
    return schema or "main", name
