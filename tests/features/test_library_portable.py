"""The built-in feature families' SQL runs on DuckDB and on the Postgres warehouse with the same values (issue 18)."""

from __future__ import annotations

from datetime import datetime

import pytest

from features.conftest import insert_rows
from features.feature_rows import order
from soloml.canonical.schema import create_core_tables
from soloml.features import library
from soloml.projects.recipes.base import POPULATION_TABLE
from warehouse.backends import BACKENDS, fresh

CUTOFF = datetime(2024, 4, 1)
ORDERS = [
    order("o1", "c1", "2024-01-01 10:00:00", 10.0),
    order("o2", "c1", "2024-03-01 12:00:00", 20.0, discount=2.0),
    order("o3", "c1", "2024-03-11 00:00:00", 30.0),
    order("o4", "c2", "2024-02-01 09:00:00"),  # two orders at the same moment: the last gap is 0 days
    order("o5", "c2", "2024-02-01 09:00:00"),
    order("o6", "c3", "2024-03-20 00:00:00"),  # one order: no gap
    order("o7", "c4", "2024-03-25 00:00:00"),
    order("o8", "c4", "2024-04-02 00:00:00"),  # after the cutoff: not known yet, so c4 has one order too
    order("o9", "c5", "2022-06-01 00:00:00"),  # more than a year before the cutoff: outside the window
    order("o10", "c5", "2024-03-01 00:00:00"),
    order("o11", "c6", "2023-12-01 00:00:00"),
    order("o12", "c6", "2024-03-30 00:00:00"),  # a tie for the latest: the last gap is 0 days
    order("o13", "c6", "2024-03-30 00:00:00"),
]


def _world(con) -> None:
    create_core_tables(con)
    insert_rows(con, "orders", ORDERS)
    con.execute(f"CREATE TEMP TABLE {POPULATION_TABLE} (entity_id VARCHAR, customer_id VARCHAR, cutoff TIMESTAMP)")
    for c in ("c1", "c2", "c3", "c4", "c5", "c6"):
        con.execute(f"INSERT INTO {POPULATION_TABLE} VALUES (?, ?, ?)", [c, c, CUTOFF])


def _rows(con, family: library.Family) -> dict[str, dict[str, object]]:
    cur = con.execute(f"SELECT * FROM ({family.sql}) AS f ORDER BY entity_id")
    names = [d[0] for d in cur.description]
    return {r[0]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


@pytest.mark.parametrize("backend", BACKENDS)
def test_order_gaps_on_each_backend(backend: str) -> None:
    with fresh(backend) as con:
        _world(con)
        got = _rows(con, library.orders_family("customer_id"))
    gaps = {c: None if r["order_gap_last_days"] is None else float(r["order_gap_last_days"]) for c, r in got.items()}
    assert gaps == {"c1": 9.5, "c2": 0.0, "c3": None, "c4": None, "c5": None, "c6": 0.0}
    assert {c: int(r["orders_365d"]) for c, r in got.items()} == {"c1": 3, "c2": 2, "c3": 1, "c4": 1, "c5": 1, "c6": 3}
    assert float(got["c1"]["order_gap_mean_days"]) == pytest.approx((31 + 29 + 10 - 10 / 24) / 2)


SUBSCRIPTIONS = [
    {
        "subscription_id": "s1",
        "customer_id": "c1",
        "plan": "basic",
        "status": "active",
        "started_at": datetime(2023, 5, 1),
        "mrr": 10,
    },
    {
        "subscription_id": "s2",
        "customer_id": "c1",
        "plan": "pro",
        "status": "canceled",
        "started_at": datetime(2024, 1, 1),
        "canceled_at": datetime(2024, 5, 1),
        "mrr": 30,
    },  # canceled after the cutoff: still running at it
    {
        "subscription_id": "s3",
        "customer_id": "c2",
        "plan": "basic",
        "status": "canceled",
        "started_at": datetime(2023, 1, 1),
        "canceled_at": datetime(2023, 6, 1),
        "mrr": 10,
    },
]
CONTACTS = [
    {
        "contact_id": "h:1",
        "customer_id": "c1",
        "lifecycle_stage": "lead",
        "lead_source": "ads",
        "created_at": datetime(2023, 1, 1),
    },
    {
        "contact_id": "h:2",
        "customer_id": "c1",
        "lifecycle_stage": "customer",
        "lead_source": None,
        "created_at": datetime(2023, 6, 1),
        "became_customer_at": datetime(2024, 5, 1),
    },  # a customer only after the cutoff
    {
        "contact_id": "h:3",
        "customer_id": "c2",
        "lifecycle_stage": "opportunity",
        "lead_source": "referral",
        "created_at": datetime(2022, 3, 1),
    },
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_latest_subscription_and_crm_stage_on_each_backend(backend: str) -> None:
    """arg_max picks the latest row's value; on Postgres dialect.transpile writes it as an ordered array_agg."""
    with fresh(backend) as con:
        _world(con)
        insert_rows(con, "subscriptions", [{"source": "stripe", **s} for s in SUBSCRIPTIONS])
        insert_rows(con, "contacts", [{"source": "hubspot", **c} for c in CONTACTS])
        subs = _rows(con, library.subscriptions_family("customer_id"))
        crm = _rows(con, library.crm_family("customer_id", "customer_id"))
    assert {
        c: (r["subscription_plan"], r["subscription_status"], int(r["active_subscriptions"])) for c, r in subs.items()
    } == {
        "c1": ("pro", "active", 2),
        "c2": ("basic", "canceled", 0),
    }
    # c1's latest contact is a customer only after the cutoff and names no source: arg_max skips those NULLs
    # and keeps the latest known values, on both backends
    assert {c: (r["lifecycle_stage"], r["lead_source"], int(r["contact_age_days"])) for c, r in crm.items()} == {
        "c1": ("lead", "ads", 456),
        "c2": ("opportunity", "referral", 762),
    }
