"""From a staging table of text (or already-typed) columns to a typed table with bad rows marked, in SQL.

The staging table holds one row per source row in source order (its `rowid` is the order); the typed
table adds `_source_row`, a content hash `_row_hash` (for de-duplicating re-exports), the typed columns,
and `_soloml_bad` per row. Bad rows never reach raw.*: `quarantine_rows` copies them, with a reason naming
the column and the value, into ops.quarantine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from soloml.config import DateOrder
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.types import ColumnPlan, infer_plans, refine_plans

TYPED = "_soloml_typed"


@dataclass(frozen=True)
class BadRow:
    row: int
    column: str  # original header
    value: str
    expected: str  # 'a date', 'an amount' ...


@dataclass(frozen=True)
class TypedStage:
    """The typed temp table of one load and what it holds."""

    table: str
    plans: tuple[ColumnPlan, ...]
    rows: int
    bad_rows: int
    bad_by_column: dict[str, int]
    first_bad: tuple[BadRow, ...]
    notes: tuple[str, ...]


def _row_hash_sql(columns: Sequence[str]) -> str:
    """md5 over name=value of every non-empty value, in name order: stable across column order and empty columns."""
    parts = [f"'{c}=' || NULLIF(CAST({quote_ident(c)} AS VARCHAR), '')" for c in sorted(columns)]
    return f"md5(concat_ws(chr(31), {', '.join(parts)}))" if parts else "md5('')"


def _build(con: duckdb.DuckDBPyConnection, stage: str, plans: Sequence[ColumnPlan], row_sql: str) -> None:
    cols = [p.name for p in plans]
    selects = [f"rowid AS _soloml_rowid", f"{row_sql} AS _source_row", f"{_row_hash_sql(cols)} AS _row_hash"]
    selects += [f"{p.value_sql()} AS {quote_ident(p.name)}" for p in plans]
    bads = [(i, p.bad_sql()) for i, p in enumerate(plans)]
    bads = [(i, b) for i, b in bads if b is not None]
    selects += [f"{b} AS _soloml_bad_{i}" for i, b in bads]
    any_bad = " OR ".join(f"_soloml_bad_{i}" for i, _ in bads) or "false"
    con.execute(f"DROP TABLE IF EXISTS {TYPED}")
    con.execute(f"CREATE TEMP TABLE {TYPED} AS SELECT *, ({any_bad}) AS _soloml_bad FROM (SELECT {', '.join(selects)} FROM {stage})")


def _bad_counts(con: duckdb.DuckDBPyConnection, plans: Sequence[ColumnPlan]) -> dict[str, int]:
    checked = [(i, p) for i, p in enumerate(plans) if p.bad_sql() is not None]
    if not checked:
        return {}
    row = con.execute(f"SELECT {', '.join(f'count_if(_soloml_bad_{i})' for i, _ in checked)} FROM {TYPED}").fetchall()[0]
    return {p.name: int(n) for (_, p), n in zip(checked, row, strict=True) if n}


def type_stage(
    con: duckdb.DuckDBPyConnection,
    stage: str,
    headers: Sequence[str],
    *,
    date_order: DateOrder = "auto",
    decimal_comma_first: bool = False,
    row_sql: str = "rowid + 1",
) -> TypedStage:
    """Infer, cast and check every column of `stage` (data columns in the same order as `headers`)."""
    plans = infer_plans(con, stage, date_order=date_order, decimal_comma_first=decimal_comma_first)
    _build(con, stage, plans, row_sql)
    bad = _bad_counts(con, plans)
    if bad:  # the sample missed something: decide those columns again over every row
        refined = refine_plans(con, stage, plans, list(bad), date_order=date_order, decimal_comma_first=decimal_comma_first)
        if refined != plans:
            plans = refined
            _build(con, stage, plans, row_sql)
            bad = _bad_counts(con, plans)
    header_of = dict(zip([p.name for p in plans], headers, strict=False))
    rows, bad_rows = con.execute(f"SELECT count(*), count_if(_soloml_bad) FROM {TYPED}").fetchall()[0]
    first = _first_bad(con, stage, plans, header_of, limit=5) if bad_rows else ()
    notes = tuple(f"Column '{header_of.get(p.name, p.name)}': {p.note}." for p in plans if p.note)
    return TypedStage(TYPED, tuple(plans), int(rows), int(bad_rows), bad, first, notes)


def _first_bad(con, stage: str, plans: Sequence[ColumnPlan], header_of: dict[str, str], *, limit: int) -> tuple[BadRow, ...]:
    out: list[BadRow] = []
    for i, p in enumerate(plans):
        if p.bad_sql() is None or p.candidate is None:
            continue
        rows = con.execute(
            f"SELECT t._source_row, CAST(s.{quote_ident(p.name)} AS VARCHAR) FROM {TYPED} t JOIN {stage} s ON s.rowid = t._soloml_rowid "
            f"WHERE t._soloml_bad_{i} ORDER BY t._source_row LIMIT {limit}"
        ).fetchall()
        out += [BadRow(int(r), header_of.get(p.name, p.name), v, p.candidate.label) for r, v in rows]
    out.sort(key=lambda b: b.row)
    return tuple(out[:limit])


def quarantine_rows(
    con: duckdb.DuckDBPyConnection, typed: TypedStage, stage: str, headers: Sequence[str], *, load_id: str, source: str
) -> int:
    """Copy the bad rows, as they were in the source, into ops.quarantine with a reason per row."""
    if not typed.bad_rows:
        return 0
    names = [p.name for p in typed.plans]
    pairs = ", ".join(f"'{h.replace(chr(39), chr(39) * 2)}', s.{quote_ident(n)}" for n, h in zip(names, headers, strict=False))
    reasons = []
    for i, (p, h) in enumerate(zip(typed.plans, headers, strict=False)):
        if p.bad_sql() is None or p.candidate is None:
            continue
        header = h.replace("'", "''")
        reasons.append(
            f"CASE WHEN t._soloml_bad_{i} THEN 'column ''{header}'' is not {p.candidate.label}: got ''' || "
            f"CAST(s.{quote_ident(p.name)} AS VARCHAR) || '''' END"
        )
    reason = f"concat_ws('; ', {', '.join(reasons)})" if reasons else "'bad row'"
    return int(con.execute(
        f"INSERT INTO ops.quarantine (load_id, row_number, raw_row, reason, source) "
        f"SELECT ?, t._source_row, json_object({pairs}), {reason}, ? FROM {TYPED} t JOIN {stage} s ON s.rowid = t._soloml_rowid "
        f"WHERE t._soloml_bad ORDER BY t._source_row",
        [load_id, source],
    ).fetchall()[0][0])


def drop_typed(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {TYPED}")
