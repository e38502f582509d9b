"""Change history (SCD2) for history tables: subscriptions, contacts, deals.

Each record keeps one row per version with `valid_from`, `valid_to` (NULL while current) and
`is_current`. A load that changes a record closes its current version and opens a new one; an unchanged
record writes nothing. A new version starts at the record's own change time when it carries one (a
cancellation at `canceled_at`, a deal at `closed_at`, a contact at `stage_changed_at`), else at the load
time. The first time a record is seen, its known past is rebuilt from its own timestamps: a subscription
already canceled gets an 'active' version from `started_at` to `canceled_at`, then a 'canceled' one, so
"what did we know on date X" works from the very first load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from soloml.canonical.table_types import Table
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident


@dataclass(frozen=True)
class PastState:
    """An earlier version a brand-new record implies: when `when` holds, it was in the state `earlier` describes
    from `since` until `until`."""

    when: str  # SQL condition on the record
    since: str  # SQL: when the earlier state began
    until: str  # SQL: when it ended
    earlier: dict[str, str] = field(default_factory=dict)  # column -> SQL value in the earlier state


@dataclass(frozen=True)
class Timeline:
    """How a record first seen in a load unfolds: its earlier versions, and when its current version began."""

    past: tuple[PastState, ...]
    current_from: str  # SQL; NULL falls back to the table's time column, then the load time


_TRIAL_END = "(CASE WHEN _trial_end > started_at THEN _trial_end END)"
_CANCELED = "(CASE WHEN status = 'canceled' THEN coalesce(canceled_at, ended_at) END)"
_NOT_CANCELED = {"canceled_at": "NULL", "ended_at": "NULL"}

TIMELINES: dict[str, Timeline] = {
    # trialing until the trial ended (or the cancellation, if sooner), active until canceled, then canceled
    "subscriptions": Timeline(
        past=(
            PastState(
                when=f"{_TRIAL_END} IS NOT NULL AND status <> 'trialing'",
                since="started_at",
                until=f"least({_TRIAL_END}, coalesce({_CANCELED}, {_TRIAL_END}))",
                earlier={"status": "'trialing'", **_NOT_CANCELED},
            ),
            PastState(
                when=f"{_CANCELED} > coalesce({_TRIAL_END}, started_at)",
                since=f"coalesce({_TRIAL_END}, started_at)",
                until=_CANCELED,
                earlier={"status": "'active'", **_NOT_CANCELED},
            ),
        ),
        current_from=(
            f"CASE WHEN {_CANCELED} > started_at THEN {_CANCELED} "
            f"WHEN status <> 'trialing' AND {_TRIAL_END} IS NOT NULL THEN {_TRIAL_END} END"
        ),
    ),
    "deals": Timeline(
        past=(
            PastState(
                when="is_closed AND closed_at > created_at",
                since="created_at",
                until="closed_at",
                earlier={"stage": "'open'", "is_closed": "false", "won": "NULL", "closed_at": "NULL"},
            ),
        ),
        current_from="CASE WHEN is_closed AND closed_at > created_at THEN closed_at END",
    ),
    "contacts": Timeline(
        past=(
            PastState(
                when="lifecycle_stage = 'customer' AND became_customer_at > created_at",
                since="created_at",
                until="became_customer_at",
                earlier={"lifecycle_stage": "NULL", "became_customer_at": "NULL"},
            ),
        ),
        current_from="CASE WHEN lifecycle_stage = 'customer' AND became_customer_at > created_at THEN became_customer_at END",
    ),
}
HINTS = ("_changed_at", "_trial_end")  # optional control columns an adapter may give a history table

# When a changed record says it changed (before falling back to the load time).
CHANGE_TIMES: dict[str, str] = {
    "subscriptions": "CASE WHEN status = 'canceled' THEN coalesce(canceled_at, ended_at) END",
    "deals": "CASE WHEN is_closed THEN closed_at END",
    "contacts": "stage_changed_at",
}


def compared_columns(table: Table) -> tuple[str, ...]:
    """Columns whose change makes a new version (customer_id is corrected in place instead)."""
    return tuple(c.name for c in table.columns if c.name != "customer_id")


def write_versions(con: Connection, table: Table, conformed: str, *, load_id: str, loaded_at: datetime) -> int:
    """Apply a conformed load (one row per key, plus the HINTS columns) to history table `table`; returns versions written."""
    cols = [c.name for c in table.columns]
    q = {c: quote_ident(c) for c in cols}
    col_list = ", ".join(q[c] for c in cols)
    keys = " AND ".join(f"t.{quote_ident(k)} = c.{quote_ident(k)}" for k in table.key)
    differs = " OR ".join(f"c.{q[c]} IS DISTINCT FROM t.{q[c]}" for c in compared_columns(table))
    timeline = TIMELINES.get(table.name, Timeline(past=(), current_from="NULL"))
    change = CHANGE_TIMES.get(table.name, "NULL")
    start = quote_ident(table.time_column) if table.time_column else "NULL"
    loaded = "CAST(? AS TIMESTAMP)"
    target = table.qualified
    before = _count(con, target)

    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _soloml_h_changed AS
        SELECT c.*, t.valid_from AS _current_from
        FROM {conformed} c JOIN {target} t ON {keys} AND t.is_current
        WHERE {differs}
    """)
    con.execute(f"""
        UPDATE {target} t SET customer_id = c.customer_id FROM {conformed} c
        WHERE {keys} AND t.customer_id IS DISTINCT FROM c.customer_id
    """)
    # brand-new records: rebuild the known past, then the current version
    earlier = [
        f"SELECT {', '.join(p.earlier.get(c, q[c]) for c in cols)}, {p.since}, {p.until}, false, $load FROM fresh "
        f"WHERE coalesce({p.when}, false)"
        for p in timeline.past
    ]
    current = f"SELECT {col_list}, coalesce({timeline.current_from}, {start}, CAST($loaded AS TIMESTAMP)), NULL, true, $load FROM fresh"
    con.execute(
        f"""
        INSERT INTO {target} ({col_list}, valid_from, valid_to, is_current, _load_id)
        WITH fresh AS (
            SELECT * FROM {conformed} c WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {keys})
        )
        {" UNION ALL ".join([*earlier, current])}
    """,
        {"load": load_id, "loaded": loaded_at},
    )
    # changed records: close the current version at the change time, open the new one
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _soloml_h_versions AS
        SELECT *, CASE WHEN own > _current_from AND own <= {loaded} THEN own
                       ELSE greatest({loaded}, _current_from) END AS _valid_from
        FROM (SELECT *, coalesce({change}, _changed_at) AS own FROM _soloml_h_changed)
    """,
        [loaded_at, loaded_at],
    )
    con.execute(f"""
        UPDATE {target} t SET valid_to = c._valid_from, is_current = false
        FROM _soloml_h_versions c WHERE {keys} AND t.is_current
    """)
    con.execute(
        f"""
        INSERT INTO {target} ({col_list}, valid_from, valid_to, is_current, _load_id)
        SELECT {col_list}, _valid_from, NULL, true, ? FROM _soloml_h_versions
    """,
        [load_id],
    )
    con.execute("DROP TABLE _soloml_h_changed")
    con.execute("DROP TABLE _soloml_h_versions")
    return _count(con, target) - before


def _count(con: Connection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0
