"""How well sources line up: for each pair of sources, the share of one's customers also found in the other,
and the customers only one source knows (the ones to check by hand).

>>> from soloml.warehouse import connect
>>> identity_report(connect(":memory:")).customers
0
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from soloml.canonical.schema import create_core_tables


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
class IdentityReport:
    customers: int
    identities: int
    by_source: dict[str, int]  # customers per source
    by_method: dict[str, int]  # identities per matched_by ('new', 'email', 'source_id')
    pairs: tuple[PairRate, ...]
    unmatched_total: int  # identities whose customer only one source knows (0 with a single source)
    unmatched: tuple[Unmatched, ...]  # the first `top` of them


def identity_report(con: duckdb.DuckDBPyConnection, *, top: int = 20) -> IdentityReport:
    """Match rates per source pair and the unmatched identities, from core.customer_identities."""
    create_core_tables(con)
    seen = "SELECT DISTINCT source, customer_id FROM core.customer_identities WHERE matched_by IS DISTINCT FROM 'linked'"
    by_source = dict(con.execute(f"SELECT source, count(*) FROM ({seen}) GROUP BY source ORDER BY source").fetchall())
    by_method = dict(con.execute(
        "SELECT coalesce(matched_by, 'unknown'), count(*) FROM core.customer_identities GROUP BY 1 ORDER BY 1"
    ).fetchall())
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
    counts = con.execute("SELECT (SELECT count(*) FROM core.customers), (SELECT count(*) FROM core.customer_identities)").fetchone()
    return IdentityReport(
        customers=int(counts[0]) if counts else 0,
        identities=int(counts[1]) if counts else 0,
        by_source=by_source,
        by_method=by_method,
        pairs=pairs,
        unmatched_total=int(total[0]) if total else 0,
        unmatched=unmatched,
    )
