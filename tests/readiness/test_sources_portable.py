"""What the load journal says about each raw table (readiness/sources.py), read the same on a DuckDB and a Postgres
warehouse after the same loads: the file, headers, vendor object, key and whether it reached core.* (issue 18)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import soloml
from soloml.readiness.sources import raw_sources
from soloml.workspace import init_workspace

PAYMENTS = Path(__file__).parents[1] / "canonical" / "fixtures" / "stripe_payments.csv"


def test_the_raw_sources_read_the_same_on_postgres_as_on_duckdb(tmp_path, postgres_warehouse_url):
    payments = PAYMENTS
    people = tmp_path / "people.csv"
    people.write_text("Person Id,Full Name\n1,Ann\n2,Bob\n")
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, [payments, people])
        with ws.connect() as con:
            seen[kind] = {t: replace(s, load_id="", finished_at=None) for t, s in raw_sources(con).items()}
    assert seen["postgres"] == seen["duckdb"]
    stripe = seen["postgres"]["raw.stripe_payments"]
    assert stripe.vendor_object == "stripe.payments" and stripe.routed and stripe.key
    assert stripe.headers["created_utc"] == "Created (UTC)"
    assert (
        not seen["postgres"]["raw.people"].routed and seen["postgres"]["raw.people"].headers["person_id"] == "Person Id"
    )
