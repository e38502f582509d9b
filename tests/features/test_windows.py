"""Every event lands in exactly one window: features `[.., cutoff)`, label `[cutoff, cutoff + horizon)`.

Dates without a time of day are stored at 00:00, the same instant as a monthly cutoff, so an order
dated on the cutoff day belongs to the label window and one dated on cutoff + horizon to what follows.
Data ends 2024-07-10; horizon 30 days and 3 monthly cutoffs give cutoffs 2024-04-01, 05-01, 06-01.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from soloml.canonical.schema import create_core_tables
from soloml.features import build_training_set
from soloml.features.cutoffs import cutoff_schedule
from soloml.warehouse import connect

from .conftest import insert_rows
from .feature_rows import order, pay
from .test_recipes import spec_for

D = datetime.fromisoformat
CUTOFF = "2024-05-01"
ANCHOR = pay("anchor", "Z", "2024-07-10")  # pins the end of the data, hence the cutoffs


def _label(con, recipe: str, entity: str) -> float | None:
    frame = build_training_set(con, spec_for(recipe), use_cache=False).frame
    row = frame[(frame["entity_id"] == entity) & (frame["cutoff"] == D(CUTOFF))]
    return None if row.empty else float(row["label"].iloc[0])


SUBSCRIBED = {
    "subscription_id": "s-K",
    "customer_id": "K",
    "plan": "monthly",
    "status": "canceled",
    "started_at": D("2024-01-01"),
}

DATE_ONLY_CASES = [
    # (recipe, rows, label of K (or lead L) at the 05-01 cutoff)
    pytest.param(
        "churn",
        [("orders", order("k1", "K", "2024-04-10")), ("orders", order("k2", "K", CUTOFF))],
        0.0,
        id="churn: an order on the cutoff day means they bought in the horizon",
    ),
    pytest.param(
        "churn",
        [("orders", order("k1", "K", "2024-04-10")), ("orders", order("k2", "K", "2024-05-31"))],
        1.0,
        id="churn: an order on cutoff + horizon is after the horizon",
    ),
    pytest.param(
        "churn",
        [("subscriptions", {**SUBSCRIBED, "canceled_at": D("2024-05-31"), "ended_at": D("2024-05-31")})],
        0.0,
        id="churn: a cancellation on cutoff + horizon is after the horizon",
    ),
    pytest.param(
        "churn",
        [("subscriptions", {**SUBSCRIBED, "canceled_at": D(CUTOFF), "ended_at": D("2024-05-20")})],
        1.0,
        id="churn: a cancellation on the cutoff day is in the horizon",
    ),
    pytest.param(
        "spend",
        [
            ("orders", order("k1", "K", "2024-04-10", 5.0)),
            ("orders", order("k2", "K", CUTOFF, 40.0)),
            ("orders", order("k3", "K", "2024-05-30", 2.0)),
            ("orders", order("k4", "K", "2024-05-31", 300.0)),
        ],
        42.0,
        id="spend: the cutoff day counts, cutoff + horizon does not",
    ),
    pytest.param(
        "buy_again",
        [("orders", order("k1", "K", "2024-04-10")), ("orders", order("k2", "K", CUTOFF))],
        1.0,
        id="buy_again: an order on the cutoff day is buying again",
    ),
    pytest.param(
        "buy_again",
        [("orders", order("k1", "K", "2024-04-10")), ("orders", order("k2", "K", "2024-05-31"))],
        0.0,
        id="buy_again: an order on cutoff + horizon is too late",
    ),
    pytest.param(
        "conversion",
        [
            (
                "contacts",
                {
                    "contact_id": "L",
                    "email": "l@x.com",
                    "lifecycle_stage": "customer",
                    "created_at": D("2024-02-01"),
                    "became_customer_at": D(CUTOFF),
                },
            )
        ],
        1.0,
        id="conversion: becoming a customer on the cutoff day converts",
    ),
]


@pytest.mark.parametrize(("recipe", "rows", "expected"), DATE_ONLY_CASES)
def test_date_only_events_on_the_window_edges_land_in_exactly_one_window(con, add, recipe, rows, expected):
    add("payments", ANCHOR)
    for table, row in rows:
        add(table, row)
    assert _label(con, recipe, "L" if recipe == "conversion" else "K") == expected


def test_an_order_on_the_cutoff_day_is_a_label_event_not_a_feature(con, add):
    add("payments", ANCHOR)
    add("orders", order("k1", "K", "2024-04-10", 5.0), order("k2", "K", CUTOFF, 40.0))
    frame = build_training_set(con, spec_for("spend"), use_cache=False).frame.set_index(["entity_id", "cutoff"])
    row = frame.loc[("K", D(CUTOFF))]
    assert (row["orders_365d"], row["order_value_365d"], row["label"]) == (1, 5.0, 40.0)


# --- property: with events on and around every window edge, dates and timestamps alike --------------

START, AS_OF, HORIZON = datetime(2024, 1, 1), datetime(2024, 9, 1), 30
CUTOFFS = (datetime(2024, 6, 1), datetime(2024, 7, 1), datetime(2024, 8, 1))  # 3 monthly, last + 30 days <= AS_OF
EDGE = timedelta(days=HORIZON)
TICK = timedelta(microseconds=1)
OFFSETS = (
    -TICK,
    timedelta(0),
    TICK,
    EDGE - TICK,
    EDGE,
    EDGE + TICK,
    timedelta(days=-1),
    timedelta(days=1),
    EDGE - timedelta(days=1),
)

near_an_edge = st.builds(lambda c, o: c + o, st.sampled_from(CUTOFFS), st.sampled_from(OFFSETS))
any_day = st.builds(lambda d: START + timedelta(days=d), st.integers(0, (AS_OF - START).days - 1))  # date-only: 00:00
any_moment = st.builds(
    lambda h: START + timedelta(minutes=h), st.integers(0, int((AS_OF - START).total_seconds() // 60) - 1)
)
purchase = st.tuples(
    st.sampled_from("ABC"),
    st.one_of(near_an_edge, any_day, any_moment),
    st.sampled_from(["order", "payment"]),
    st.integers(1, 50),
)


def _load(con, purchases) -> None:
    orders = [
        order(f"o{i}", cust, when.isoformat(), float(amount))
        for i, (cust, when, kind, amount) in enumerate(purchases)
        if kind == "order"
    ]
    payments = [
        pay(f"p{i}", cust, when.isoformat(), float(amount))
        for i, (cust, when, kind, amount) in enumerate(purchases)
        if kind == "payment"
    ]
    insert_rows(con, "orders", orders)
    anchors = [pay("first", "Z", START.isoformat(), 1.0), pay("last", "Z", AS_OF.isoformat(), 1.0)]  # pin the cutoffs
    insert_rows(con, "payments", [*payments, *anchors])


@settings(max_examples=8, deadline=None)
@given(purchases=st.lists(purchase, min_size=1, max_size=30))
def test_every_event_at_or_after_the_cutoff_is_in_the_label_window_or_after_it(purchases):
    con = connect(":memory:")
    try:
        create_core_tables(con)
        _load(con, purchases)
        spend = spec_for("spend", horizon=HORIZON)  # bought in the 365 days before: everyone who bought here
        assert tuple(cutoff_schedule(con, spend, as_of=AS_OF)) == CUTOFFS
        money = build_training_set(con, spend, as_of=AS_OF, use_cache=False).frame
        again = build_training_set(
            con, spec_for("buy_again", horizon=HORIZON, population="all_customers"), as_of=AS_OF, use_cache=False
        ).frame
        for cutoff in CUTOFFS:
            for cust in "ABC":
                mine = [(when, amount) for c, when, _, amount in purchases if c == cust]
                before = sum(a for t, a in mine if t < cutoff)
                in_window = sum(a for t, a in mine if cutoff <= t < cutoff + EDGE)
                after = sum(a for t, a in mine if t >= cutoff + EDGE)
                assert before + in_window + after == sum(a for _, a in mine)  # the windows partition the timeline
                row = money[(money["entity_id"] == cust) & (money["cutoff"] == cutoff)]
                if before == 0:  # never bought before the cutoff: not in either population
                    assert row.empty and again[(again["entity_id"] == cust) & (again["cutoff"] == cutoff)].empty
                    continue
                seen = row.iloc[0]
                assert seen["order_value_365d"] + seen["revenue_365d"] == before  # features: [.., cutoff)
                assert seen["label"] == in_window  # label: [cutoff, cutoff + horizon), none dropped, none twice
                bought = again[(again["entity_id"] == cust) & (again["cutoff"] == cutoff)]["label"].iloc[0]
                assert bought == int(in_window > 0)
    finally:
        con.close()
