"""The DuckDB warehouse: today's only one. Opens a file (or memory), and implements `base.Warehouse` over it."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from soloml.errors import WarehouseError
from soloml.warehouse.base import Connection, WriteMode, split_name

# DuckDB ships parquet/json/icu built in; never download an extension at run time.
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def path_of(url: str) -> str:
    """'duckdb:///path' or a plain path -> the path DuckDB opens (':memory:' for an empty one)."""
    text = url[len("duckdb:///") :] if url.startswith("duckdb:///") else url
    return text or ":memory:"


def open_connection(url: str, *, read_only: bool = False, lock_timeout: float = 15.0) -> Connection:
    """A raw DuckDB connection; a lock held by another process is waited out for up to `lock_timeout` seconds."""
    text = path_of(url)
    if text != ":memory:":
        Path(text).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            return duckdb.connect(text, read_only=read_only, config=dict(DUCKDB_CONFIG))
        except duckdb.Error as exc:
            # another process (e.g. `soloml serve` writing its log) holds the file briefly: wait it out
            if "lock" in str(exc).lower() and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise WarehouseError(
                f"Cannot open the warehouse at {text}: {exc}.",
                hint="Is another soloml process writing to it? Close it and retry.",
            ) from exc


class DuckDBWarehouse:
    """`base.Warehouse` on one DuckDB connection; `.con` is the connection stage code uses directly today."""

    def __init__(self, con: Connection, url: str = ":memory:") -> None:
        self.con = con
        self.url = url

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.con.execute(sql, list(params)).df()

    def query_arrow(self, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        return self.con.sql(sql, params=list(params) or None).to_arrow_table()  # the relation API: no extra copy

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.con.execute(sql, list(params))

    def read_frame(self, table: str) -> pd.DataFrame:
        schema, name = split_name(table)
        return self.con.execute(f"SELECT * FROM {_q(schema)}.{_q(name)}").df()

    def write_frame(self, frame: pd.DataFrame | pa.Table, table: str, *, mode: WriteMode = "append") -> int:
        schema, name = split_name(table)
        target = f"{_q(schema)}.{_q(name)}"
        view = f"_soloml_write_{id(frame):x}"
        self.con.register(view, frame)
        try:
            if mode == "append":
                self.con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {view}")
            else:
                verb = "CREATE OR REPLACE TABLE" if mode == "replace" else "CREATE TABLE"
                self.con.execute(f"{verb} {target} AS SELECT * FROM {view}")
        finally:
            self.con.unregister(view)
        return len(frame)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def schemas(self) -> list[str]:
        return [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_catalog = current_database() ORDER BY 1"
            ).fetchall()
        ]

    def tables(self, schema: str | None = None) -> list[str]:
        sql = "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_catalog = current_database()"
        params: list[Any] = []
        if schema is not None:
            sql += " AND table_schema = ?"
            params.append(schema)
        return [r[0] for r in self.con.execute(sql + " ORDER BY 1", params).fetchall()]

    def table_exists(self, qualified: str) -> bool:
        schema, name = split_name(qualified)
        rows = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, name]
        ).fetchall()
        return bool(rows and rows[0][0])

    def close(self) -> None:
        self.con.close()


def open_warehouse(con: Connection, url: str) -> DuckDBWarehouse:
    return DuckDBWarehouse(con, url)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
