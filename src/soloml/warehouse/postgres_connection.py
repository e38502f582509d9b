"""`PostgresConnection`: the Postgres warehouse's connection (issue 18), a drop-in for the part of DuckDB's
connection API that stage code uses (base.Connection is either). `PostgresWarehouse` (postgres.py) is built on it.

SQL arrives in DuckDB's dialect with `?` (or `$n`) params and is translated by postgres_sql.py; it runs through
psycopg 3 in autocommit, except between BEGIN and COMMIT/ROLLBACK. A frame handed to `register` becomes a TEMP
table filled by COPY (postgres_frames.py), visible to this connection only, as DuckDB's registered views are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa
from psycopg.types.string import TextLoader

from soloml.errors import WarehouseError
from soloml.sql_quoting import quote_ident
from soloml.warehouse.postgres_frames import arrow_of, as_arrow, copy_into, create_sql, pandas_of
from soloml.warehouse.postgres_sql import translate

_TX = {"BEGIN": "begin", "BEGIN TRANSACTION": "begin", "COMMIT": "commit", "ROLLBACK": "rollback"}
_DML = re.compile(r"^\s*(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
# Postgres type names (pg_type.typname) as DuckDB's DESCRIBE names them, for callers that branch on a column's type
_DUCKDB_TYPE = {
    "int2": "SMALLINT",
    "int4": "INTEGER",
    "int8": "BIGINT",
    "float4": "FLOAT",
    "float8": "DOUBLE",
    "text": "VARCHAR",
    "varchar": "VARCHAR",
    "bpchar": "VARCHAR",
    "name": "VARCHAR",
    "bool": "BOOLEAN",
    "date": "DATE",
    "time": "TIME",
    "timestamp": "TIMESTAMP",
    "timestamptz": "TIMESTAMP WITH TIME ZONE",
    "interval": "INTERVAL",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "UUID",
    "bytea": "BLOB",
}


def dsn_of(url: str) -> str:
    """'postgresql+psycopg://...' (SQLAlchemy's spelling) or 'postgres://...' -> the URL psycopg opens."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


class PostgresConnection:
    """`execute(sql, params)` returns self (cursor-like): fetchone/fetchall/df/to_arrow_table/description."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._con = psycopg.connect(dsn_of(url), autocommit=True, cursor_factory=psycopg.RawCursor)
        except psycopg.Error as exc:
            raise WarehouseError(
                f"Cannot open the Postgres warehouse at {_safe(url)}: {str(exc).strip()}",
                hint="Check the host, port, database, user and password in the URL, and that the server is running.",
            ) from exc
        # No JIT: soloml's feature SQL is wide (a hundred expressions a statement) over tables Postgres has no
        # statistics for yet (just written), so the planner's estimates cross jit_above_cost and each statement then
        # spends seconds compiling (2.2 s of a 2.6 s population query on a few rows, measured) to save milliseconds.
        self._con.execute("SET jit = off")
        for json_type in ("json", "jsonb"):  # DuckDB hands JSON back as its text; so does this connection
            self._con.adapters.register_loader(json_type, TextLoader)
        self._cur: Any = None
        self._tx: Any = None
        self._dml = False

    # ---- statements ----------------------------------------------------------------------------------------

    def execute(self, sql: str, params: Any = None) -> PostgresConnection:
        control = _TX.get(sql.strip().rstrip(";").upper())
        if control:
            getattr(self, control)()
            self._cur, self._dml = None, False
            return self
        given = list(params) if params else []
        for statement in translate(sql):
            self._cur = self._con.cursor()
            self._cur.execute(statement.text, statement.params(given))
            self._dml = bool(_DML.match(statement.text))
        return self

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> PostgresConnection:
        """One statement run for each row of params (one round trip per batch, psycopg's pipeline)."""
        statements = translate(sql)
        if len(statements) != 1:
            raise WarehouseError(
                f"executemany takes one statement, got {len(statements)}: {sql[:200]}",
                hint="Split the statements.",
            )
        statement = statements[0]
        self._cur = self._con.cursor()
        self._cur.executemany(statement.text, [statement.params(list(row)) for row in rows])
        self._dml = False
        return self

    def sql(self, query: str, params: Any = None) -> Relation:
        """A relation to read (`.df()`, `.fetchall()`, `.to_arrow_table()`), as DuckDB's `con.sql` gives."""
        return Relation(self, query, params)

    @contextmanager
    def advisory_lock(self, key: int) -> Iterator[None]:
        """Hold Postgres's session advisory lock `key` for the block (other holders wait)."""
        self._con.cursor().execute("SELECT pg_advisory_lock($1)", [key])
        try:
            yield
        finally:
            self._con.cursor().execute("SELECT pg_advisory_unlock($1)", [key])

    def begin(self) -> None:
        self._tx = self._con.transaction()
        self._tx.__enter__()

    def commit(self) -> None:
        tx, self._tx = self._tx, None
        if tx is not None:
            tx.__exit__(None, None, None)

    def rollback(self) -> None:
        tx, self._tx = self._tx, None
        if tx is not None:
            tx.__exit__(psycopg.Rollback, psycopg.Rollback(), None)

    def describe(self, relation: str) -> list[tuple[str, str]]:
        """(column, type) of `relation` (a table, or a query in parentheses with an alias) with DuckDB's type names,
        as DuckDB describes a query (BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP,
        DECIMAL(p,s)...); read from the result's description of a query that returns no row."""
        self.execute(f"SELECT * FROM {relation} LIMIT 0")
        out = []
        for col in self.description or []:
            info = self._con.adapters.types.get(col.type_code)
            name = info.name if info is not None else ""
            if name == "numeric":
                kind = f"DECIMAL({col.precision},{col.scale})" if col.precision is not None else "DOUBLE"
            elif name.startswith("_"):  # an array: DuckDB writes the element type then []
                kind = _DUCKDB_TYPE.get(name[1:], name[1:].upper()) + "[]"
            else:
                kind = _DUCKDB_TYPE.get(name, name.upper() or "VARCHAR")
            out.append((col.name, kind))
        return out

    # ---- frames --------------------------------------------------------------------------------------------

    def register(self, name: str, frame: Any) -> PostgresConnection:
        """`frame` (pandas or Arrow) as TEMP table `name` for this connection, replacing one of that name."""
        table = as_arrow(frame)
        cur = self._con.cursor()
        with self._con.transaction():
            cur.execute(f"DROP TABLE IF EXISTS pg_temp.{quote_ident(name)}")
            cur.execute(create_sql(table, quote_ident(name), temporary=True))
            copy_into(cur, table, quote_ident(name))
        return self

    def unregister(self, name: str) -> PostgresConnection:
        self._con.cursor().execute(f"DROP TABLE IF EXISTS pg_temp.{quote_ident(name)}")
        return self

    def copy_frame(self, frame: Any, target: str, columns: Sequence[str] | None = None) -> int:
        """COPY a frame's rows into an existing table `target` (already quoted/qualified)."""
        return copy_into(self._con.cursor(), as_arrow(frame), target, columns)

    # ---- results -------------------------------------------------------------------------------------------

    @property
    def description(self) -> Any:
        return self._cur.description if self._cur is not None else None

    def fetchone(self) -> tuple[Any, ...] | None:
        if self._cur is None or self._cur.description is None:
            rows = self.fetchall()
            return rows[0] if rows else None
        return self._cur.fetchone()  # type: ignore[no-any-return]

    def fetchall(self) -> list[tuple[Any, ...]]:
        if self._cur is None:
            return []
        if self._cur.description is None:  # DuckDB answers an INSERT/UPDATE/DELETE with its row count
            return [(self._cur.rowcount,)] if self._dml and self._cur.rowcount >= 0 else []
        return self._cur.fetchall()  # type: ignore[no-any-return]

    def to_arrow_table(self) -> pa.Table:
        return arrow_of(self.description, self.fetchall())

    arrow = fetch_arrow_table = to_arrow_table

    def df(self) -> pd.DataFrame:
        return pandas_of(self.to_arrow_table())

    fetchdf = fetch_df = df

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> PostgresConnection:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class Relation:
    """What `PostgresConnection.sql` returns: the query runs each time it is read."""

    def __init__(self, con: PostgresConnection, query: str, params: Any = None) -> None:
        self._con, self.query, self.params = con, query, params

    def _run(self) -> PostgresConnection:
        return self._con.execute(self.query, self.params)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._run().fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._run().fetchone()

    def df(self) -> pd.DataFrame:
        return self._run().df()

    fetchdf = to_df = df

    def to_arrow_table(self) -> pa.Table:
        return self._run().to_arrow_table()

    arrow = fetch_arrow_table = to_arrow_table


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", url)
