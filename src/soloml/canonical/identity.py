"""Identity resolution: one `core.customers` row per real person across every source.

Records are linked when they share a normalised email (trimmed, lower-case, '+tag' removed, dots ignored
for gmail.com/googlemail.com), the same source id, or when one carries another source's id
(`linked_source`/`linked_source_id`, e.g. a HubSpot contact with a 'Stripe Customer ID'). The crosswalk
`core.customer_identities` keeps every (source, source_id) -> customer_id. A new customer's id is
'cus_' + a short hash of the smallest normalised email (or source id) in its group, so the same data gives
the same ids whatever the load order; when a load proves two known customers are one person, the
lexicographically smaller id is kept and the other is rewritten everywhere in core.*.

>>> email_key("  Jane.Doe+news@GoogleMail.com ")
'janedoe@gmail.com'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import pandas as pd

from soloml.canonical.schema import TABLES

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
SPACES = " \t\n\v\f\r"  # what is trimmed around an email (same set in SQL)
LOOKUP = "_soloml_identity_lookup"  # (source, source_key, customer_id) for the current load


def email_key(email: str | None) -> str | None:
    """The matching key of an email; None when empty."""
    if email is None:
        return None
    text = str(email).strip(SPACES).lower()
    if not text:
        return None
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def email_key_sql(expr: str) -> str:
    """SQL version of `email_key` (same results; tested against it)."""
    spaces = " || ".join(f"chr({ord(c)})" for c in SPACES)
    t = f"NULLIF(lower(trim(CAST({expr} AS VARCHAR), {spaces})), '')"
    local = f"split_part(regexp_extract({t}, '^([\\s\\S]*)@[^@]*$', 1), '+', 1)"
    domain = f"regexp_extract({t}, '@([^@]*)$', 1)"
    gmail = f"{domain} IN ('gmail.com', 'googlemail.com')"
    return (
        f"(CASE WHEN {t} IS NULL THEN NULL WHEN NOT contains({t}, '@') THEN {t} "
        f"WHEN {gmail} THEN replace({local}, '.', '') || '@gmail.com' "
        f"ELSE {local} || '@' || {domain} END)"
    )


def new_customer_id(anchor: str) -> str:
    return "cus_" + hashlib.sha256(anchor.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class IdentityResult:
    customers_written: int
    identities_written: int
    merged: tuple[tuple[str, str], ...]  # (merged-away id, kept id)


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


def resolve(con: duckdb.DuckDBPyConnection, records: str, *, load_id: str) -> IdentityResult:
    """Resolve `records` (source, source_customer_id, email, customer_name, customer_country, linked_source,
    linked_source_id, seen_at) to customers; write the crosswalk and core.customers for the affected people,
    and leave `_soloml_identity_lookup(source, source_key, customer_id)` for the caller to join on, where
    source_key = source_customer_id, or the email key when the record has no id."""
    ek = email_key_sql("email")
    # one row per distinct identity hint first: a load of 100k events names only a few thousand people
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _soloml_id_rec AS
        WITH hints AS (
            SELECT source, NULLIF(trim(source_customer_id), '') AS sid, email,
                   NULLIF(trim(linked_source), '') AS linked_source, NULLIF(trim(linked_source_id), '') AS linked_source_id,
                   arg_min(NULLIF(trim(customer_name), ''), (coalesce(seen_at, TIMESTAMP '9999-12-31'), trim(customer_name)))
                       FILTER (WHERE NULLIF(trim(customer_name), '') IS NOT NULL) AS name,
                   arg_min(NULLIF(trim(customer_country), ''), (coalesce(seen_at, TIMESTAMP '9999-12-31'), trim(customer_country)))
                       FILTER (WHERE NULLIF(trim(customer_country), '') IS NOT NULL) AS country,
                   min(seen_at) AS seen_at
            FROM {records} GROUP BY ALL
        ), keyed AS (SELECT *, {ek} AS email_key FROM hints)
        SELECT source, coalesce(sid, email_key) AS source_id, email_key, lower(trim(email)) AS email, name, country,
               linked_source, linked_source_id, seen_at
        FROM keyed WHERE coalesce(sid, email_key) IS NOT NULL
    """)
    recs = con.execute("SELECT DISTINCT source, source_id FROM _soloml_id_rec").fetchall()
    emails = con.execute("SELECT DISTINCT source, source_id, email_key FROM _soloml_id_rec WHERE email_key IS NOT NULL").fetchall()
    links = con.execute(
        "SELECT DISTINCT source, source_id, linked_source, linked_source_id FROM _soloml_id_rec WHERE linked_source_id IS NOT NULL"
    ).fetchall()
    by_id = con.execute("""
        SELECT r.source, r.source_id, x.customer_id, x.matched_by, x.email
        FROM (SELECT DISTINCT source, source_id FROM _soloml_id_rec) r
        JOIN core.customer_identities x USING (source, source_id)
    """).fetchall()
    by_email = con.execute("""
        SELECT DISTINCT e.email_key, x.customer_id
        FROM (SELECT DISTINCT email_key FROM _soloml_id_rec WHERE email_key IS NOT NULL) e
        JOIN core.customer_identities x ON x.email = e.email_key
    """).fetchall()
    by_link = con.execute("""
        SELECT DISTINCT l.linked_source, l.linked_source_id, x.customer_id
        FROM (SELECT DISTINCT linked_source, linked_source_id FROM _soloml_id_rec WHERE linked_source_id IS NOT NULL) l
        JOIN core.customer_identities x ON x.source = l.linked_source AND x.source_id = l.linked_source_id
    """).fetchall()

    uf = _UnionFind()
    for source, source_id in recs:
        uf.find(("r", source, source_id))
    for source, source_id, key in emails:
        uf.union(("r", source, source_id), ("e", key))
    for source, source_id, lsource, lid in links:
        uf.union(("r", source, source_id), ("r", lsource, lid))
    existing = {(s, i): (c, m, e) for s, i, c, m, e in by_id}
    for (source, source_id), (cid, _, _) in existing.items():
        uf.union(("r", source, source_id), ("c", cid))
    for key, cid in by_email:
        uf.union(("e", key), ("c", cid))
    for lsource, lid, cid in by_link:
        uf.union(("r", lsource, lid), ("c", cid))

    groups: dict[tuple, list[tuple]] = {}
    for node in list(uf.parent):
        groups.setdefault(uf.find(node), []).append(node)

    taken = {row[0] for row in con.execute("SELECT customer_id FROM core.customers").fetchall()}
    assigned: dict[tuple, str] = {}
    merges: list[tuple[str, str]] = []
    for members in groups.values():
        known = sorted({n[1] for n in members if n[0] == "c"})
        if known:
            keep = known[0]
            merges.extend((old, keep) for old in known[1:])
        else:
            anchors = sorted(n[1] for n in members if n[0] == "e") or sorted(f"{n[1]}:{n[2]}" for n in members if n[0] == "r")
            keep = new_customer_id(anchors[0])
            salt = 1
            while keep in taken:
                keep, salt = new_customer_id(f"{anchors[0]}#{salt}"), salt + 1
            taken.add(keep)
        for node in members:
            assigned[node] = keep

    email_of: dict[tuple, str] = {}
    for source, source_id, key in sorted(emails):
        email_of.setdefault((source, source_id), key)
    email_users: dict[str, int] = {}
    for _, _, key in emails:
        email_users[key] = email_users.get(key, 0) + 1
    known_emails = {key for key, _ in by_email}
    rec_set = set(recs)
    known_links = {(ls, li) for ls, li, _ in by_link}
    linked_nodes = {(s, i) for s, i, ls, li in links if (ls, li) in rec_set or (ls, li) in known_links}
    linked_nodes |= {(ls, li) for _, _, ls, li in links if (ls, li) in rec_set}

    rows = []
    for source, source_id in recs:
        node = ("r", source, source_id)
        cid = assigned[node]
        key = email_of.get((source, source_id))
        old = existing.get((source, source_id))
        if old and old[1] != "linked":
            matched_by = old[1]
        elif old or (source, source_id) in linked_nodes:
            matched_by = "source_id"
        elif key and (key in known_emails or email_users.get(key, 0) > 1):
            matched_by = "email"
        else:
            matched_by = "new"
        email = key if key is not None else (old[2] if old else None)
        if old is None or (old[0], old[1], old[2]) != (cid, matched_by, email):
            rows.append((source, source_id, email, cid, matched_by))
    known = rec_set | known_links
    for _, _, lsource, lid in links:
        if (lsource, lid) not in known:  # remember the other source's id, so its record joins this person later
            rows.append((lsource, lid, None, assigned[("r", lsource, lid)], "linked"))
    rows = list({(r[0], r[1]): r for r in rows}.values())

    _apply_merges(con, merges)
    if rows:
        frame = pd.DataFrame(rows, columns=["source", "source_id", "email", "customer_id", "matched_by"])
        con.register("_soloml_id_rows", frame)
        con.execute("""
            DELETE FROM core.customer_identities x USING _soloml_id_rows r
            WHERE x.source = r.source AND x.source_id = r.source_id
        """)
        con.execute(
            "INSERT INTO core.customer_identities SELECT source, source_id, email, customer_id, matched_by, ? FROM _soloml_id_rows",
            [load_id],
        )
        con.unregister("_soloml_id_rows")

    lookup = pd.DataFrame(
        [(s, i, assigned[("r", s, i)]) for s, i in recs], columns=["source", "source_key", "customer_id"]
    ).astype("string")
    con.register("_soloml_id_lookup_frame", lookup)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {LOOKUP} AS SELECT * FROM _soloml_id_lookup_frame")
    con.unregister("_soloml_id_lookup_frame")
    written = _write_customers(con, load_id=load_id, merged=[old for old, _ in merges])
    for temp in ("_soloml_id_rec", "_soloml_customers_new", "_soloml_customers_changed", "_soloml_merged_customers"):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return IdentityResult(customers_written=written, identities_written=len(rows), merged=tuple(merges))


def _apply_merges(con: duckdb.DuckDBPyConnection, merges: list[tuple[str, str]]) -> None:
    """Rewrite merged-away customer ids to the kept one in the crosswalk and every core table."""
    if not merges:
        return
    frame = pd.DataFrame(merges, columns=["old_id", "keep_id"])
    con.register("_soloml_merges", frame)
    for t in TABLES.values():
        if t.name != "customers" and "customer_id" in t.column_names:
            con.execute(f"UPDATE core.{t.name} SET customer_id = m.keep_id FROM _soloml_merges m WHERE core.{t.name}.customer_id = m.old_id")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _soloml_merged_customers AS
        SELECT m.keep_id AS customer_id, c.email, c.name, c.country, c.created_at, c.first_source
        FROM core.customers c JOIN _soloml_merges m ON c.customer_id = m.old_id
    """)
    con.execute("DELETE FROM core.customers WHERE customer_id IN (SELECT old_id FROM _soloml_merges)")
    con.unregister("_soloml_merges")


def _write_customers(con: duckdb.DuckDBPyConnection, *, load_id: str, merged: list[str]) -> int:
    """Upsert core.customers for everyone this load touched; returns rows that changed."""
    merged_rows = "SELECT * FROM _soloml_merged_customers" if merged else (
        "SELECT NULL::VARCHAR AS customer_id, NULL::VARCHAR AS email, NULL::VARCHAR AS name, NULL::VARCHAR AS country, "
        "NULL::TIMESTAMP AS created_at, NULL::VARCHAR AS first_source WHERE false"
    )
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _soloml_customers_new AS
        WITH seen AS (
            SELECT l.customer_id, r.email, r.name, r.country, r.seen_at AS created_at, r.source AS first_source, 1 AS rank
            FROM _soloml_id_rec r JOIN {LOOKUP} l ON l.source = r.source AND l.source_key = r.source_id
            UNION ALL
            SELECT c.customer_id, c.email, c.name, c.country, c.created_at, c.first_source, 0
            FROM core.customers c WHERE c.customer_id IN (SELECT customer_id FROM {LOOKUP})
            UNION ALL
            SELECT customer_id, email, name, country, created_at, first_source, 0 FROM ({merged_rows})
        ), ordered AS (
            SELECT *, coalesce(created_at, TIMESTAMP '9999-12-31') AS t FROM seen
        )
        SELECT customer_id,
               arg_min(email, (rank, t, email)) FILTER (WHERE email IS NOT NULL) AS email,
               arg_min(name, (rank, t, name)) FILTER (WHERE name IS NOT NULL) AS name,
               arg_min(country, (rank, t, country)) FILTER (WHERE country IS NOT NULL) AS country,
               min(created_at) AS created_at,
               arg_min(first_source, (t, first_source)) AS first_source
        FROM ordered GROUP BY customer_id
    """)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _soloml_customers_changed AS
        SELECT * FROM _soloml_customers_new
        EXCEPT
        SELECT customer_id, email, name, country, created_at, first_source FROM core.customers
    """)
    con.execute("DELETE FROM core.customers WHERE customer_id IN (SELECT customer_id FROM _soloml_customers_changed)")
    con.execute("INSERT INTO core.customers SELECT *, ? FROM _soloml_customers_changed", [load_id])
    row = con.execute("SELECT count(*) FROM _soloml_customers_changed").fetchone()
    return int(row[0]) if row else 0
