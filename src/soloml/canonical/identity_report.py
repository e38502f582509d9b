"""How well sources line up: for each pair of sources, the share of one's customers also found in the other,
how many people each rule linked (email, source id, reference id, accepted suggestion), the customers only one
source knows (the ones to check by hand), and the suggested links waiting for a decision.

>>> from soloml.warehouse import connect
>>> identity_report(connect(":memory:")).customers
0
"""

from __future__ import annotations

from dataclasses import dataclass

from soloml.canonical.identity_suggest import SuggestedLink, suggestions
from soloml.canonical.schema import create_core_tables
from soloml.warehouse.base import Connection

# People linked by each rule, per pair of sources: one row per (source, other source, rule, customer).
LINKS = """
WITH x AS (SELECT source, source_id, customer_id FROM core.customer_identities),
e AS (SELECT DISTINCT source, source_id, email_key, link_source, link_id FROM core.identity_evidence),
edges AS (
    SELECT a.source AS s1, b.source AS s2, xa.customer_id, 'email' AS rule
    FROM e a JOIN e b ON a.email_key = b.email_key AND (a.source, a.source_id) < (b.source, b.source_id)
    JOIN x xa ON xa.source = a.source AND xa.source_id = a.source_id
    UNION ALL
    SELECT a.source, t.source, xa.customer_id, CASE WHEN a.link_source = '*' THEN 'reference_id' ELSE 'source_id' END
    FROM e a JOIN x t ON t.source_id = a.link_id AND (t.source = a.link_source OR (a.link_source = '*' AND t.source <> a.source))
    JOIN x xa ON xa.source = a.source AND xa.source_id = a.source_id
    UNION ALL
    SELECT d.source_a, d.source_b, xa.customer_id, 'accepted' FROM core.identity_decisions d
    JOIN x xa ON xa.source = d.source_a AND xa.source_id = d.source_id_a WHERE d.decision = 'accepted'
)
SELECT least(s1, s2) AS source, greatest(s1, s2) AS other, rule, count(DISTINCT customer_id) AS people
FROM edges GROUP BY ALL ORDER BY source, other, rule
"""


@dataclass(frozen=True)
class PairRate:
    source: str
    other: str
    customers: int  # customers `source` knows
    also_in_other: int  # ... of whom `other` knows too
    rate: float  # also_in_other / customers


@dataclass(frozen=True)
class Unmatched:
    source: str
    source_id: str
    email: str | None
    customer_id: str


@dataclass(frozen=True)
class LinkCount:
    source: str
    other: str  # the same source when one source's records are linked to each other
    rule: str  # 'email' | 'source_id' | 'reference_id' | 'accepted'
    people: int


@dataclass(frozen=True)
class IdentityReport:
    customers: int
    identities: int
    by_source: dict[str, int]  # customers per source
    by_method: dict[str, int]  # identities per matched_by ('new', 'email', 'source_id', 'reference_id', 'accepted')
    pairs: tuple[PairRate, ...]
    unmatched_total: int  # identities whose customer only one source knows (0 with a single source)
    unmatched: tuple[Unmatched, ...]  # the first `top` of them
    links: tuple[LinkCount, ...] = ()  # people linked per source pair and rule
    suggestions: tuple[SuggestedLink, ...] = ()  # links waiting for your decision (`soloml identities --accept ID`)


def identity_report(con: Connection, *, top: int = 20) -> IdentityReport:
    """Match rates per source pair and the unmatched identities, from core.customer_identities."""
    create_core_tables(con)
    seen = (
        "SELECT DISTINCT source, customer_id FROM core.customer_identities WHERE matched_by IS DISTINCT FROM 'linked'"
    )
    by_source = dict(con.execute(f"SELECT source, count(*) FROM ({seen}) GROUP BY source ORDER BY source").fetchall())
    by_method = dict(
        con.execute(
            "SELECT coalesce(matched_by, 'unknown'), count(*) FROM core.customer_identities GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    pairs = tuple(
        PairRate(source=a, other=b, customers=n, also_in_other=m, rate=round(m / n, 4) if n else 0.0)
        for a, b, n, m in con.execute(f"""
            WITH seen AS ({seen}), sources AS (SELECT DISTINCT source FROM seen)
            SELECT a.source, b.source, count(DISTINCT s.customer_id),
                   count(DISTINCT s.customer_id) FILTER (WHERE EXISTS (
                       SELECT 1 FROM seen o WHERE o.source = b.source AND o.customer_id = s.customer_id))
            FROM sources a JOIN sources b ON a.source <> b.source JOIN seen s ON s.source = a.source
            GROUP BY a.source, b.source ORDER BY a.source, b.source
        """).fetchall()
    )
    lonely = f"""
        SELECT x.source, x.source_id, x.email, x.customer_id FROM core.customer_identities x
        WHERE x.matched_by IS DISTINCT FROM 'linked'
          AND (SELECT count(DISTINCT source) FROM ({seen})) > 1
          AND NOT EXISTS (SELECT 1 FROM ({seen}) o WHERE o.customer_id = x.customer_id AND o.source <> x.source)
    """
    total = con.execute(f"SELECT count(*) FROM ({lonely})").fetchone()
    unmatched = tuple(
        Unmatched(*row) for row in con.execute(f"{lonely} ORDER BY x.source, x.source_id LIMIT ?", [top]).fetchall()
    )
    counts = con.execute(
        "SELECT (SELECT count(*) FROM core.customers), (SELECT count(*) FROM core.customer_identities)"
    ).fetchone()
    return IdentityReport(
        customers=int(counts[0]) if counts else 0,
        identities=int(counts[1]) if counts else 0,
        by_source=by_source,
        by_method=by_method,
        pairs=pairs,
        unmatched_total=int(total[0]) if total else 0,
        unmatched=unmatched,
        links=tuple(LinkCount(*row) for row in con.execute(LINKS).fetchall()),
        suggestions=suggestions(con),
    )
