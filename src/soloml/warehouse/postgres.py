"""The Postgres warehouse (issue 18), first part: `PostgresConnection`, a drop-in for the subset of the DuckDB
connection API stage code uses. SQL arrives in DuckDB's dialect with `?` params; it is translated once per distinct
text (dialect.transpile, LRU cache) and run through psycopg 3 (native `$n` binding) in autocommit outside explicit transactions.

NOT YET: register() of frames, loads by COPY, PostgresWarehouse, connect() by URL (see docs/scale.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
import psycopg
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError

from soloml.errors import WarehouseError
from soloml.warehouse.dialect import SOURCE

_SQL_HINT = "soloml writes its SQL in DuckDB's dialect (warehouse/dialect.py); fix the statement or report it."
_TX = {"BEGIN": "begin", "BEGIN TRANSACTION": "begin", "COMMIT": "commit", "ROLLBACK": "rollback"}


@dataclass(frozen=True)
class Statement:
    """One Postgres statement with native `$n` params, and which caller params (0-based) fill $1, $2, ..."""

    text: str
    picks: tuple[int, ...]

    def params(self, given: Sequence[Any]) -> list[Any] | None:
        if not self.picks:
            return None
        if max(self.picks) >= len(given):
            raise WarehouseError(
                f"This SQL needs {max(self.picks) + 1} parameter(s) but {len(given)} were passed: {self.text[:200]}",
                hint="Pass one value per `?` (or one per distinct `$n`).",
            )
        return [given[i] for i in self.picks]


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[Statement, ...]:
    """DuckDB-dialect `sql` (one or more statements, `?` or `$n` params) as Postgres statements with `$n` params.

    `?` are numbered in order across all statements; `$n` is the caller's n-th value wherever (and however often)
    it appears. Each statement is renumbered $1..$k over the values it uses, so the server binds them natively:
    no `%` is ever read as a placeholder.
    """
    try:
        trees = sqlglot.parse(sql, read=SOURCE, error_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise WarehouseError(f"Cannot read this SQL as DuckDB's dialect: {exc}", hint=_SQL_HINT) from exc
    kinds: set[str] = set()
    counter = iter(range(1 << 30))
    out = []
    for tree in trees:
        if tree is None:
            continue
        picks: list[int] = []

        def number(node: exp.Expression, picks: list[int] = picks) -> exp.Expression:
            if not isinstance(node, exp.Placeholder):
                return node
            name = str(node.this or "")
            if not name:
                kinds.add("?")
                index = next(counter)
            elif name.isdigit() and int(name) > 0:
                kinds.add("$n")
                index = int(name) - 1
            else:
                raise WarehouseError(
                    f"Named parameter '${name}' is not supported on the Postgres warehouse: {sql[:200]}",
                    hint="Write `?` (or `$1`, `$2`...) and pass the values as a list.",
                )
            if index not in picks:
                picks.append(index)
            return exp.Parameter(this=exp.Literal.number(picks.index(index) + 1))

        tree = tree.transform(number)
        try:
            text = tree.sql(dialect="postgres", unsupported_level=ErrorLevel.RAISE)
        except SqlglotError:
            raise
        except Exception as exc:  # noqa: BLE001 - a crash inside sqlglot is still "cannot translate"
            raise UnsupportedError(f"sqlglot could not write this for postgres: {type(exc).__name__}: {exc}") from exc
        out.append(Statement(text, tuple(picks)))
    if len(kinds) > 1:
        raise WarehouseError(
            f"This SQL mixes `?` and `$n` parameters: {sql[:200]}", hint="Use one style in a statement."
        )
    return tuple(out)


class PostgresConnection:
    """`execute(sql, params)` returns self (cursor-like) with fetchone/fetchall/df/fetchdf/description."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._con = psycopg.connect(
            url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True, cursor_factory=psycopg.RawCursor
        )
        self._cur: Any = None
        self._tx: Any = None

    def execute(self, sql: str, params: Any = None) -> PostgresConnection:
        control = _TX.get(sql.strip().rstrip(";").upper())
        if control:
            getattr(self, control)()
            return self
        given = list(params) if params else []
        for statement in translate(sql):
            self._cur = self._con.cursor()
            self._cur.execute(statement.text, statement.params(given))
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
