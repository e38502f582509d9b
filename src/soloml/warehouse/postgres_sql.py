"""DuckDB-dialect SQL as Postgres statements for the Postgres warehouse: sqlglot translates the text, and every
parameter (`?` or `$n`) becomes a native `$n` the server binds, so a `%` in the SQL is never a placeholder and a
`$n` may repeat or come in any order. One translation per distinct text (LRU cache).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError
from sqlglot.tokens import TokenType

from soloml.errors import WarehouseError
from soloml.warehouse.dialect import SOURCE, for_target

_SQL_HINT = "soloml writes its SQL in DuckDB's dialect (warehouse/dialect.py); fix the statement or report it."


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
        sql, questions = _number_questions(sql)
        trees = sqlglot.parse(sql, read=SOURCE, error_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise WarehouseError(f"Cannot read this SQL as DuckDB's dialect: {exc}", hint=_SQL_HINT) from exc
    kinds: set[str] = {"?"} if questions else set()
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
            if not name:  # not reached for a `?` numbered above; kept for a tree sqlglot made one in
                kinds.add("?")
                index = next(counter)
            elif name.isdigit() and int(name) > 0:
                kinds.add("?" if questions else "$n")
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
        try:  # dialect.REWRITES and the Postgres-only forms (DROP + CREATE for CREATE OR REPLACE, subquery names)
            for part in for_target(tree, "postgres"):
                text = part.sql(dialect="postgres", unsupported_level=ErrorLevel.RAISE)
                uses = tuple(picks) if any(part.find_all(exp.Parameter)) else ()
                out.append(Statement(text, uses))
        except SqlglotError:
            raise
        except Exception as exc:  # noqa: BLE001 - a crash inside sqlglot is still "cannot translate"
            raise UnsupportedError(f"sqlglot could not write this for postgres: {type(exc).__name__}: {exc}") from exc
    if len(kinds) > 1:
        raise WarehouseError(
            f"This SQL mixes `?` and `$n` parameters: {sql[:200]}", hint="Use one style in a statement."
        )
    return tuple(out)


def _number_questions(sql: str) -> tuple[str, frozenset[str]]:
    """Every `?` (outside strings, quoted names and comments) as `$1`, `$2`... in the order they are written.

    DuckDB binds `?` in text order. Numbering them on the parsed tree would follow sqlglot's argument order
    instead, which is not the text's: a WITH clause is visited after the SELECT it belongs to, so `?` in a CTE
    took the outer query's values. Returns the text and the numbers given; a text with no `?` comes back as it was.
    """
    tokens = sqlglot.Dialect.get_or_raise(SOURCE).tokenize(sql)
    marks = [t for t in tokens if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
    if not marks:
        return sql, frozenset()
    if any(t.token_type == TokenType.PARAMETER for t in tokens):
        raise WarehouseError(
            f"This SQL mixes `?` and `$n` parameters: {sql[:200]}", hint="Use one style in a statement."
        )
    parts, at = [], 0
    for n, mark in enumerate(marks, start=1):
        parts += [sql[at : mark.start], f"${n}"]
        at = mark.end + 1
    parts.append(sql[at:])
    return "".join(parts), frozenset(str(n) for n in range(1, len(marks) + 1))
