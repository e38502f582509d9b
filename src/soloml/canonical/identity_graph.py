"""Who is who, from all the evidence: the graph behind identity resolution.

Nodes are records (a source and its id for a person) plus the shared keys that join them: normalised
emails and the ids of other systems a record names. `record_evidence` adds a load's hints to
`core.identity_evidence`; `rebuild` takes some records (a load's, or a decision's), walks the evidence to
every record connected to them (the closure), splits that into people (union-find), and hands each person's
records to identity_people.py, which writes the crosswalk and core.customers. Nothing here depends on which
records were known before: the same evidence always gives the same people, ids and links.

A decision (`soloml identities --accept`) runs `rebuild` on the warehouse itself, so its SQL is written to run on
Postgres too (semi-joins as EXISTS, not a row compared with a subquery's row value; issue 18).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from soloml.canonical.identity_keys import email_key_sql, new_customer_id, phone_key_sql, zip_key_sql
from soloml.canonical.identity_people import Person, write_people
from soloml.warehouse.base import Connection

ANY = "*"  # link_source of a reference id that may be any source's id
EVIDENCE = "core.identity_evidence"
NODES = "_soloml_id_nodes"
# a record's link edges: a named source's id, or (ANY) any other source's id that equals the reference
_ALL_NODES = (
    f"(SELECT source, source_id FROM {EVIDENCE} UNION "
    f"SELECT link_source, link_id FROM {EVIDENCE} WHERE link_source <> '{ANY}')"
)
RULES = ("source_id", "reference_id", "email", "accepted")  # strongest first; a record with none is 'new'


@dataclass(frozen=True)
class Rebuilt:
    written: tuple[str, ...]  # customers whose row was (re)written
    identities_written: int
    merged: tuple[tuple[str, str], ...]
    customer_ids: tuple[str, ...]  # every customer the rebuild looked at


def record_evidence(con: Connection, records: str, *, load_id: str) -> None:
    """Add a load's hints to core.identity_evidence (one row per distinct fact; sightings widen first/last_seen),
    and leave `_soloml_id_seeds(source, source_id)`: the records this load names."""
    key = email_key_sql("email")
    fields = "source, source_id, email, email_key, link_source, link_id, name, kind, phone, zip, country"
    hint_id = (
        "md5(concat_ws(chr(31), "
        + ", ".join(f"coalesce(CAST({f.strip()} AS VARCHAR), chr(0))" for f in fields.split(","))
        + "))"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _soloml_id_hints AS
        WITH raw AS (  -- distinct values first: 100k email events name a few thousand people
            SELECT source, source_customer_id, email, customer_name, kind, customer_phone, customer_zip, customer_country,
                   linked_source, linked_source_id, reference_id, min(seen_at) AS seen_first, max(seen_at) AS seen_last
            FROM {records} GROUP BY ALL
        ), base AS (
            SELECT source, NULLIF(trim(source_customer_id), '') AS sid, lower(trim(email)) AS email, {key} AS email_key,
                   NULLIF(trim(customer_name), '') AS name, coalesce(kind, 'payments') AS kind,
                   {phone_key_sql("customer_phone")} AS phone, {zip_key_sql("customer_zip")} AS zip,
                   NULLIF(trim(customer_country), '') AS country,
                   NULLIF(trim(linked_source), '') AS linked_source, NULLIF(trim(linked_source_id), '') AS linked_id,
                   NULLIF(trim(CAST(reference_id AS VARCHAR)), '') AS reference_id, seen_first, seen_last
            FROM raw
        ), keyed AS (
            SELECT *, coalesce(sid, email_key) AS source_id FROM base WHERE coalesce(sid, email_key) IS NOT NULL
        ), linked AS (
            SELECT *, CASE WHEN linked_id IS NOT NULL THEN linked_source END AS link_source,
                   CASE WHEN linked_source IS NOT NULL THEN linked_id END AS link_id FROM keyed
            UNION ALL
            SELECT *, '{ANY}', reference_id FROM keyed WHERE reference_id IS NOT NULL
        )
        SELECT {fields}, min(seen_first) AS first_seen, max(seen_last) AS last_seen
        FROM linked
        WHERE NOT coalesce(link_source = source AND link_id = source_id, false)
        GROUP BY ALL
    """)
    con.execute(f"""
        MERGE INTO {EVIDENCE} e
        USING (SELECT {hint_id} AS hint_id, * FROM _soloml_id_hints) h ON e.hint_id = h.hint_id
        WHEN MATCHED AND (h.first_seen < e.first_seen OR h.last_seen > e.last_seen
                          OR (e.first_seen IS NULL AND h.first_seen IS NOT NULL)) THEN UPDATE SET
            first_seen = CASE WHEN e.first_seen IS NULL THEN h.first_seen ELSE least(e.first_seen, coalesce(h.first_seen, e.first_seen)) END,
            last_seen = CASE WHEN e.last_seen IS NULL THEN h.last_seen ELSE greatest(e.last_seen, coalesce(h.last_seen, e.last_seen)) END
        WHEN NOT MATCHED THEN INSERT ({"hint_id, " + fields}, first_seen, last_seen, _load_id)
            VALUES (h.hint_id, {", ".join("h." + f.strip() for f in fields.split(","))}, h.first_seen, h.last_seen, '{load_id}')
    """)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _soloml_id_seeds AS SELECT DISTINCT source, source_id FROM _soloml_id_hints"
    )
    con.execute("DROP TABLE _soloml_id_hints")


def backfill_evidence(con: Connection, *, load_id: str) -> None:
    """A warehouse resolved before the evidence table existed: turn its crosswalk into evidence once (each record's
    email, and its customer's name, country and first sighting), so the people it knew are rebuilt, not forgotten."""
    row = con.execute(
        f"SELECT (SELECT count(*) FROM {EVIDENCE}), (SELECT count(*) FROM core.customer_identities)"
    ).fetchone()
    if not row or row[0] or not row[1]:
        return
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _soloml_id_old AS
        SELECT x.source, x.source_id AS source_customer_id, x.email, c.name AS customer_name, c.country AS customer_country,
               NULL::VARCHAR AS customer_phone, NULL::VARCHAR AS customer_zip, NULL::VARCHAR AS linked_source,
               NULL::VARCHAR AS linked_source_id, NULL::VARCHAR AS reference_id, 'customers' AS kind, c.created_at AS seen_at
        FROM core.customer_identities x LEFT JOIN core.customers c USING (customer_id)
    """)
    record_evidence(con, "_soloml_id_old", load_id=load_id)
    con.execute("DROP TABLE _soloml_id_old")
    con.execute("DROP TABLE IF EXISTS _soloml_id_seeds")


def closure(con: Connection, seeds: str) -> None:
    """`_soloml_id_nodes(source, source_id)`: every node connected to `seeds` through the evidence and accepted links."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {NODES} AS SELECT DISTINCT source, source_id FROM {seeds}")
    while True:
        added = con.execute(f"""
            INSERT INTO {NODES}
            WITH ev AS (SELECT e.* FROM {EVIDENCE} e
                        WHERE EXISTS (SELECT 1 FROM {NODES} n WHERE n.source = e.source AND n.source_id = e.source_id))
            SELECT e.source, e.source_id FROM {EVIDENCE} e
             WHERE e.email_key IN (SELECT email_key FROM ev WHERE email_key IS NOT NULL)
            UNION SELECT link_source, link_id FROM ev WHERE link_source <> '{ANY}'
            UNION SELECT n.source, n.source_id FROM ev JOIN {_ALL_NODES} n
               ON ev.link_source = '{ANY}' AND n.source_id = ev.link_id AND n.source <> ev.source
            UNION SELECT e.source, e.source_id FROM {EVIDENCE} e JOIN {NODES} c
               ON e.link_id = c.source_id AND (e.link_source = c.source OR (e.link_source = '{ANY}' AND e.source <> c.source))
            UNION SELECT d.source_b, d.source_id_b FROM core.identity_decisions d JOIN {NODES} c
               ON d.decision = 'accepted' AND d.source_a = c.source AND d.source_id_a = c.source_id
            UNION SELECT d.source_a, d.source_id_a FROM core.identity_decisions d JOIN {NODES} c
               ON d.decision = 'accepted' AND d.source_b = c.source AND d.source_id_b = c.source_id
            EXCEPT SELECT source, source_id FROM {NODES}
        """).fetchone()
        if not added or not added[0]:
            break


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple, tuple] = {}

    def find(self, x: tuple) -> tuple:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: tuple, b: tuple) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _edges(con: Connection) -> tuple[list[tuple], list[tuple]]:
    """(hub edges: record, hub node, rule) and (record-record edges: a, b, rule) inside the closure."""
    hubs = [
        (("r", s, i), ("e", k), "email")
        for s, i, k in con.execute(f"""
        SELECT DISTINCT e.source, e.source_id, e.email_key FROM {EVIDENCE} e JOIN {NODES} USING (source, source_id)
        WHERE e.email_key IS NOT NULL""").fetchall()
    ]
    hubs += [
        (("r", s, i), ("r", ls, li), "source_id")
        for s, i, ls, li in con.execute(f"""
        SELECT DISTINCT e.source, e.source_id, e.link_source, e.link_id FROM {EVIDENCE} e JOIN {NODES} USING (source, source_id)
        WHERE e.link_source <> '{ANY}'""").fetchall()
    ]
    pairs = [
        (("r", s, i), ("r", ns, ni), "reference_id")
        for s, i, ns, ni in con.execute(f"""
        SELECT DISTINCT e.source, e.source_id, n.source, n.source_id FROM {EVIDENCE} e JOIN {NODES} USING (source, source_id)
        JOIN {NODES} n ON e.link_source = '{ANY}' AND n.source_id = e.link_id AND n.source <> e.source""").fetchall()
    ]
    pairs += [
        (("r", a, ai), ("r", b, bi), "accepted")
        for a, ai, b, bi in con.execute(f"""
        SELECT source_a, source_id_a, source_b, source_id_b FROM core.identity_decisions d
        WHERE decision = 'accepted'
          AND EXISTS (SELECT 1 FROM {NODES} n WHERE n.source = d.source_a AND n.source_id = d.source_id_a)""").fetchall()
    ]
    return hubs, pairs


def people(con: Connection) -> list[Person]:
    """Split the closure into people: records joined by shared hubs or direct links; each with its anchor and rules."""
    records = {
        ("r", s, i)
        for s, i in con.execute(
            f"SELECT DISTINCT source, source_id FROM {EVIDENCE} JOIN {NODES} USING (source, source_id)"
        ).fetchall()
    }
    hubs, pairs = _edges(con)
    uf = _UnionFind()
    for node in records:
        uf.find(node)
    for a, b, _ in (*hubs, *pairs):
        uf.union(a, b)
    # a record's rule: the strongest edge to another record, directly or through a hub that another record shares
    hub_members: dict[tuple, set[tuple]] = {}
    emails: dict[tuple, list[str]] = {}
    for record, hub, rule in hubs:
        hub_members.setdefault(hub, set()).add(record)
        if rule == "email":
            emails.setdefault(record, []).append(hub[1])
    rules: dict[tuple, set[str]] = {}
    for record, hub, rule in hubs:
        others = hub_members[hub] - {record} | ({hub} if hub in records else set())
        if others:
            rules.setdefault(record, set()).add(rule)
            if hub in records:
                rules.setdefault(hub, set()).add(rule)
    for a, b, rule in pairs:
        if a in records and b in records:
            rules.setdefault(a, set()).add(rule)
            rules.setdefault(b, set()).add(rule)
    groups: dict[tuple, list[tuple]] = {}
    for node in records:
        groups.setdefault(uf.find(node), []).append(node)
    found = []
    for members in groups.values():
        # the id hangs on the person's smallest email key (their smallest 'source:id' when they have no email)
        keys = [e for n in members for e in emails.get(n, ())]
        customer_id = new_customer_id(min(keys) if keys else min(f"{n[1]}:{n[2]}" for n in members))
        found.append(
            Person(
                customer_id,
                tuple((n[1], n[2], next((r for r in RULES if r in rules.get(n, ())), "new")) for n in sorted(members)),
            )
        )
    return found


def rebuild(con: Connection, seeds: str, *, load_id: str) -> Rebuilt:
    """Re-derive every person connected to the records in `seeds` and write them (crosswalk, core.customers)."""
    closure(con, seeds)
    try:
        found = people(con)
        frame = pd.DataFrame(
            [(s, i, p.customer_id, rule) for p in found for s, i, rule in p.records],
            columns=["source", "source_id", "customer_id", "matched_by"],
        ).astype("string")
        written = write_people(con, frame, load_id=load_id)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {NODES}")
    return Rebuilt(written.customers, written.identities, written.merged, tuple(sorted({p.customer_id for p in found})))
