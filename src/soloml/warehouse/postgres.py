"""The Postgres warehouse (issue 18), first part: `PostgresConnection`, a drop-in for the subset of the DuckDB
connection API stage code uses. SQL arrives in DuckDB's dialect with `?` params; it is translated once per distinct
text (dialect.transpile, LRU cache) and run through psycopg 3 in autocommit outside explicit transactions.

NOT YET: register() of frames, loads by COPY, PostgresWarehouse, connect() by URL (see docs/scale.md).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pandas as pd
import psycopg

from soloml.warehouse.dialect import transpile

_TX = {"BEGIN": "begin", "BEGIN TRANSACTION": "begin", "COMMIT": "commit", "ROLLBACK": "rollback"}


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, ...]:
    """DuckDB-dialect `sql` (one or more statements, `?` or `$n` params) as Postgres statements with `%s` params."""
    out = []
    for statement in transpile(sql, to="postgres"):
        # sqlglot writes `?` as `%s` already; any other `%` is a literal and is doubled for psycopg
        text = re.sub(r"%(?!s\b)", "%%", statement)
        out.append(re.sub(r"\$\d+", "%s", text))
    return tuple(out)


class PostgresConnection:
    """`execute(sql, params)` returns self (cursor-like) with fetchone/fetchall/df/fetchdf/description."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._con = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        self._cur: Any = None
        self._tx: Any = None

    def execute(self, sql: str, params: Any = None) -> PostgresConnection:
        control = _TX.get(sql.strip().rstrip(";").upper())
        if control:
            getattr(self, control)()
            return self
        for statement in translate(sql):
            self._cur = self._con.cursor()
            self._cur.execute(statement, list(params) if params else None)
        return self

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

    @property
    def description(self) -> Any:
        return self._cur.description if self._cur is not None else None

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._cur.fetchone()  # type: ignore[no-any-return]

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._cur.fetchall()  # type: ignore[no-any-return]

    def df(self) -> pd.DataFrame:
        names = [d.name for d in self._cur.description or []]
        return pd.DataFrame(self._cur.fetchall(), columns=names)

    fetchdf = df

    def close(self) -> None:
        self._con.close()
