"""Write a typed stage into raw.<name>: create it, widen its columns, then upsert by key or append without duplicates.

Runs inside the caller's transaction. Every raw table carries `_load_id`, `_loaded_at` and `_source_row`
after its data columns. With a key, rows of earlier loads whose key reappears with different content are
replaced; with or without a key, a row identical (NULL-safe, in every column the new file has) to one
already there is skipped, so a re-export never duplicates rows. Comparing typed values in SQL costs an
anti-join only when the table already exists; a first load pays nothing for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from soloml.errors import LoadError
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident, table_exists
from soloml.warehouse.stage import HELPER_COLUMNS, TypedStage, meta_sql

META_COLUMNS = ("_load_id", "_loaded_at", "_source_row")
_INTEGERS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


@dataclass(frozen=True)
class LandCounts:
    inserted: int
    skipped: int  # identical rows already in the table
    replaced: int  # earlier rows replaced by a changed row with the same key


def _rank(sql_type: str) -> int | None:
    upper = sql_type.upper()
    if upper in _INTEGERS:
        return 0
    if upper.startswith("DECIMAL"):
        return 1
    if upper in ("DOUBLE", "FLOAT", "REAL"):
        return 2
    return None


def common_type(old: str, new: str) -> str:
    """The narrowest type holding both: numbers widen, a date widens to a timestamp, anything else becomes text."""
    if old.upper() == new.upper():
        return old
    if old.upper().startswith("DECIMAL") and new.upper().startswith("DECIMAL"):
        return _wider_decimal(old, new)
    a, b = _rank(old), _rank(new)
    if a is not None and b is not None:
        return old if a >= b else new
    if {old.upper(), new.upper()} == {"DATE", "TIMESTAMP"}:
        return "TIMESTAMP"
    return "VARCHAR"


def _wider_decimal(old: str, new: str) -> str:
    """A DECIMAL with the integer digits and the scale of both (DOUBLE past DuckDB's 38 digits)."""
    (p1, s1), (p2, s2) = (tuple(int(x) for x in re.findall(r"\d+", t)[:2]) or (18, 3) for t in (old, new))
    scale = max(s1, s2)
    precision = max(p1 - s1, p2 - s2) + scale
    return f"DECIMAL({precision},{scale})" if precision <= 38 else "DOUBLE"


def column_types(con: Connection, qualified: str) -> dict[str, str]:
    schema, _, name = qualified.partition(".")
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def land(
    con: Connection,
    typed: TypedStage,
    target: str,
    *,
    key: Sequence[str] = (),
    load_id: str,
    loaded_at: datetime,
) -> LandCounts:
    """Write the good rows of `typed` into `target` ('raw.name')."""
    data = [(p.name, p.sql_type) for p in typed.plans]
    missing = [k for k in key if k not in {n for n, _ in data}]
    if missing:
        raise LoadError(
            f"The key column(s) {', '.join(missing)} for {target} are not in the file (it has: {', '.join(n for n, _ in data)}).",
            hint="Load it under another name with --as, or check that the export has its id column.",
        )
    good_rows = typed.rows - typed.bad_rows
    if typed.direct:  # type_stage wrote the new table itself: drop its bad rows and helper columns
        if typed.table != target:
            raise LoadError(
                f"Internal: typed rows were written to {typed.table}, not {target}.", hint="Report this as a bug."
            )
        if typed.bad_rows:
            con.execute(f"DELETE FROM {target} WHERE _soloml_bad")
        for helper in HELPER_COLUMNS:
            con.execute(f"ALTER TABLE {target} DROP COLUMN {helper}")
        return LandCounts(inserted=good_rows, skipped=0, replaced=0)
    meta = meta_sql(load_id, loaded_at)
    if not table_exists(con, target):
        cols = ", ".join(f"{quote_ident(n)}" for n, _ in data)
        sep = ", " if cols else ""
        con.execute(f"CREATE TABLE {target} AS SELECT {cols}{sep}{meta} FROM {typed.table} WHERE NOT _soloml_bad")
        return LandCounts(inserted=good_rows, skipped=0, replaced=0)

    existing = column_types(con, target)
    for name, sql_type in data:
        if name not in existing:
            con.execute(f"ALTER TABLE {target} ADD COLUMN {quote_ident(name)} {sql_type}")
            existing[name] = sql_type
        else:
            wanted = common_type(existing[name], sql_type)
            if wanted.upper() != existing[name].upper():
                con.execute(f"ALTER TABLE {target} ALTER COLUMN {quote_ident(name)} SET DATA TYPE {wanted}")
                existing[name] = wanted

    names = [n for n, _ in data]
    typed_as_table = {n: f"CAST(n.{quote_ident(n)} AS {existing[n]})" for n in names}
    same_row = " AND ".join(f"t.{quote_ident(c)} IS NOT DISTINCT FROM {typed_as_table[c]}" for c in names) or "true"
    replaced = 0
    if key:
        same_key = " AND ".join(f"t.{quote_ident(k)} IS NOT DISTINCT FROM {typed_as_table[k]}" for k in key)
        replaced = int(
            con.execute(
                f"DELETE FROM {target} t WHERE EXISTS (SELECT 1 FROM {typed.table} n WHERE NOT n._soloml_bad AND {same_key}) "
                f"AND NOT EXISTS (SELECT 1 FROM {typed.table} n WHERE NOT n._soloml_bad AND {same_row})"
            ).fetchall()[0][0]
        )
    insert_cols = ", ".join([*(quote_ident(n) for n in names), *META_COLUMNS])
    values = ", ".join(typed_as_table[n] for n in names)
    sep = ", " if values else ""
    meta_n = meta_sql(load_id, loaded_at, "n._source_row")
    inserted = int(
        con.execute(
            f"INSERT INTO {target} ({insert_cols}) SELECT {values}{sep}{meta_n} FROM {typed.table} n "
            f"WHERE NOT n._soloml_bad AND NOT EXISTS (SELECT 1 FROM {target} t WHERE {same_row})"
        ).fetchall()[0][0]
    )
    return LandCounts(inserted=inserted, skipped=good_rows - inserted, replaced=replaced)
