"""soloml writes its SQL in one dialect, DuckDB's; this is where it is translated to another.

`transpile(sql, to=...)` hands a statement to sqlglot (read as DuckDB, written as Postgres, BigQuery,
Snowflake...), raising on anything sqlglot knows it cannot express. Its pieces live beside it and are importable
from here too: `CONSTRUCTS` / `Construct` / `constructs_in` (warehouse/constructs.py), the one list of the
DuckDB-only SQL soloml uses with its portable forms; `REWRITES` / `for_target` / `accent_table` /
`strip_accents_portable` (warehouse/rewrites.py), the second implementations applied to a parsed statement before
it is written for a target, so DuckDB keeps its own form. Small portable pieces the modules share are functions
here (`first_non_null`, `numbered_params`, `duckdb_type_name`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlglot
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError

from soloml.warehouse.constructs import CONSTRUCTS, Construct, constructs_in
from soloml.warehouse.rewrites import REWRITES, accent_table, for_target, strip_accents_portable

__all__ = [
    "CONSTRUCTS",
    "REWRITES",
    "SOURCE",
    "TARGETS",
    "Construct",
    "accent_table",
    "constructs_in",
    "duckdb_type_name",
    "first_non_null",
    "for_target",
    "numbered_params",
    "strip_accents_portable",
    "transpile",
]

SOURCE = "duckdb"
TARGETS = ("postgres", "bigquery", "snowflake")


def transpile(sql: str, to: str, *, read: str = SOURCE) -> list[str]:
    """`sql` (DuckDB's dialect) written in dialect `to`; raises a sqlglot error where it cannot be expressed.

    sqlglot itself sometimes crashes on valid SQL (an AttributeError deep in a generator): that is reported as
    an UnsupportedError too, so a caller has one error to handle.
    """
    try:
        out = []
        for tree in sqlglot.parse(sql, read=read, error_level=ErrorLevel.RAISE):
            if tree is None:
                out.append("")
                continue
            out += [t.sql(dialect=to, unsupported_level=ErrorLevel.RAISE) for t in for_target(tree, to)]
        return out
    except SqlglotError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug inside sqlglot is still "cannot transpile"
        raise UnsupportedError(f"sqlglot could not write this for {to}: {type(exc).__name__}: {exc}") from exc


# information_schema.columns.data_type on Postgres, as DuckDB names the same type (what soloml's checks read)
_DUCKDB_TYPE_NAMES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "time without time zone": "TIME",
    "interval": "INTERVAL",
    "bytea": "BLOB",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "UUID",
}


def duckdb_type_name(data_type: str, precision: int | None = None, scale: int | None = None) -> str:
    """A column's type as DuckDB's information_schema names it, from either warehouse's `data_type` (and, for
    Postgres NUMERIC, its `numeric_precision` / `numeric_scale`), so a report says VARCHAR on both, not text."""
    name = str(data_type)
    if name.lower() == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None and scale is not None else "DECIMAL"
    return _DUCKDB_TYPE_NAMES.get(name.lower(), name)


def numbered_params(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """`$name` parameters (DuckDB binds them; the Postgres warehouse binds only `?` and `$n`) as `$1`, `$2`... in
    the order the names first appear, with their values as a list. A `$name` not in `params` is left as it is
    (the engine then says which value is missing); a name given but not used is dropped. Text, not a parse: a
    `$name` of `params` inside a string literal is numbered too."""
    used: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        if name not in used:
            used.append(name)
        return f"${used.index(name) + 1}"

    text = re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)\b", number, sql)
    return text, [params[name] for name in used]


def first_non_null(expr: str, partition: str, order: str) -> str:
    """Window: the first non-NULL `expr` by `order` within `partition`, on every row of it (NULL if none is).

    DuckDB's `first_value(expr IGNORE NULLS)` over the whole partition, written so Postgres runs it too: the
    NULLs are ordered last instead of skipped. Costs a sort of its own (a named window cannot be shared).
    """
    return (
        f"first_value({expr}) OVER (PARTITION BY {partition} ORDER BY ({expr}) IS NULL, {order} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )
