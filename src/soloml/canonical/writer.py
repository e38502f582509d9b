"""Upserts into core.*: only the keys a load touched, and only rows that actually changed.

A staged table holds an adapter's output for one load (any subset of the canonical columns plus
`_source_row`, with `customer_id` already resolved). `conform` turns it into exactly the table's columns
and types with one row per key (the last source row wins); `upsert` replaces changed rows; history tables
go through history.py instead.
"""

from __future__ import annotations

from datetime import datetime

from soloml.canonical.history import HINTS, write_versions
from soloml.canonical.table_types import Table
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

# Child tables whose rows are replaced as a set per parent: an order's lines removed at the vendor disappear.
PARENTS = {"order_items": "order_id"}


def staged_columns(con: Connection, stage: str) -> list[str]:
    return [d[0] for d in con.execute(f"SELECT * FROM {stage} LIMIT 0").description]


def content_columns(table: Table) -> tuple[str, ...]:
    """The table's own columns: no history or lineage columns."""
    return tuple(c.name for c in table.columns)


def conform(con: Connection, table: Table, stage: str, target: str) -> None:
    """Create `target`: `stage` with exactly the table's content columns (typed), de-duplicated by key."""
    present = set(staged_columns(con, stage))
    select = ", ".join(
        f"CAST({quote_ident(c.name) if c.name in present else 'NULL'} AS {c.type}) AS {quote_ident(c.name)}"
        for c in table.columns
    )
    changed = "".join(
        f", CAST({hint} AS TIMESTAMP) AS {hint}" if hint in present else f", NULL::TIMESTAMP AS {hint}"
        for hint in HINTS
    )
    order = "_source_row DESC NULLS LAST" if "_source_row" in present else "1"
    row = ", _source_row" if "_source_row" in present else ""
    keys = ", ".join(quote_ident(k) for k in table.key)
    names = ", ".join(quote_ident(n) for n in (*content_columns(table), *HINTS))
    # ranked on the typed keys (one row per key as the table holds it) in a subquery, which Postgres runs too
    con.execute(f"DROP TABLE IF EXISTS {target}")
    con.execute(f"""
        CREATE TEMP TABLE {target} AS
        SELECT {names} FROM (
            SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {order}) AS _soloml_rank
            FROM (SELECT {select}{changed}{row} FROM {stage}) AS typed
        ) AS ranked WHERE _soloml_rank = 1
    """)
    for c in table.columns:  # in column order, so a default may use an earlier column's default
        if c.default:
            con.execute(
                f"UPDATE {target} SET {quote_ident(c.name)} = CAST(({c.default}) AS {c.type}) WHERE {quote_ident(c.name)} IS NULL"
            )


def duplicate_rows(con: Connection, table: Table, stage: str) -> int:
    """Rows of `stage` that repeat another row's key (identical content or not): all but one per key are collapsed."""
    keys = ", ".join(quote_ident(k) for k in table.key)
    row = con.execute(f"SELECT count(*) - count(DISTINCT ({keys})) FROM {stage}").fetchone()
    return int(row[0]) if row else 0


def write(
    con: Connection, table: Table, stage: str, *, load_id: str, loaded_at: datetime, complete_parents: bool = False
) -> int:
    """Apply a staged table to core.<table>; returns rows (or versions) written.

    `complete_parents`: the load holds every line of each order it mentions (an export, not an incremental
    sync), so lines no longer listed are removed."""
    target = f"_soloml_conformed_{table.name}"
    conform(con, table, stage, target)
    try:
        if table.history:
            return write_versions(con, table, target, load_id=load_id, loaded_at=loaded_at)
        return upsert(con, table, target, load_id=load_id, complete_parents=complete_parents)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {target}")


def upsert(con: Connection, table: Table, conformed: str, *, load_id: str, complete_parents: bool = False) -> int:
    cols = ", ".join(quote_ident(c) for c in content_columns(table))
    key_match = " AND ".join(f"t.{quote_ident(k)} = c.{quote_ident(k)}" for k in table.key)
    con.execute("DROP TABLE IF EXISTS _soloml_changed")
    con.execute(f"""
        CREATE TEMP TABLE _soloml_changed AS
        SELECT {cols} FROM {conformed}
        EXCEPT
        SELECT {cols} FROM {table.qualified} t WHERE EXISTS (SELECT 1 FROM {conformed} c WHERE {key_match})
    """)
    removed = 0
    parent = PARENTS.get(table.name) if complete_parents else None
    if parent:
        key = quote_ident(table.key[0])
        before = _count(con, table.qualified)
        con.execute(f"""
            DELETE FROM {table.qualified}
            WHERE {quote_ident(parent)} IN (SELECT {quote_ident(parent)} FROM {conformed})
              AND {key} NOT IN (SELECT {key} FROM {conformed})
        """)
        removed = before - _count(con, table.qualified)
    con.execute(f"DELETE FROM {table.qualified} t USING _soloml_changed c WHERE {key_match}")
    con.execute(f"INSERT INTO {table.qualified} ({cols}, _load_id) SELECT {cols}, ? FROM _soloml_changed", [load_id])
    written = _count(con, "_soloml_changed")
    con.execute("DROP TABLE _soloml_changed")
    return written + removed


def _count(con: Connection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0
