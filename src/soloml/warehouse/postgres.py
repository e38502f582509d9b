"""The Postgres warehouse (issue 18): `PostgresWarehouse`, the `base.Warehouse` over a PostgresConnection
(postgres_connection.py), and the two openers `connection.connect()` / `open_warehouse()` call for a
postgresql:// URL. Writes of frames go by COPY (postgres_frames.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa

from soloml.sql_quoting import quote_ident
from soloml.warehouse.base import WriteMode, split_name
from soloml.warehouse.postgres_connection import PostgresConnection as PostgresConnection  # re-exported
from soloml.warehouse.postgres_connection import Relation as Relation  # re-exported
from soloml.warehouse.postgres_connection import dsn_of as dsn_of  # re-exported
from soloml.warehouse.postgres_frames import as_arrow, create_sql

# the schemas Postgres itself keeps tables in: never soloml's
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema') AND table_schema NOT LIKE 'pg\\_%'"


class PostgresWarehouse:
    """`base.Warehouse` on one PostgresConnection; `.con` is the connection stage code uses directly."""

    def __init__(self, con: PostgresConnection, url: str | None = None) -> None:
        self.con = con
        self.url = url or con.url

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def query_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        return self.con.execute(sql, list(params)).to_arrow_table()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def read_frame(self, table: str) -> pd.DataFrame:
        schema, name = split_name(table)
        return self.con.execute(f"SELECT * FROM {quote_ident(_schema(schema))}.{quote_ident(name)}").df()

    def write_frame(self, frame: pd.DataFrame | pa.Table, table: str, *, mode: WriteMode = "append") -> int:
        """By COPY, in one transaction: `replace` drops and re-creates the table, so readers see old or new rows."""
        schema, name = split_name(table)
        target = f"{quote_ident(_schema(schema))}.{quote_ident(name)}"
        rows = as_arrow(frame)
        with self.transaction():
            if mode == "replace":
                self.con.execute(f"DROP TABLE IF EXISTS {target}")
            if mode != "append":
                self.con.execute(create_sql(rows, target))
            return self.con.copy_frame(rows, target)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.con._con.transaction():  # nests as a savepoint inside an open BEGIN
            yield

    def schemas(self) -> list[str]:
        sql = f"SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_schema NOT IN {_SYSTEM_SCHEMAS}"
        return [r[0] for r in self.con.execute(sql + " ORDER BY 1").fetchall()]

    def tables(self, schema: str | None = None) -> list[str]:
        sql = (
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            f"WHERE table_schema NOT IN {_SYSTEM_SCHEMAS}"
        )
        params: list[Any] = []
        if schema is not None:
            sql += " AND table_schema = ?"
            params.append(_schema(schema))
        return [r[0] for r in self.con.execute(sql + " ORDER BY 1", params).fetchall()]

    def table_exists(self, qualified: str) -> bool:
        schema, name = split_name(qualified)
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [_schema(schema), name],
        ).fetchall()
        return bool(rows and rows[0][0])

    def close(self) -> None:
        self.con.close()


def open_connection(url: str, *, read_only: bool = False, lock_timeout: float = 15.0) -> PostgresConnection:
    """The connection `connect()` hands stage code; `read_only` makes every transaction read-only (Postgres has
    no file lock to wait out, so `lock_timeout` is unused)."""
    con = PostgresConnection(url)
    if read_only:
        con.execute("SET default_transaction_read_only = on")
    return con


def open_warehouse(con: PostgresConnection, url: str) -> PostgresWarehouse:
    return PostgresWarehouse(con, url)


def _schema(schema: str) -> str:
    """DuckDB's default schema is `main`; Postgres's is `public`."""
    return "public" if schema == "main" else schema
