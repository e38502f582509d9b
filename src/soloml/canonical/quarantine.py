"""Rows that cannot be mapped go to ops.quarantine with the reason, never into core as silent NULLs.

Two nets: before mapping, an adapter's `checks` catch values that do not parse (money, dates, statuses);
after mapping, any row that would leave a required core column empty is caught too.
"""

from __future__ import annotations

from soloml.canonical.adapters import Adapter
from soloml.canonical.adapters import values as v
from soloml.canonical.schema import table
from soloml.warehouse import ops
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

WHAT = {
    "money": "is not an amount of money",
    "date": "is not a date/time soloml can read",
    "number": "is not a number",
    "status": "is a status soloml cannot map",
    "zone": "is a time zone soloml does not know",
    "value": "has a value soloml cannot map",
}
FIX = "Fix the value in the file and load it again."


def quarantine_checks(
    con: Connection, rows: str, adapter: Adapter, load_id: str, headers: dict[str, str], *, source: str | None = None
) -> int:
    """Move rows whose checked columns do not parse from `rows` to ops.quarantine; returns how many."""
    if not adapter.checks:
        return 0
    present = {d[0] for d in con.execute(f"SELECT * FROM {rows} LIMIT 0").description}
    reasons = []
    for check in adapter.checks:
        if check.column not in present:
            continue
        header = headers.get(check.column, check.column)
        raw = v.text(check.column)
        message = f"{v.lit(f'Column {header!r} on row ')} || _source_row || {v.lit(f' {WHAT[check.kind]}: got ')} || {v.lit(chr(39))} || {raw} || {v.lit(chr(39) + '. ' + FIX)}"
        reasons.append(f"CASE WHEN {raw} IS NOT NULL AND ({check.parse(check.column)}) IS NULL THEN {message} END")
    if not reasons:
        return 0
    return _move(con, rows, f"concat_ws(' ', {', '.join(reasons)})", load_id, source)


def quarantine_rows(
    con: Connection, rows: str, staged: dict[str, str], load_id: str, *, source: str | None = None
) -> int:
    """Quarantine source rows whose mapped output leaves a required core column empty; drop them from every stage."""
    bad_parts = []
    for name, stage in staged.items():
        if name == "customers":
            continue
        present = {d[0] for d in con.execute(f"SELECT * FROM {stage} LIMIT 0").description}
        if "_source_row" not in present:
            continue
        for column in table(name).columns:
            if column.required and column.name != "customer_id":
                value = quote_ident(column.name) if column.name in present else "NULL"
                reason = f"core.{name}.{column.name} would be empty: the file has no value for it on this row. {FIX}"
                bad_parts.append(f"SELECT _source_row, '{reason}' AS reason FROM {stage} WHERE {value} IS NULL")
    if not bad_parts:
        return 0
    _bad_table(
        con,
        f"SELECT _source_row, string_agg(DISTINCT reason, ' ') AS reason FROM ({' UNION ALL '.join(bad_parts)}) AS bad GROUP BY _source_row",
    )
    count = _insert(con, rows, "_soloml_bad", load_id, source)
    for stage in staged.values():
        present = {d[0] for d in con.execute(f"SELECT * FROM {stage} LIMIT 0").description}
        if "_source_row" in present:
            con.execute(f"DELETE FROM {stage} WHERE _source_row IN (SELECT _source_row FROM _soloml_bad)")
    con.execute("DROP TABLE _soloml_bad")
    return count


def _move(con: Connection, rows: str, reason_sql: str, load_id: str, source: str | None) -> int:
    _bad_table(
        con,
        f"SELECT _source_row, reason FROM (SELECT _source_row, {reason_sql} AS reason FROM {rows} WHERE _current) AS checked WHERE reason <> ''",
    )
    count = _insert(con, rows, "_soloml_bad", load_id, source)
    con.execute(f"DELETE FROM {rows} WHERE _current AND _source_row IN (SELECT _source_row FROM _soloml_bad)")
    con.execute("DROP TABLE _soloml_bad")
    return count


def _bad_table(con: Connection, select_sql: str) -> None:
    """The temp table _soloml_bad (_source_row, reason) as `select_sql`: dropped and made, as Postgres has no CREATE OR REPLACE TABLE."""
    con.execute("DROP TABLE IF EXISTS _soloml_bad")
    con.execute(f"CREATE TEMP TABLE _soloml_bad AS {select_sql}")


def _insert(con: Connection, rows: str, bad: str, load_id: str, source: str | None) -> int:
    """The bad rows into ops.quarantine, each with its raw row as JSON: every column but _current, listed (no * EXCLUDE)."""
    listed = [d[0] for d in con.execute(f"SELECT * FROM {rows} LIMIT 0").description if d[0] != "_current"]
    ops.insert_select(
        con,
        "quarantine",
        ["load_id", "row_number", "raw_row", "reason", "source"],
        f"SELECT ?, b._source_row, to_json(r), b.reason, ? FROM {bad} b JOIN (SELECT {', '.join(quote_ident(c) for c in listed)} FROM {rows} WHERE _current) r USING (_source_row)",
        [load_id, source],
    )
    row = con.execute(f"SELECT count(*) FROM {bad}").fetchone()
    return int(row[0]) if row else 0
