"""Writing people: the crosswalk (core.customer_identities) and core.customers, from the evidence.

A customer's email, name and country come from the most telling record: a CRM contact first, then a
customer record, then payments and orders (a card name such as 'M BROWN' only when nothing better is known),
the latest sighting among equals. `created_at` is the first sighting anywhere, `first_source` where it was.
`has_purchased` / `first_purchase_at` come from core's own money rows (see PURCHASES). Only rows that change
are written, so a re-load writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from soloml.canonical.schema import FIRST_PURCHASES, TABLES
from soloml.warehouse.base import Connection

ASSIGNED = "_soloml_id_assigned"
# When the customers in {ids} first paid (schema.FIRST_PURCHASES, for those customers only).
PURCHASES = FIRST_PURCHASES.replace(
    "WHERE customer_id IS NOT NULL", "WHERE customer_id IN (SELECT customer_id FROM {ids})"
)
_LATEST = "-epoch(coalesce(e.last_seen, TIMESTAMP '1900-01-01'))"
# whose name (email, country) names a person: a CRM contact, then a customer record, then a payment or order
_RANK = "CASE e.kind WHEN 'contacts' THEN 0 WHEN 'customers' THEN 1 ELSE 2 END"
_EARLIEST = "coalesce(e.first_seen, TIMESTAMP '9999-12-31')"


@dataclass(frozen=True)
class Person:
    """One real person: their customer id and every record of theirs, with the rule that links each (or 'new')."""

    customer_id: str
    records: tuple[tuple[str, str, str], ...]  # (source, source_id, matched_by)


@dataclass(frozen=True)
class Written:
    customers: tuple[str, ...]  # ids whose core.customers row was written
    identities: int
    merged: tuple[tuple[str, str], ...]


def write_people(con: Connection, assigned: pd.DataFrame, *, load_id: str) -> Written:
    """Apply (source, source_id, customer_id, matched_by) rows: rewrite merged ids, then the crosswalk and customers."""
    con.register("_soloml_id_assigned_frame", assigned)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {ASSIGNED} AS SELECT * FROM _soloml_id_assigned_frame")
    con.unregister("_soloml_id_assigned_frame")
    try:
        merges = _merges(con)
        apply_merges(con, merges)
        identities = _write_crosswalk(con, load_id)
        customers = _write_customers(con, load_id)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {ASSIGNED}")
    return Written(customers, identities, merges)


def _merges(con: Connection) -> tuple[tuple[str, str], ...]:
    """(old id, kept id) for every record whose customer id changes; an old id goes to one kept id."""
    rows = con.execute(f"""
        SELECT x.customer_id, min(a.customer_id) FROM core.customer_identities x JOIN {ASSIGNED} a USING (source, source_id)
        WHERE x.customer_id <> a.customer_id AND x.customer_id NOT IN (SELECT customer_id FROM {ASSIGNED})
        GROUP BY x.customer_id ORDER BY 1
    """).fetchall()
    return tuple((str(old), str(keep)) for old, keep in rows)


def apply_merges(con: Connection, merges: tuple[tuple[str, str], ...]) -> None:
    """Rewrite merged-away customer ids to the kept one in every core table, and drop their customers rows."""
    if not merges:
        return
    con.register("_soloml_merges", pd.DataFrame(list(merges), columns=["old_id", "keep_id"]).astype("string"))
    for t in TABLES.values():
        if t.name not in ("customers", "customer_identities") and "customer_id" in t.column_names:
            con.execute(
                f"UPDATE core.{t.name} SET customer_id = m.keep_id FROM _soloml_merges m WHERE core.{t.name}.customer_id = m.old_id"
            )
    con.execute("DELETE FROM core.customers WHERE customer_id IN (SELECT old_id FROM _soloml_merges)")
    con.unregister("_soloml_merges")


def _write_crosswalk(con: Connection, load_id: str) -> int:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _soloml_id_rows AS
        SELECT a.source, a.source_id, arg_min(e.email_key, ({_LATEST}, e.email_key)) FILTER (WHERE e.email_key IS NOT NULL) AS email,
               a.customer_id, a.matched_by
        FROM {ASSIGNED} a JOIN core.identity_evidence e USING (source, source_id) GROUP BY ALL
        EXCEPT SELECT source, source_id, email, customer_id, matched_by FROM core.customer_identities
    """)
    con.execute(
        "DELETE FROM core.customer_identities x USING _soloml_id_rows r WHERE x.source = r.source AND x.source_id = r.source_id"
    )
    con.execute(
        """INSERT INTO core.customer_identities (source, source_id, email, customer_id, matched_by, _load_id)
                   SELECT *, ? FROM _soloml_id_rows""",
        [load_id],
    )
    return _count_and_drop(con, "_soloml_id_rows")


def _write_customers(con: Connection, load_id: str) -> tuple[str, ...]:
    ids = f"(SELECT DISTINCT customer_id FROM {ASSIGNED})"
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _soloml_people AS
        WITH ev AS (SELECT a.customer_id, e.* FROM {ASSIGNED} a JOIN core.identity_evidence e USING (source, source_id)),
        people AS (
            SELECT customer_id,
                   arg_min(email, ({_RANK}, {_LATEST}, email)) FILTER (WHERE email IS NOT NULL) AS email,
                   arg_min(name, ({_RANK}, {_LATEST}, name)) FILTER (WHERE name IS NOT NULL) AS name,
                   arg_min(country, ({_RANK}, {_LATEST}, country)) FILTER (WHERE country IS NOT NULL) AS country,
                   min(first_seen) AS created_at,
                   arg_min(source, ({_EARLIEST}, source)) AS first_source
            FROM ev e GROUP BY customer_id
        )
        SELECT p.*, f.first_purchase_at IS NOT NULL AS has_purchased, f.first_purchase_at
        FROM people p LEFT JOIN ({PURCHASES.format(ids=ids)}) f USING (customer_id)
        EXCEPT SELECT {_CUSTOMER_COLUMNS} FROM core.customers
    """)
    con.execute("DELETE FROM core.customers WHERE customer_id IN (SELECT customer_id FROM _soloml_people)")
    con.execute(
        f"INSERT INTO core.customers ({_CUSTOMER_COLUMNS}, _load_id) SELECT *, ? FROM _soloml_people", [load_id]
    )
    ids = tuple(sorted(str(r[0]) for r in con.execute("SELECT customer_id FROM _soloml_people").fetchall()))
    con.execute("DROP TABLE _soloml_people")
    return ids


_CUSTOMER_COLUMNS = "customer_id, email, name, country, created_at, first_source, has_purchased, first_purchase_at"


def refresh_purchases(con: Connection, ids: str, *, load_id: str) -> set[str]:
    """Bring has_purchased / first_purchase_at up to date for the customers in `ids` (a relation with customer_id);
    returns the ids whose row changed."""
    rows = con.execute(
        f"""
        UPDATE core.customers c SET has_purchased = f.first_purchase_at IS NOT NULL, first_purchase_at = f.first_purchase_at,
               _load_id = ?
        FROM (SELECT i.customer_id, p.first_purchase_at FROM (SELECT DISTINCT customer_id FROM {ids}) i
              LEFT JOIN ({PURCHASES.format(ids=ids)}) p USING (customer_id)) f
        WHERE c.customer_id = f.customer_id
          AND (c.first_purchase_at IS DISTINCT FROM f.first_purchase_at OR c.has_purchased IS DISTINCT FROM (f.first_purchase_at IS NOT NULL))
        RETURNING c.customer_id
    """,
        [load_id],
    ).fetchall()
    return {str(r[0]) for r in rows}


def _count_and_drop(con: Connection, temp: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {temp}").fetchone()
    con.execute(f"DROP TABLE {temp}")
    return int(row[0]) if row else 0
