"""Links soloml only suggests: two customers with the same full name and the same phone or postal code.

A shared name alone never links anyone (two different Ann Lees stay two). Name + phone or postal code is
strong enough to ask about, not to act on: `suggestions` lists such pairs, `decide` records your answer in
core.identity_decisions; an accepted one joins the two customers (identity_graph.rebuild), a rejected one is
never suggested again.

The pair's first records (by source and id) speak for it, picked with row_number() so the SQL runs on DuckDB and
on Postgres alike (issue 18); the name key's strip_accents has its Postgres form in warehouse/dialect.py.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from soloml.canonical.identity_graph import rebuild
from soloml.canonical.identity_keys import name_key_sql
from soloml.canonical.identity_people import refresh_purchases
from soloml.canonical.schema import create_core_tables
from soloml.errors import IdentityError, did_you_mean
from soloml.warehouse.base import Connection

SUGGESTIONS = """
WITH r AS (
    SELECT x.customer_id, e.source, e.source_id, e.name, x.email, {name_key} AS name_key, e.phone, e.zip
    FROM core.identity_evidence e JOIN core.customer_identities x USING (source, source_id)
    WHERE e.name IS NOT NULL AND (e.phone IS NOT NULL OR e.zip IS NOT NULL)
), pairs AS (
    SELECT a.customer_id AS ca, b.customer_id AS cb, a.source AS sa, a.source_id AS ia, a.name AS na, a.email AS ea,
           b.source AS sb, b.source_id AS ib, b.name AS nb, b.email AS eb,
           CASE WHEN a.phone = b.phone THEN 'phone ' || a.phone ELSE 'postal code ' || a.zip END AS shared
    FROM r a JOIN r b ON a.name_key = b.name_key AND contains(a.name_key, ' ') AND a.customer_id < b.customer_id
     AND (a.phone = b.phone OR a.zip = b.zip)
), decided AS (
    SELECT least(xa.customer_id, xb.customer_id) AS ca, greatest(xa.customer_id, xb.customer_id) AS cb
    FROM core.identity_decisions d
    JOIN core.customer_identities xa ON xa.source = d.source_a AND xa.source_id = d.source_id_a
    JOIN core.customer_identities xb ON xb.source = d.source_b AND xb.source_id = d.source_id_b
), ranked AS (
    SELECT p.*, row_number() OVER (PARTITION BY ca, cb ORDER BY sa, ia, sb, ib, shared, na, nb, ea, eb) AS n
    FROM pairs p WHERE NOT EXISTS (SELECT 1 FROM decided d WHERE d.ca = p.ca AND d.cb = p.cb)
)
SELECT ca, cb, sa, ia, na, ea, sb, ib, nb, eb, shared FROM ranked WHERE n = 1 ORDER BY ca, cb
"""


@dataclass(frozen=True)
class SideOfLink:
    source: str
    source_id: str
    name: str
    email: str | None
    customer_id: str


@dataclass(frozen=True)
class SuggestedLink:
    """Two customers that may be one person; `suggestion_id` is what --accept / --reject take."""

    suggestion_id: str
    a: SideOfLink
    b: SideOfLink
    reason: str


@dataclass(frozen=True)
class Decision:
    suggestion_id: str
    decision: str  # 'accepted' | 'rejected'
    customer_id: str | None  # the one customer after an accepted link
    merged: tuple[tuple[str, str], ...]


def suggestion_id(a: tuple[str, str], b: tuple[str, str]) -> str:
    """A stable id for a pair of records, whichever way round they are given."""
    first, second = sorted([a, b])
    return "sg_" + hashlib.sha256(f"{first[0]}:{first[1]}|{second[0]}:{second[1]}".encode()).hexdigest()[:10]


def suggestions(con: Connection) -> tuple[SuggestedLink, ...]:
    """Every pair of customers with one full name and one phone or postal code, not decided yet."""
    create_core_tables(con)
    found = []
    rows = con.execute(SUGGESTIONS.format(name_key=name_key_sql("e.name"))).fetchall()
    for ca, cb, sa, ia, na, ea, sb, ib, nb, eb, shared in rows:
        a = SideOfLink(sa, ia, na, ea, ca)
        b = SideOfLink(sb, ib, nb, eb, cb)
        reason = f"same name '{a.name}' and {shared}; no email or id links them"
        found.append(SuggestedLink(suggestion_id((a.source, a.source_id), (b.source, b.source_id)), a, b, reason))
    return tuple(found)


def _drop_temp(con: Connection) -> None:
    con.execute("DROP TABLE IF EXISTS _soloml_id_seeds")
    con.execute("DROP TABLE IF EXISTS _soloml_id_touched")


def decide(con: Connection, sid: str, *, accept: bool, now: datetime | None = None) -> Decision:
    """Accept (one person: the customers are joined everywhere) or reject (two people) a suggestion."""
    pending = {s.suggestion_id: s for s in suggestions(con)}
    if sid not in pending:
        row = con.execute("SELECT decision FROM core.identity_decisions WHERE suggestion_id = ?", [sid]).fetchone()
        if row:
            raise IdentityError(
                f"Suggestion {sid} was already {row[0]}.",
                hint="Decisions are final; run `soloml identities` for the ones still waiting.",
            )
        raise IdentityError(
            f"There is no suggested link '{sid}'.{did_you_mean(sid, pending)}",
            hint="Run `soloml identities` to list the suggestions waiting for a decision.",
        )
    s = pending[sid]
    when = (now or datetime.now(UTC)).replace(tzinfo=None)
    verdict = "accepted" if accept else "rejected"
    con.execute(
        "INSERT INTO core.identity_decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [sid, s.a.source, s.a.source_id, s.b.source, s.b.source_id, verdict, s.reason, when, f"decision:{sid}"],
    )
    if not accept:
        return Decision(sid, verdict, None, ())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _soloml_id_seeds AS SELECT * FROM (VALUES (?, ?), (?, ?)) t(source, source_id)",
        [s.a.source, s.a.source_id, s.b.source, s.b.source_id],
    )
    try:
        done = rebuild(con, "_soloml_id_seeds", load_id=f"decision:{sid}")
        con.execute(
            "CREATE OR REPLACE TEMP TABLE _soloml_id_touched AS SELECT UNNEST(CAST(? AS VARCHAR[])) AS customer_id",
            [list(done.customer_ids)],
        )
        refresh_purchases(con, "_soloml_id_touched", load_id=f"decision:{sid}")
        (customer,) = con.execute(
            "SELECT customer_id FROM core.customer_identities WHERE source = ? AND source_id = ?",
            [s.a.source, s.a.source_id],
        ).fetchone() or (None,)
    except BaseException:
        # a failed statement leaves a Postgres transaction refusing every other one, the DROPs included: the
        # caller's rollback removes the temp tables there; the error to show is the first one
        with contextlib.suppress(Exception):
            _drop_temp(con)
        raise
    _drop_temp(con)
    return Decision(sid, verdict, customer, done.merged)
