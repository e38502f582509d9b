"""Series from the business's core tables and from any table, on a real DuckDB warehouse."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from soloml.errors import ForecastError
from soloml.forecasting import core_series, table_series

from .helpers import insert


@pytest.fixture
def shop(con):
    """Jan-Apr 2024: Stripe charges (one refunded in part, one failed, one in EUR), Shopify and Square orders (one canceled), order lines."""
    pay = [
        {
            "payment_id": "p1",
            "customer_id": "A",
            "kind": "charge",
            "status": "succeeded",
            "amount": 100,
            "currency": "USD",
            "paid_at": datetime(2024, 1, 1, 9),
            "source": "stripe",
        },
        {
            "payment_id": "p2",
            "customer_id": "B",
            "kind": "charge",
            "status": "partially_refunded",
            "amount": 50,
            "amount_refunded": 20,
            "currency": "USD",
            "paid_at": datetime(2024, 1, 20),
            "source": "stripe",
            "order_id": "o2",
        },
        {
            "payment_id": "p3",
            "customer_id": "A",
            "kind": "charge",
            "status": "failed",
            "amount": 999,
            "currency": "USD",
            "paid_at": datetime(2024, 2, 3),
            "source": "stripe",
        },
        {
            "payment_id": "p4",
            "customer_id": "C",
            "kind": "charge",
            "status": "succeeded",
            "amount": 70,
            "currency": "EUR",
            "paid_at": datetime(2024, 3, 3),
            "source": "stripe",
        },
        {
            "payment_id": "p5",
            "customer_id": "A",
            "kind": "charge",
            "status": "succeeded",
            "amount": 40,
            "currency": "USD",
            "paid_at": datetime(2024, 4, 30, 22),
            "source": "stripe",
        },
    ]
    insert(con, "payments", pay)
    orders = [
        {
            "order_id": "o0",
            "customer_id": "F",
            "ordered_at": datetime(2024, 1, 1, 8),
            "status": "paid",
            "total": 10,
            "currency": "USD",
            "source": "square",
        },
        {
            "order_id": "o4",
            "customer_id": "A",
            "ordered_at": datetime(2024, 4, 30, 21),
            "status": "paid",
            "total": 25,
            "currency": "USD",
            "source": "shopify",
        },
        {
            "order_id": "o1",
            "customer_id": "D",
            "ordered_at": datetime(2024, 2, 10),
            "status": "paid",
            "total": 30,
            "currency": "USD",
            "source": "shopify",
        },
        {
            "order_id": "o2",
            "customer_id": "B",
            "ordered_at": datetime(2024, 1, 20),
            "status": "paid",
            "total": 50,
            "currency": "USD",
            "source": "shopify",
        },
        {
            "order_id": "o3",
            "customer_id": "E",
            "ordered_at": datetime(2024, 3, 15),
            "status": "canceled",
            "total": 80,
            "currency": "USD",
            "source": "shopify",
        },
    ]
    insert(con, "orders", orders)
    insert(
        con,
        "order_items",
        [
            {
                "order_item_id": "i0",
                "order_id": "o0",
                "product": "beans",
                "quantity": 3,
                "ordered_at": datetime(2024, 1, 1, 8),
                "source": "square",
            },
            {
                "order_item_id": "i4",
                "order_id": "o4",
                "product": "mug",
                "quantity": 2,
                "ordered_at": datetime(2024, 4, 30, 21),
                "source": "shopify",
            },
            {
                "order_item_id": "i1",
                "order_id": "o1",
                "product": "beans",
                "quantity": 2,
                "ordered_at": datetime(2024, 2, 10),
                "source": "shopify",
            },
            {
                "order_item_id": "i2",
                "order_id": "o2",
                "product": "mug",
                "quantity": 1,
                "ordered_at": datetime(2024, 1, 20),
                "source": "shopify",
            },
            {
                "order_item_id": "i3",
                "order_id": "o3",
                "product": "beans",
                "quantity": 5,
                "ordered_at": datetime(2024, 3, 15),
                "source": "shopify",
            },
        ],
    )
    return con


def _values(series) -> dict[str, list[float]]:
    return {uid: list(g["y"]) for uid, g in series.frame.groupby("unique_id")}


def test_revenue_is_paid_charges_net_of_refunds_plus_orders_paid_elsewhere_in_one_currency(shop):
    s = core_series(shop, "revenue", currency="USD")
    # Jan: 100 + (50 - 20) + order o0; o2 was paid through p2, so it is not counted twice. Feb: order o1. Mar: nothing in USD. Apr: 40 + o4.
    assert _values(s) == {"revenue": [140.0, 30.0, 0.0, 65.0]}
    assert s.unit == "money" and s.currency == "USD" and s.non_negative
    assert any("other currencies (1 in EUR)" in n for n in s.notes)
    assert any("1 month(s) with no value" in n and "counted as zero" in n for n in s.notes)


@pytest.mark.parametrize(
    ("kind", "by", "expected"),
    [
        ("orders", (), {"orders": [2.0, 1.0, 0.0, 1.0]}),  # the canceled March order does not count
        (
            "new_customers",
            (),
            {"new_customers": [3.0, 1.0, 1.0, 0.0]},
        ),  # A, B, F in Jan; D in Feb; C (paid in EUR) in Mar
        ("units", ("product",), {"beans": [3.0, 2.0, 0.0, 0.0], "mug": [1.0, 0.0, 0.0, 2.0]}),
        ("orders", ("channel",), {"square": [1.0, 0.0, 0.0, 0.0], "shopify": [1.0, 1.0, 0.0, 1.0]}),
    ],
)
def test_core_series_by_recipe(shop, kind, by, expected):
    values = _values(core_series(shop, kind, by=by))
    assert values == expected


def test_a_split_the_core_tables_cannot_make_is_refused_with_the_ones_they_can(shop):
    with pytest.raises(ForecastError, match="cannot be split by 'location'.*no location column.*splits by channel"):
        core_series(shop, "revenue", by=("location",))
    with pytest.raises(ForecastError, match="no core series 'revenu'.*Did you mean 'revenue'"):
        core_series(shop, "revenu")


def test_an_empty_warehouse_says_what_to_load(con):
    with pytest.raises(ForecastError, match="nothing to forecast.*core.orders.*soloml load"):
        core_series(con, "orders")


@pytest.fixture
def sales(con):
    rows = pd.DataFrame(  # noqa: F841 - read by name in the SQL below
        {"day": pd.date_range("2023-01-01", periods=400, freq="D"), "amount": 10.0, "shop": ["north", "south"] * 200}
    )
    con.execute(
        "CREATE TABLE raw.sales AS SELECT day, CAST(amount AS VARCHAR) AS amount, shop, row_number() OVER () AS _source_row FROM rows"
    )
    return con


def test_a_table_of_events_is_summed_per_period_by_its_series_columns(sales):
    s = table_series(sales, "raw.sales", "day", "amount", by=("shop",), frequency="month")
    assert set(s.ids) == {"north", "south"}
    assert s.frame.groupby("unique_id")["y"].first().to_dict() == {"north": 160.0, "south": 150.0}
    assert any("last month (2024-02) is partial" in n for n in s.notes)


def test_a_table_of_one_row_per_month_keeps_its_frequency_and_cannot_be_split_finer(con):
    rows = pd.DataFrame({"month": pd.date_range("2020-01-01", periods=36, freq="MS"), "total": range(36)})  # noqa: F841 - read by name in the SQL below
    con.execute("CREATE TABLE raw.monthly AS SELECT * FROM rows")
    s = table_series(con, "raw.monthly", "month", "total")
    assert s.frequency == "month" and len(s.frame) == 36
    assert any("one row per month" in n for n in s.notes)
    with pytest.raises(ForecastError, match="one row per month: it cannot be forecast per week"):
        table_series(con, "raw.monthly", "month", "total", frequency="week")


def test_a_value_that_is_not_a_number_names_the_table_row_column_and_value(sales):
    sales.execute("UPDATE raw.sales SET amount = 'n/a' WHERE _source_row = 42")
    with pytest.raises(ForecastError, match=r"Column 'amount' of raw.sales row 42 is not a number: got 'n/a'") as info:
        table_series(sales, "raw.sales", "day", "amount")
    assert "--value" in info.value.hint


def test_an_unknown_column_gets_did_you_mean(sales):
    with pytest.raises(ForecastError, match="no column 'amout' \\(the value column\\).*Did you mean 'amount'"):
        table_series(sales, "raw.sales", "day", "amout")
