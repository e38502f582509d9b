"""Canonical stage benchmark: what mapping vendor exports into core.* costs on top of landing them in raw.*,
and how well identity resolution finds the real people.

    python bench/canonical.py [--customers 3000]

Generates the Bluebird demo exports (Stripe subscriptions + payments, HubSpot contacts, Shopify orders, Mailchimp
activity) once, then, on fresh DuckDB files in the same run:
  reference  load_paths(files) with detection but no routing        (raw.* only)
  soloml     load_paths(files, router=route)                         (raw.* + adapters, identity, history, core.*)
  re-route   the same rows routed again (nothing may change)
Identity is scored against the generator's truth file: people split over several customer ids, and customer ids
holding several people. Figures go to bench/RESULTS.md under '## Canonical'.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from datetime import date
from pathlib import Path

import pandas as pd

from soloml.canonical.identity import email_key
from soloml.canonical.ingest import detect, route
from soloml.demo.generator import generate_bluebird
from soloml.sources import load_paths
from soloml.warehouse import connect

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


def timed_load(paths: list[Path], folder: Path, *, routed: bool) -> tuple[float, dict[str, float], object]:
    con = connect(folder / ("bench_routed.duckdb" if routed else "bench_raw_only.duckdb"))
    per_file = {}
    start = time.perf_counter()
    for path in paths:
        t = time.perf_counter()
        load_paths(con, [path], detector=detect, router=route if routed else None, max_quarantine_share=0.2)
        per_file[path.name] = time.perf_counter() - t
    return time.perf_counter() - start, per_file, con


def reroute_seconds(con) -> tuple[float, int]:
    """Route every raw table's rows again as one load; returns seconds and core rows written (should be 0)."""
    from soloml.sources.contracts import LandedTable

    loads = con.execute("SELECT load_id, target_table, detection FROM ops.loads WHERE status = 'loaded' ORDER BY started_at").fetchall()
    start, written = time.perf_counter(), 0
    import json

    from soloml.sources.contracts import Detection

    for load_id, target, detection in loads:
        d = json.loads(detection) if isinstance(detection, str) else detection
        landed = LandedTable(load_id, "bench", target, Detection(**{k: tuple(v) if k == "key" else v for k, v in d.items()}), (), (), 0)
        result = route(con, landed)
        written += sum(v for k, v in result.items() if not k.startswith("_"))
    return time.perf_counter() - start, written


def identity_scores(con, truth: Path) -> dict[str, int]:
    people = pd.read_csv(truth)
    crosswalk = con.execute("SELECT source, source_id, email, customer_id FROM core.customer_identities").fetchall()
    by_email: dict[str, set[str]] = {}
    by_stripe: dict[str, str] = {}
    for source, source_id, email, customer_id in crosswalk:
        if email:
            by_email.setdefault(email, set()).add(customer_id)
        if source == "stripe":
            by_stripe[source_id] = customer_id
    split, holders = 0, {}
    for person in people.itertuples():
        ids: set[str] = set()
        for address in str(person.emails).split(";"):
            ids |= by_email.get(email_key(address) or "", set())
        if isinstance(person.stripe_customer_id, str):
            ids |= {by_stripe[person.stripe_customer_id]} if person.stripe_customer_id in by_stripe else set()
        split += len(ids) > 1
        for cid in ids:
            holders.setdefault(cid, set()).add(person.person_id)
    return {
        "people": len(people),
        "people_found": sum(1 for p in people.itertuples() if any(p.person_id in h for h in holders.values())),
        "split": split,
        "merged": sum(1 for h in holders.values() if len(h) > 1),
        "customers": con.execute("SELECT count(*) FROM core.customers").fetchone()[0],
    }


def scale(folder: Path, rows: int) -> tuple[float, float]:
    """Route `rows` synthetic Stripe payment rows (text, as landed) for rows/20 customers; reference: copying the
    same rows into a table. Returns (route seconds, copy seconds)."""
    import pandas as pd

    from soloml.sources.contracts import LandedTable
    from soloml.warehouse.names import column_names

    header = (HERE.parent / "tests" / "canonical" / "fixtures" / "stripe_payments.csv").read_text().splitlines()[0].split(",")
    cols = column_names(header)
    values = dict.fromkeys(cols, "NULL::VARCHAR")
    values.update({
        "id": "'ch_' || i", "created_utc": "strftime(TIMESTAMP '2023-01-01' + INTERVAL (i % 30000000) SECOND, '%Y-%m-%d %H:%M:%S')",
        "amount": "CAST((i % 50000) / 100.0 AS VARCHAR)", "amount_refunded": "'0.00'", "currency": "'usd'", "mode": "'Live'",
        "status": "CASE WHEN i % 10 = 0 THEN 'Failed' ELSE 'Paid' END", "customer_id": f"'cus_' || (i % {rows // 20})",
        "customer_email": f"'User' || (i % {rows // 20}) || '@Example.com'",
    })
    con = connect(folder / "bench_scale.duckdb")
    select = ", ".join(f"{v} AS {k}" for k, v in values.items())
    con.execute(f"CREATE TABLE raw.stripe_payments AS SELECT {select}, 'L1' AS _load_id, i AS _source_row FROM range({rows}) t(i)")
    start = time.perf_counter()
    con.execute("CREATE TABLE main.copy AS SELECT * FROM raw.stripe_payments")
    copy_s = time.perf_counter() - start
    detection = detect(header, pd.DataFrame(columns=header), None)
    start = time.perf_counter()
    con.begin()
    route(con, LandedTable("L1", "bench", "raw.stripe_payments", detection, tuple(header), tuple(cols), rows))
    con.commit()
    route_s = time.perf_counter() - start
    con.close()
    return route_s, copy_s


def write_results(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"^## Canonical\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3000)
    args = parser.parse_args()
    data = HERE / "_data" / f"bluebird_{args.customers}"
    exports = generate_bluebird(data, customers=args.customers, seed=7)
    rows = sum(exports.rows.values())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        raw_s, raw_files, raw_con = timed_load(exports.paths, folder, routed=False)
        raw_con.close()
        routed_s, routed_files, con = timed_load(exports.paths, folder, routed=True)
        again_s, again_written = reroute_seconds(con)
        scores = identity_scores(con, exports.truth)
        core = dict(con.execute("""
            SELECT table_name, 0 FROM duckdb_tables() WHERE schema_name = 'core' ORDER BY table_name""").fetchall())
        core = {t: con.execute(f"SELECT count(*) FROM core.{t}").fetchone()[0] for t in core}
        con.close()
        scale_rows = 1_000_000
        route_s, copy_s = scale(folder, scale_rows)
    lines = [
        "## Canonical",
        "",
        f"`python bench/canonical.py --customers {args.customers}` on {date.today():%Y-%m-%d}: Bluebird demo exports, "
        f"{len(exports.paths)} files, {rows:,} rows; core tables after: "
        + ", ".join(f"{k} {v:,}" for k, v in core.items() if v) + ".",
        "",
        "| what | seconds | vs raw-only load |",
        "|---|---:|---:|",
        f"| load every file into raw.* only (reference) | {raw_s:.2f} | 1.00x |",
        f"| load + route into core.* (adapters, quarantine, identity, history) | {routed_s:.2f} | {routed_s / raw_s:.2f}x |",
        f"| route every load again (no changes; {again_written} core rows written) | {again_s:.2f} | {again_s / raw_s:.2f}x |",
        "",
        f"At scale: routing {scale_rows:,} Stripe payment rows ({scale_rows // 20:,} customers) into core.payments, identity "
        f"included, took {route_s:.1f} s; DuckDB copying the same rows into a table took {copy_s:.1f} s "
        f"({route_s / copy_s:.0f}x).",
        "",
        "| file | raw only (s) | with routing (s) | ratio |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {raw_files[name]:.2f} | {routed_files[name]:.2f} | {routed_files[name] / raw_files[name]:.2f}x |" for name in raw_files),
        "",
        f"Identity vs the generator's truth: {scores['people_found']:,} of {scores['people']:,} people found, "
        f"{scores['split']} split over several customer ids, {scores['merged']} customer ids holding more than one person; "
        f"{scores['customers']:,} customers in total (the rest are leads and newsletter-only contacts).",
        "",
    ]
    write_results("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
