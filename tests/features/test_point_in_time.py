"""Invariant: features at a cutoff never change when data dated after the cutoff is added."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from soloml.canonical.schema import create_core_tables
from soloml.features import build_training_set
from soloml.features.cutoffs import cutoff_schedule
from soloml.warehouse import connect

from .conftest import insert_rows
from .test_recipes import spec_for

START = datetime(2024, 1, 1)
AS_OF = datetime(2024, 9, 1)  # fixes the cutoff schedule: 2024-04-01 .. 2024-06-01 for 3 months, 60-day horizon

event = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.integers(min_value=0, max_value=240 * 24),  # hours after START
    st.sampled_from(["payment", "failed", "refund", "order", "open"]),
    st.integers(min_value=1, max_value=200),
)


def _rows(events, tag):
    payments, orders, emails = [], [], []
    for i, (cust, hours, kind, amount) in enumerate(events):
        when = START + timedelta(hours=hours)
        if kind == "order":
            orders.append(
                {
                    "order_id": f"{tag}o{i}",
                    "customer_id": cust,
                    "ordered_at": when,
                    "status": "paid",
                    "total": amount,
                    "currency": "USD",
                }
            )
        elif kind == "open":
            emails.append(
                {
                    "event_id": f"{tag}e{i}",
                    "customer_id": cust,
                    "email": f"{cust}@x",
                    "event_type": "open",
                    "occurred_at": when,
                }
            )
        else:
            payments.append(
                {
                    "payment_id": f"{tag}p{i}",
                    "customer_id": cust,
                    "amount": amount,
                    "currency": "USD",
                    "paid_at": when,
                    "kind": "refund" if kind == "refund" else "charge",
                    "status": "failed" if kind == "failed" else "succeeded",
                }
            )
    return {"payments": payments, "orders": orders, "marketing_events": emails}


@settings(max_examples=6, deadline=None)
@given(before=st.lists(event, min_size=3, max_size=25), after=st.lists(event, min_size=1, max_size=15))
def test_features_ignore_everything_after_the_cutoff(before, after):
    spec = spec_for("churn", horizon=60)
    con = connect(":memory:")
    try:
        create_core_tables(con)
        for cust in "ABC":
            insert_rows(con, "customers", [{"customer_id": cust, "email": f"{cust}@x", "created_at": START}])
        for table, rows in _rows(before, "b").items():
            insert_rows(con, table, rows)
        # an event at AS_OF pins the end of the data, so both builds use the same cutoffs
        insert_rows(
            con,
            "payments",
            [
                {
                    "payment_id": "anchor",
                    "customer_id": "C",
                    "amount": 1,
                    "currency": "USD",
                    "paid_at": AS_OF,
                    "kind": "charge",
                    "status": "succeeded",
                }
            ],
        )
        first = build_training_set(con, spec, as_of=AS_OF, use_cache=False)
        last = cutoff_schedule(con, spec, as_of=AS_OF)[-1]
        for table, rows in _rows(after, "a").items():
            for row in rows:  # move every added row to after the last cutoff
                key = {"payments": "paid_at", "orders": "ordered_at", "marketing_events": "occurred_at"}[table]
                row[key] = last + (row[key] - START) / 8
            insert_rows(con, table, rows)
        second = build_training_set(con, spec, as_of=AS_OF, use_cache=False)
        cols = ["entity_id", "cutoff", *first.features]
        pd.testing.assert_frame_equal(first.frame[cols], second.frame[cols])
    finally:
        con.close()
