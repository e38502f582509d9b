"""Square: local Date/Time/Time Zone to UTC, '$' money, refunds as their own payments, item lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from canonical.helpers import read, route_as_text, rows, warehouse_with


@pytest.fixture(scope="module")
def square(tmp_path_factory):
    con, _ = warehouse_with(tmp_path_factory, "square_transactions.csv", "square_items.csv")
    yield con
    con.close()


@pytest.mark.parametrize(
    ("payment_id", "kind", "status", "amount", "refunded", "paid_at"),
    [
        ("square:PAY001", "charge", "succeeded", "1306.00", "0.00", datetime(2024, 1, 15, 14, 32, 10)),  # 09:32 EST
        ("square:PAY002", "charge", "partially_refunded", "12.96", "5.00", datetime(2024, 1, 16, 7, 30)),  # 23:30 PST
        ("square:PAY002:refund", "refund", "succeeded", "5.00", "0.00", datetime(2024, 1, 16, 15, 0)),
    ],
)
def test_transactions_become_payments_in_utc(square, payment_id, kind, status, amount, refunded, paid_at):
    (p,) = rows(square, "SELECT * FROM core.payments WHERE payment_id = ?", [payment_id])
    assert (p["kind"], p["status"], p["amount"], p["amount_refunded"], p["currency"], p["paid_at"]) == (
        kind,
        status,
        Decimal(amount),
        Decimal(refunded),
        "USD",
        paid_at,
    )


def test_transactions_become_orders(square):
    got = rows(
        square, "SELECT order_id, status, subtotal, discount, tax, total, ordered_at FROM core.orders ORDER BY 1"
    )
    assert [tuple(r.values()) for r in got] == [
        (
            "square:TXN001",
            "paid",
            Decimal("1234.50"),
            Decimal("34.50"),
            Decimal("96.00"),
            Decimal("1306.00"),
            datetime(2024, 1, 15, 14, 32, 10),
        ),
        (
            "square:TXN002",
            "partially_refunded",
            Decimal("12.00"),
            Decimal("0.00"),
            Decimal("0.96"),
            Decimal("12.96"),
            datetime(2024, 1, 16, 7, 30),
        ),
    ]


def test_transactions_load_the_same_from_untyped_text(con):
    route_as_text(con, read("square_transactions.csv"))
    got = rows(con, "SELECT payment_id, amount, paid_at FROM core.payments ORDER BY 1")
    assert [tuple(r.values()) for r in got] == [
        ("square:PAY001", Decimal("1306.00"), datetime(2024, 1, 15, 14, 32, 10)),
        ("square:PAY002", Decimal("12.96"), datetime(2024, 1, 16, 7, 30)),
        ("square:PAY002:refund", Decimal("5.00"), datetime(2024, 1, 16, 15, 0)),
    ]


def test_named_customer_is_resolved(square):
    (c,) = rows(
        square,
        "SELECT c.name FROM core.customers c JOIN core.payments p USING (customer_id) WHERE payment_id = 'square:PAY001'",
    )
    assert c["name"] == "Greta Hall"


def test_item_details_become_order_items(square):
    got = rows(
        square,
        "SELECT order_item_id, order_id, product, sku, quantity, unit_price, discount, line_total, ordered_at FROM core.order_items ORDER BY 1",
    )
    assert [tuple(r.values()) for r in got] == [
        (
            "square:TXN001:1",
            "square:TXN001",
            "Espresso machine - Regular",
            "ESP-1",
            1,
            Decimal("1234.50"),
            Decimal("34.50"),
            Decimal("1200.00"),
            datetime(2024, 1, 15, 14, 32, 10),
        ),
        (
            "square:TXN002:1",
            "square:TXN002",
            "Coffee - Large",
            "COF-L",
            2,
            Decimal("6.00"),
            Decimal("0.00"),
            Decimal("12.00"),
            datetime(2024, 1, 16, 7, 30),
        ),
    ]
