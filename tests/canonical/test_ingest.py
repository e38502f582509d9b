"""Routing a load into core.*: incremental (only the keys a load touched), idempotent, and clear about the unknown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canonical.helpers import FIXTURES, load, read, route_as_text, rows, write_csv
from soloml.canonical.ingest import route
from soloml.errors import AdapterError
from soloml.sources.contracts import Detection, LandedTable
from soloml.warehouse import connect


def test_reloading_the_same_file_changes_nothing(con):
    first = load(con, "stripe_payments.csv")
    before = rows(con, "SELECT * FROM core.payments ORDER BY payment_id")
    again = load(con, "stripe_payments.csv")
    assert again.status == "unchanged"
    assert rows(con, "SELECT * FROM core.payments ORDER BY payment_id") == before
    assert {r["_load_id"] for r in before} == {first.load_id}


def test_a_new_export_rewrites_only_the_changed_payment(con, tmp_path):
    first = load(con, "stripe_payments.csv")
    text = (
        (FIXTURES / "stripe_payments.csv")
        .read_text()
        .replace(
            "19.00,0.00,usd,19.00,0.00,0.00,0.00,usd,Live,Failed", "19.00,0.00,usd,19.00,0.00,0.00,0.00,usd,Live,Paid"
        )
    )
    second = load(con, write_csv(tmp_path, "payments.csv", text))
    assert second.core_rows["payments"] == 1
    by_load = {
        r["payment_id"]: (r["_load_id"], r["status"])
        for r in rows(con, "SELECT payment_id, _load_id, status FROM core.payments")
    }
    assert by_load["stripe:ch_3OZ1a4"] == (second.load_id, "succeeded")
    assert {load_id for pid, (load_id, _) in by_load.items() if pid != "stripe:ch_3OZ1a4"} == {first.load_id}


def test_unrecognised_load_routes_nothing(con):
    landed = LandedTable("l1", "x.csv", "raw.x", Detection(name="x"), ("a",), ("a",), 0)
    assert route(con, landed) == {}
    assert route(con, LandedTable("l1", "x.csv", "raw.x", None, ("a",), ("a",), 0)) == {}


def test_an_unknown_vendor_object_aborts_with_a_suggestion(con):
    landed = LandedTable("l1", "x.csv", "raw.x", Detection(name="x", vendor_object="stripe.paymnts"), ("a",), ("a",), 0)
    with pytest.raises(AdapterError, match="Did you mean 'stripe.payments'"):
        route(con, landed)


def test_routing_leaves_no_temporary_tables_behind(con):
    load(con, "shopify_orders.csv")
    temps = con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert temps == []


PAYMENT_ROWS = read("stripe_payments.csv")


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(PAYMENT_ROWS) - 1), min_size=1, max_size=6))
def test_routing_the_same_rows_twice_adds_nothing(picks):
    con = connect(":memory:")
    frame = PAYMENT_ROWS.iloc[picks].reset_index(drop=True)
    route_as_text(con, frame)
    snapshot = con.execute("SELECT * EXCLUDE (_load_id) FROM core.payments ORDER BY payment_id").fetchall()
    again = route_as_text(con, frame)
    assert again["payments"] == 0 and again["customers"] == 0 and again["customer_identities"] == 0
    assert con.execute("SELECT * EXCLUDE (_load_id) FROM core.payments ORDER BY payment_id").fetchall() == snapshot
    con.close()


def test_routing_every_load_again_rewrites_nothing(con):
    """Identity and history break ties the same way every time, so a second pass is a no-op."""
    import json

    for name in (
        "stripe_customers.csv",
        "stripe_payments.csv",
        "stripe_subscriptions_v1.csv",
        "shopify_customers.csv",
        "shopify_orders.csv",
        "square_transactions.csv",
    ):
        load(con, name)
    loads = con.execute(
        "SELECT load_id, source, target_table, detection FROM ops.loads WHERE status = 'loaded' ORDER BY started_at"
    ).fetchall()
    assert len(loads) == 6
    for load_id, source, target, detection in loads:
        fields = json.loads(detection)
        fields["key"] = tuple(fields["key"])
        again = route(con, LandedTable(load_id, source, target, Detection(**fields), (), (), 0))
        assert {k: v for k, v in again.items() if not k.startswith("_")} == dict.fromkeys(
            [k for k in again if not k.startswith("_")], 0
        ), (target, again)


def test_a_failing_statement_surfaces_its_own_error(con):
    """A broken adapter SELECT inside the load's transaction reports the SQL error, not a cleanup error."""
    import dataclasses

    import duckdb

    from soloml.canonical import adapters
    from soloml.canonical.adapters.adapter_catalog import AdapterCatalog

    broken = dataclasses.replace(
        adapters.adapter("stripe.payments"), outputs=lambda rows: {"payments": f"SELECT no_such_column FROM {rows}"}
    )
    catalog = AdapterCatalog(
        built_in=tuple(broken if a.vendor_object == "stripe.payments" else a for a in adapters.ADAPTERS)
    )
    frame = read("stripe_payments.csv")
    con.begin()
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        route_as_text(con, frame, catalog)
    con.rollback()
