"""From a staging table of text (or already-typed) columns to a typed table with bad rows marked, in SQL.

The staging table holds one row per source row in source order (its `rowid` is the order); the typed
table holds the typed columns, `_source_row`, and the helper columns `_soloml_rowid` (back to the stage)
and `_soloml_bad`. Bad rows never reach raw.*: `quarantine_rows` copies them, with a reason naming the
column and the value, into ops.quarantine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from soloml.config import DateOrder
from soloml.warehouse import ops
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.types import ColumnPlan, infer_plans, refine_plans

TYPED = "_soloml_typed"
HELPER_COLUMNS = ("_soloml_rowid", "_soloml_bad")


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
    direct: bool = False  # True: `table` is the new raw table itself, still holding the HELPER_COLUMNS


def meta_sql(load_id: str, loaded_at: datetime, source_row: str = "_source_row") -> str:
    """The load metadata columns every raw row carries, in their order."""
    return f"'{load_id}' AS _load_id, TIMESTAMP '{loaded_at.isoformat(sep=' ')}' AS _loaded_at, {source_row} AS _source_row"


def _build(con: Connection, stage: str, plans: Sequence[ColumnPlan], row_sql: str, into: str, meta: str | None) -> None:
    """Typed values, and a row flag `_soloml_bad`: some value was non-empty in the source but has no typed value.

    Three nested projections so each value is trimmed once and parsed once. `into` is a temp table, or (with
    `meta`) a new raw table written in this one pass, to spare a copy of every row."""
    q = [quote_ident(p.name) for p in plans]
    checked = [i for i, p in enumerate(plans) if p.checked]
    prepared = ", ".join(
        [
            "rowid AS _soloml_rowid",
            f"{row_sql} AS _source_row",
            *(f"{p.prepared_sql()} AS {c}" for p, c in zip(plans, q, strict=True)),
        ]
    )
    typed = ", ".join(
        [
            "_soloml_rowid",
            "_source_row",
            *(f"{p.cast_sql(c)} AS {c}" for p, c in zip(plans, q, strict=True)),
            *(f"{q[i]} IS NOT NULL AS _soloml_ne_{i}" for i in checked),
        ]
    )
    flags = [f"(_soloml_ne_{i} AND {q[i]} IS NULL)" for i in checked]
    outer = ", ".join([*q, meta or "_source_row", "_soloml_rowid", f"({' OR '.join(flags) or 'false'}) AS _soloml_bad"])
    con.execute(f"DROP TABLE IF EXISTS {into}")
    temp = "TEMP " if meta is None else ""
    con.execute(
        f"CREATE {temp}TABLE {into} AS SELECT {outer} FROM (SELECT {typed} FROM (SELECT {prepared} FROM {stage}))"
    )


def _column_bad_sql(plan: ColumnPlan) -> str:
    """For a bad row (typed table `t` joined to the stage `s`): did this column cause it?"""
    col = quote_ident(plan.name)
    return f"(NULLIF(trim(s.{col}), '') IS NOT NULL AND t.{col} IS NULL)"


def _bad_join(table: str, stage: str) -> str:
    return f"{table} t JOIN {stage} s ON s.rowid = t._soloml_rowid WHERE t._soloml_bad"


def _bad_counts(con: Connection, table: str, stage: str, plans: Sequence[ColumnPlan]) -> dict[str, int]:
    """Bad values per column, looking only at the (few) bad rows."""
    checked = [p for p in plans if p.checked]
    if not checked:
        return {}
    counts = ", ".join(f"coalesce(count_if({_column_bad_sql(p)}), 0)" for p in checked)
    row = con.execute(f"SELECT {counts} FROM {_bad_join(table, stage)}").fetchall()[0]
    return {p.name: int(n) for p, n in zip(checked, row, strict=True) if n}


def type_stage(
    con: Connection,
    stage: str,
    headers: Sequence[str],
    *,
    date_order: DateOrder = "auto",
    decimal_comma_first: bool = False,
    row_sql: str = "rowid + 1",
    new_table: str | None = None,
    meta: str | None = None,
    keep: Mapping[str, str] | None = None,
) -> TypedStage:
    """Infer, cast and check every column of `stage` (data columns in the same order as `headers`).

    With `new_table` and `meta` (see `meta_sql`), the typed rows are written straight into that new table
    (inside the caller's transaction); `land` then only removes bad rows and the helper columns."""
    into = new_table if new_table and meta else TYPED
    direct = into != TYPED
    plans = infer_plans(con, stage, date_order=date_order, decimal_comma_first=decimal_comma_first, keep=keep)
    _build(con, stage, plans, row_sql, into, meta if direct else None)
    bad = _bad_counts(con, into, stage, plans)
    if bad:  # the sample missed something: decide those columns again over every row
        refined = refine_plans(
            con, stage, plans, list(bad), date_order=date_order, decimal_comma_first=decimal_comma_first, keep=keep
        )
        if refined != plans:
            plans = refined
            _build(con, stage, plans, row_sql, into, meta if direct else None)
            bad = _bad_counts(con, into, stage, plans)
    header_of = dict(zip([p.name for p in plans], headers, strict=False))
    rows, bad_rows = con.execute(f"SELECT count(*), coalesce(count_if(_soloml_bad), 0) FROM {into}").fetchall()[0]
    first = _first_bad(con, into, stage, plans, header_of, limit=5) if bad_rows else ()
    notes = tuple(f"Column '{header_of.get(p.name, p.name)}': {p.note}." for p in plans if p.note)
    return TypedStage(into, tuple(plans), int(rows), int(bad_rows), bad, first, notes, direct)


def _first_bad(
    con, table: str, stage: str, plans: Sequence[ColumnPlan], header_of: dict[str, str], *, limit: int
) -> tuple[BadRow, ...]:
    out: list[BadRow] = []
    for p in plans:
        if not p.checked or p.candidate is None:
            continue
        rows = con.execute(
            f"SELECT t._source_row, CAST(s.{quote_ident(p.name)} AS VARCHAR) FROM {_bad_join(table, stage)} "
            f"AND {_column_bad_sql(p)} ORDER BY t._source_row LIMIT {limit}"
        ).fetchall()
        out += [BadRow(int(r), header_of.get(p.name, p.name), v, p.candidate.label) for r, v in rows]
    out.sort(key=lambda b: b.row)
    return tuple(out[:limit])


def quarantine_rows(
    con: Connection, typed: TypedStage, stage: str, headers: Sequence[str], *, load_id: str, source: str
) -> int:
    """Copy the bad rows, as they were in the source, into ops.quarantine with a reason per row."""
    if not typed.bad_rows:
        return 0
    names = [p.name for p in typed.plans]
    pairs = ", ".join(
        f"'{h.replace(chr(39), chr(39) * 2)}', s.{quote_ident(n)}" for n, h in zip(names, headers, strict=False)
    )
    reasons = []
    for p, h in zip(typed.plans, headers, strict=False):
        if not p.checked or p.candidate is None:
            continue
        header = h.replace("'", "''")
        reasons.append(
            f"CASE WHEN {_column_bad_sql(p)} THEN 'column ''{header}'' is not {p.candidate.label}: got ''' || "
            f"CAST(s.{quote_ident(p.name)} AS VARCHAR) || '''' END"
        )
    reason = f"concat_ws('; ', {', '.join(reasons)})" if reasons else "'bad row'"
    return ops.insert_select(
        con,
        "quarantine",
        ["load_id", "row_number", "raw_row", "reason", "source"],
        f"SELECT ?, t._source_row, json_object({pairs}), {reason}, ? FROM {typed.table} t JOIN {stage} s ON s.rowid = t._soloml_rowid "
        f"WHERE t._soloml_bad ORDER BY t._source_row",
        [load_id, source],
    )


def drop_typed(con: Connection) -> None:
    con.execute(f"DROP TABLE IF EXISTS {TYPED}")
