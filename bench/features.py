"""Benchmark: point-in-time training set for 50,000 customers x 18 monthly cutoffs from ~2 million payments.

Compares `build_training_set` (every built-in feature family, population, label, all set-based
SQL) against the same population, label and payment features written by hand as ONE DuckDB
query, in the same run, on the same synthetic core tables. Also checks both give equal values.
Targets: soloml <= 30 s and <= 3x the hand-written query. Writes `## Features` in bench/RESULTS.md.

    .venv/bin/python bench/features.py [--customers 50000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import numpy as np

from soloml.canonical.schema import create_core_tables
from soloml.features import build_training_set
from soloml.features.cutoffs import cutoff_schedule
from soloml.projects import spec_from_answers
from soloml.warehouse import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def generate(con: duckdb.DuckDBPyConnection, customers: int) -> int:
    """Customers who pay every 7-16 days for 200-1200 days (some failures and refunds), over two years."""
    create_core_tables(con)
    con.execute(f"""
        INSERT INTO core.customers (customer_id, email, created_at, first_source)
        SELECT 'c' || i, 'c' || i || '@x.com', TIMESTAMP '2024-11-01' + to_days(CAST((i * 7919) % 400 AS INTEGER)), 'bench'
        FROM range({customers}) t(i)
    """)
    con.execute("""
        INSERT INTO core.payments (payment_id, source, customer_id, kind, status, amount, currency, paid_at)
        SELECT 'p' || i || '-' || k, 'bench', 'c' || i,
               CASE WHEN hash(i, k) % 50 = 0 THEN 'refund' ELSE 'charge' END,
               CASE WHEN hash(i, k) % 20 = 1 THEN 'failed' ELSE 'succeeded' END,
               18 + (i % 28), 'USD',
               TIMESTAMP '2024-11-01' + to_days(CAST((i * 7919) % 400 + k * (7 + i % 10) AS INTEGER)) + to_hours(CAST(i % 24 AS INTEGER))
        FROM (SELECT i, unnest(range(CAST((200 + hash(i) % 1000) / (7 + i % 10) AS INTEGER))) AS k
              FROM (SELECT range AS i FROM range((SELECT count(*) FROM core.customers))))
        WHERE (i * 7919) % 400 + k * (7 + i % 10) < 730
    """)
    return con.execute("SELECT count(*) FROM core.payments").fetchone()[0]


HAND = """
WITH cut AS (SELECT * FROM (VALUES {values}) t(cutoff)),
pop AS (
  SELECT DISTINCT x.customer_id AS entity_id, c.cutoff FROM cut c JOIN core.payments x
    ON x.paid_at < c.cutoff AND x.paid_at >= c.cutoff - INTERVAL 90 DAY
   WHERE x.kind = 'charge' AND x.status IN ('succeeded', 'refunded', 'partially_refunded')
),
lab AS (
  SELECT p.entity_id, p.cutoff, CASE WHEN count(x.payment_id) = 0 THEN 1 ELSE 0 END AS label
    FROM pop p LEFT JOIN core.payments x ON x.customer_id = p.entity_id AND x.kind = 'charge'
     AND x.status IN ('succeeded', 'refunded', 'partially_refunded') AND x.paid_at > p.cutoff AND x.paid_at <= p.cutoff + INTERVAL 60 DAY
   GROUP BY ALL
),
f AS (
  SELECT p.entity_id, p.cutoff,
    {windows},
    date_diff('day', max(x.paid_at) FILTER (WHERE ok), p.cutoff) AS days_since_last_payment,
    count(*) FILTER (WHERE x.kind = 'charge' AND x.status = 'failed' AND x.paid_at >= p.cutoff - INTERVAL 30 DAY) AS failed_payments_30d,
    count(*) FILTER (WHERE x.kind = 'charge' AND x.status = 'failed' AND x.paid_at >= p.cutoff - INTERVAL 90 DAY) AS failed_payments_90d,
    count(*) FILTER (WHERE x.kind = 'refund' AND x.paid_at >= p.cutoff - INTERVAL 30 DAY) AS refunds_30d,
    count(*) FILTER (WHERE x.kind = 'refund' AND x.paid_at >= p.cutoff - INTERVAL 90 DAY) AS refunds_90d
  FROM pop p JOIN (SELECT *, kind = 'charge' AND status IN ('succeeded', 'refunded', 'partially_refunded') AS ok FROM core.payments) x
    ON x.customer_id = p.entity_id AND x.paid_at < p.cutoff AND x.paid_at >= p.cutoff - INTERVAL 365 DAY
  GROUP BY p.entity_id, p.cutoff
)
SELECT p.entity_id, p.cutoff, lab.label, f.* EXCLUDE (entity_id, cutoff)
FROM pop p JOIN lab USING (entity_id, cutoff) LEFT JOIN f USING (entity_id, cutoff)
ORDER BY p.cutoff, p.entity_id
"""


def hand_sql(cutoffs) -> str:
    values = ", ".join(f"(TIMESTAMP '{c:%Y-%m-%d %H:%M:%S}')" for c in cutoffs)
    windows = ",\n    ".join(
        f"count(*) FILTER (WHERE ok AND x.paid_at >= p.cutoff - INTERVAL {w} DAY) AS payments_{w}d, "
        f"coalesce(sum(x.amount) FILTER (WHERE ok AND x.paid_at >= p.cutoff - INTERVAL {w} DAY), 0) - "
        f"coalesce(sum(x.amount) FILTER (WHERE x.kind = 'refund' AND x.paid_at >= p.cutoff - INTERVAL {w} DAY), 0) AS revenue_{w}d"
        for w in (30, 90, 180, 365)
    )
    return HAND.format(values=values, windows=windows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=50_000)
    args = parser.parse_args()
    spec = spec_from_answers(
        {"name": "bench", "decision": "call", "capacity": 500, "value_per_success": 100, "horizon_days": 60}
    ).spec
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        payments = generate(con, args.customers)
        gen_s = time.perf_counter() - t0
        cutoffs = cutoff_schedule(con, spec)

        t0, c0 = time.perf_counter(), time.process_time()
        hand = con.execute(hand_sql(cutoffs)).fetchdf()
        hand_s, hand_cpu = time.perf_counter() - t0, time.process_time() - c0

        t0, c0 = time.perf_counter(), time.process_time()
        ts = build_training_set(con, spec, use_cache=False)
        soloml_s, soloml_cpu = time.perf_counter() - t0, time.process_time() - c0

        t0 = time.perf_counter()
        build_training_set(con, spec)  # fills the cache
        cached_build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        build_training_set(con, spec)
        reuse_s = time.perf_counter() - t0
        con.close()

    frame = ts.frame
    assert len(frame) == len(hand), (len(frame), len(hand))
    shared = [c for c in hand.columns if c not in ("entity_id", "cutoff")]
    mismatched = [
        c for c in shared if not np.allclose(frame[c].astype(float).fillna(-1), hand[c].astype(float).fillna(-1))
    ]
    assert not mismatched, f"soloml and the hand-written query disagree on {mismatched}"
    ratio = soloml_s / hand_s
    lines = [
        f"Run {date.today():%Y-%m-%d}: {args.customers:,} customers x {len(cutoffs)} monthly cutoffs, {payments:,} payments "
        f"(synthetic core tables, generated in {gen_s:.1f} s); {len(frame):,} training rows.",
        "",
        "| what | wall s | CPU s (all threads) | wall vs hand-written |",
        "|---|---:|---:|---:|",
        f"| hand-written single DuckDB query (population + label + {len(shared) - 1} payment features) | {hand_s:.2f} | {hand_cpu:.2f} | 1.00x |",
        f"| `build_training_set` ({len(ts.features)} features, all families, no cache) | {soloml_s:.2f} | {soloml_cpu:.2f} | {ratio:.2f}x |",
        f"| `build_training_set` writing the cache `features.bench` | {cached_build_s:.2f} | | {cached_build_s / hand_s:.2f}x |",
        f"| `build_training_set` reusing the cache (fingerprint + read) | {reuse_s:.2f} | | {reuse_s / hand_s:.2f}x |",
        "",
        f"Targets: <= 30 s wall ({'met' if soloml_s <= 30 else 'MISSED'}; CPU {soloml_cpu:.1f} s) and <= 3x "
        f"({'met' if ratio <= 3 else 'MISSED'}). The machine is shared by ~8 engineers, so wall time includes waiting for a core. "
        f"All {len(shared)} shared columns (label and payment features) are equal in both.",
    ]
    print("\n".join(lines))
    write_section("Features", lines)


def write_section(title: str, lines: list[str]) -> None:
    replace_section(title, f"## {title}\n\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
