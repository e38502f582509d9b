"""Shopify: orders export (line items, first-line order columns, offsets), customers export, synced tables."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from canonical.helpers import FIXTURES, load, rows, warehouse_with, write_csv


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    con, results = warehouse_with(tmp_path_factory, "shopify_orders.csv", "shopify_customers.csv")
    yield con
    con.close()


ORDERS_HEADER = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,"
    "Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
    "Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing City,Billing Zip,Billing Country,Shipping Name,Shipping City,Shipping Zip,Shipping Country,Notes,"
    "Cancelled at,Payment Method,Refunded Amount,Vendor,Id,Tags,Risk Level,Source,Lineitem discount,Phone"
)


@pytest.mark.parametrize(
    ("order_id", "status", "ordered_at", "subtotal", "discount", "shipping", "tax", "total", "currency", "items"),
    [
        (
            "shopify:5501001",
            "paid",
            datetime(2024, 1, 15, 14, 32, 10),
            "60.00",
            "5.00",
            "5.00",
            "4.80",
            "64.80",
            "USD",
            3,
        ),
        (
            "shopify:5501002",
            "refunded",
            datetime(2024, 1, 20, 18, 0),
            "15.50",
            "0.00",
            "0.00",
            "0.00",
            "15.50",
            "GBP",
            1,
        ),
        (
            "shopify:5501003",
            "canceled",
            datetime(2024, 2, 2, 7, 10),
            "10.00",
            "0.00",
            "0.00",
            "0.00",
            "10.00",
            "USD",
            1,
        ),
    ],
)
def test_orders_export_lands_one_order_per_name_in_utc(
    shop, order_id, status, ordered_at, subtotal, discount, shipping, tax, total, currency, items
):
    (o,) = rows(shop, "SELECT * FROM core.orders WHERE order_id = ?", [order_id])
    assert (
        o["status"],
        o["ordered_at"],
        o["subtotal"],
        o["discount"],
        o["shipping"],
        o["tax"],
        o["total"],
        o["currency"],
        o["item_count"],
    ) == (
        status,
        ordered_at,
        Decimal(subtotal),
        Decimal(discount),
        Decimal(shipping),
        Decimal(tax),
        Decimal(total),
        currency,
        items,
    )


def test_orders_export_keeps_every_line_item_with_the_order_time(shop):
    got = rows(
        shop,
        "SELECT order_item_id, product, sku, quantity, unit_price, discount, line_total, ordered_at FROM core.order_items WHERE order_id = 'shopify:5501001' ORDER BY 1",
    )
    assert [tuple(r.values()) for r in got] == [
        (
            "shopify:5501001:1",
            "Blue Mug",
            "MUG-BLU",
            2,
            Decimal("20.00"),
            Decimal("0.00"),
            Decimal("40.00"),
            datetime(2024, 1, 15, 14, 32, 10),
        ),
        (
            "shopify:5501001:2",
            "Tea Tin",
            "TEA-01",
            1,
            Decimal("20.00"),
            Decimal("5.00"),
            Decimal("15.00"),
            datetime(2024, 1, 15, 14, 32, 10),
        ),
    ]


def test_orders_of_gmail_variants_belong_to_one_customer(shop):
    ids = {
        r["customer_id"]
        for r in rows(
            shop, "SELECT customer_id FROM core.orders WHERE order_id IN ('shopify:5501001', 'shopify:5501003')"
        )
    }
    assert len(ids) == 1 and None not in ids


def test_customers_export_strips_the_apostrophe_and_links_by_email(shop):
    got = rows(
        shop,
        """
        SELECT x.source_id, x.matched_by, o.order_id FROM core.customer_identities x
        JOIN core.orders o USING (customer_id) WHERE x.source_id LIKE '70123%' ORDER BY 1, 3""",
    )
    assert [tuple(r.values()) for r in got] == [
        ("7012345678901", "email", "shopify:5501001"),
        ("7012345678901", "email", "shopify:5501003"),
        ("7012345678902", "email", "shopify:5501002"),
    ]


def test_a_changed_line_in_a_new_export_updates_that_order_and_keeps_its_other_lines(con, tmp_path):
    load(con, "shopify_orders.csv")
    first = tmp_path / "v1.csv"
    text = (FIXTURES / "shopify_orders.csv").read_text()
    changed = text.replace(
        "1,Tea Tin,20.00,,TEA-01,true,true,fulfilled,,,,,,,,,,,,,Acme,,,,,5.00,",
        "3,Tea Tin,20.00,,TEA-01,true,true,fulfilled,,,,,,,,,,,,,Acme,,,,,5.00,",
    )
    assert changed != text
    first.write_text(changed)
    result = load(con, first)
    assert result.core_rows["order_items"] == 1 and result.core_rows["orders"] == 1  # item_count 3 -> 5
    (o,) = rows(con, "SELECT item_count, total, status FROM core.orders WHERE order_id = 'shopify:5501001'")
    assert (o["item_count"], o["total"], o["status"]) == (5, Decimal("64.80"), "paid")
    assert rows(con, "SELECT count(*) AS n FROM core.order_items WHERE order_id = 'shopify:5501001'")[0]["n"] == 2


def test_order_without_an_offset_is_taken_as_utc(con, tmp_path):
    line = "#2001,a@b.co,paid,,,,,USD,10.00,0.00,0.00,10.00,,0.00,,2024-03-10 08:00:00,1,Mug,10.00,,M,,,,,,,,,,,,,,,0.00,,9001,,,,0.00,"
    load(con, write_csv(tmp_path, "orders.csv", ORDERS_HEADER + "\n" + line + "\n"))
    assert rows(con, "SELECT ordered_at FROM core.orders")[0]["ordered_at"] == datetime(2024, 3, 10, 8)


def test_reference_synced_orders_lines_and_customers_load(con, reference_data):
    folder = reference_data / "fivetran_shopify"
    load(con, folder / "shopify_customer_data.csv")
    orders = load(con, folder / "shopify_order_data.csv")
    lines = load(con, folder / "shopify_order_line_data.csv")
    assert (orders.core_rows["orders"], lines.core_rows["order_items"]) == (8, 3)
    (o,) = rows(con, "SELECT * FROM core.orders WHERE order_id = 'shopify:2669516488801'")
    assert (o["total"], o["subtotal"], o["currency"], o["ordered_at"], o["status"]) == (
        Decimal("3.79"),
        Decimal("2.80"),
        "GBP",
        datetime(2020, 9, 9, 23, 1, 54),
        "paid",
    )
    (line,) = rows(con, "SELECT * FROM core.order_items WHERE order_item_id = 'shopify:5708321914977'")
    assert (line["order_id"], line["quantity"], line["unit_price"], line["line_total"], line["ordered_at"]) == (
        "shopify:2674098602081",
        2,
        Decimal("2.80"),
        Decimal("5.60"),
        datetime(2020, 9, 11, 19, 35, 42),
    )
    customer_of = {r["order_id"]: r["customer_id"] for r in rows(con, "SELECT order_id, customer_id FROM core.orders")}
    assert customer_of["shopify:2674098602081"] is not None


def test_a_line_quarantined_earlier_stays_out_when_its_order_changes(con, tmp_path):
    text = (FIXTURES / "shopify_orders.csv").read_text()
    bad = text.replace("1,Tea Tin,20.00,", "1,Tea Tin,twenty,")
    first = load(con, write_csv(tmp_path, "v1.csv", bad))
    assert first.core_rows["_quarantined"] == 1
    changed = bad.replace("2,Blue Mug,20.00,,MUG-BLU", "4,Blue Mug,20.00,,MUG-BLU")
    (tmp_path / "v2").mkdir()
    second = load(con, write_csv(tmp_path / "v2", "v1.csv", changed))
    assert second.core_rows["_quarantined"] == 0  # the bad line was not in this load (identical, skipped)
    got = rows(con, "SELECT product, quantity, unit_price FROM core.order_items WHERE order_id = 'shopify:5501001'")
    assert [tuple(r.values()) for r in got] == [("Blue Mug", 4, Decimal("20.00"))]


def test_orders_keep_what_staff_see_the_number_the_cancellation_and_the_refund(con, tmp_path):
    """Issue 11, item 5: a refunded order that was also cancelled keeps its number, cancellation time and refund."""
    line = (
        "#1175,ana@example.com,refunded,,,,,USD,40.00,0.00,0.00,40.00,,0.00,,2024-05-02 10:00:00 -0400,1,Kettle,40.00,,"
        "KTL,,,,Ana Ruiz,Austin,78701,US,,,,,,2024-05-03 09:30:00 -0400,Shopify Payments,40.00,,5501175,,,,0.00,"
    )
    partial = (
        "#1176,ana@example.com,partially_refunded,,,,,USD,30.00,0.00,0.00,30.00,,0.00,,2024-05-04 10:00:00 -0400,1,Mug,30.00,,"
        "MUG,,,,Ana Ruiz,Austin,78701,US,,,,,,,Shopify Payments,12.50,,5501176,,,,0.00,"
    )
    load(con, write_csv(tmp_path, "orders.csv", ORDERS_HEADER + "\n" + line + "\n" + partial + "\n"))
    got = {r["order_id"]: r for r in rows(con, "SELECT * FROM core.orders")}
    refunded, part = got["shopify:5501175"], got["shopify:5501176"]
    assert (refunded["order_number"], refunded["status"], refunded["canceled_at"], refunded["amount_refunded"]) == (
        "#1175",
        "refunded",
        datetime(2024, 5, 3, 13, 30),
        Decimal("40.00"),
    )
    assert (part["order_number"], part["status"], part["canceled_at"], part["amount_refunded"]) == (
        "#1176",
        "partially_refunded",
        None,
        Decimal("12.50"),
    )


def test_a_cancelled_unpaid_order_keeps_its_cancellation_time(shop):
    (o,) = rows(shop, "SELECT order_number, status, canceled_at FROM core.orders WHERE order_id = 'shopify:5501003'")
    assert (o["order_number"], o["status"], o["canceled_at"]) == ("#1003", "canceled", datetime(2024, 2, 2, 16))
