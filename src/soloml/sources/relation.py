"""Staging from a relation DuckDB reads itself (Parquet, JSON): columns renamed to snake_case, types kept."""

from __future__ import annotations

from pathlib import Path

from soloml.sql_quoting import quote_literal
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_names


def sql_path(path: Path) -> str:
    return quote_literal(str(path))


def stage_relation(con: Connection, relation: str, table: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Create temp `table` from `relation`; returns (headers as in the source, staged column names)."""
    headers = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    columns = column_names(headers)
    select = ", ".join(f"{quote_ident(h)} AS {quote_ident(c)}" for h, c in zip(headers, columns, strict=True))
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT {select} FROM {relation}")
    return tuple(headers), tuple(columns)
