"""Detection: every vendor file is recognised from its header; forced names and missing columns fail clearly."""

from __future__ import annotations

import pandas as pd
import pytest

from canonical.helpers import FIXTURES, read
from soloml.canonical.ingest import detect
from soloml.errors import AdapterError


def header_of(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns]


@pytest.mark.parametrize(
    ("fixture", "vendor_object", "raw_name"),
    [
        ("stripe_payments.csv", "stripe.payments", "stripe_payments"),
        ("stripe_customers.csv", "stripe.customers", "stripe_customers"),
        ("stripe_subscriptions_v1.csv", "stripe.subscriptions", "stripe_subscriptions"),
        ("stripe_api_charges.json", "stripe.api_charge", "stripe_api_charge"),
        ("stripe_api_customers.json", "stripe.api_customer", "stripe_api_customer"),
        ("stripe_api_subscriptions.json", "stripe.api_subscription", "stripe_api_subscription"),
        ("shopify_orders.csv", "shopify.orders", "shopify_orders"),
        ("shopify_customers.csv", "shopify.customers", "shopify_customers"),
        ("square_transactions.csv", "square.transactions", "square_transactions"),
        ("square_items.csv", "square.items", "square_items"),
    ],
)
def test_each_fixture_is_detected_as_its_vendor_object(fixture, vendor_object, raw_name):
    frame = read(FIXTURES / fixture)
    detection = detect(header_of(frame), frame, None)
    assert detection is not None
    assert (detection.vendor_object, detection.name) == (vendor_object, raw_name)
    assert detection.confidence > 0.5
    assert "header matches" in detection.reason


@pytest.mark.parametrize(
    ("reference_file", "vendor_object"),
    [
        ("fivetran_stripe/charge_data.csv", "stripe.charge"),
        ("fivetran_stripe/refund_data.csv", "stripe.refund"),
        ("fivetran_stripe/customer_data.csv", "stripe.customer"),
        ("fivetran_stripe/subscription_data.csv", "stripe.subscription"),
        ("fivetran_stripe/subscription_history_data.csv", "stripe.subscription_history"),
        ("fivetran_shopify/shopify_order_data.csv", "shopify.order"),
        ("fivetran_shopify/shopify_order_line_data.csv", "shopify.order_line"),
        ("fivetran_shopify/shopify_customer_data.csv", "shopify.customer"),
    ],
)
def test_reference_synced_tables_are_detected(reference_data, reference_file, vendor_object):
    frame = read(reference_data / reference_file)
    detection = detect(header_of(frame), frame, None)
    assert detection is not None and detection.vendor_object == vendor_object


def test_api_objects_are_told_apart_by_their_object_field():
    charges = read(FIXTURES / "stripe_api_charges.json")
    relabelled = charges.assign(object="payout")
    detection = detect(header_of(relabelled), relabelled, None)
    assert detection is not None and detection.vendor_object is None


def test_vendor_header_missing_required_columns_fails_listing_them():
    frame = read(FIXTURES / "stripe_payments.csv").drop(columns=["Amount", "Status"])
    with pytest.raises(AdapterError) as err:
        detect(header_of(frame), frame, None)
    assert "'Amount'" in str(err.value) and "'Status'" in str(err.value)
    assert "Stripe payments" in str(err.value)


def test_forced_adapter_missing_required_columns_fails_listing_them():
    frame = pd.DataFrame({"id": ["x"], "Amount": ["1.00"]})
    with pytest.raises(AdapterError, match="'Created \\(UTC\\)', 'Currency', 'Status'"):
        detect(header_of(frame), frame, "stripe.payments")


def test_forced_unknown_adapter_suggests_the_closest_name():
    frame = read(FIXTURES / "stripe_payments.csv")
    with pytest.raises(AdapterError, match="Did you mean 'stripe.payments'"):
        detect(header_of(frame), frame, "stripe.paymnts")


def test_forced_adapter_wins_over_detection():
    frame = read(FIXTURES / "stripe_payments.csv")
    detection = detect(header_of(frame), frame, "stripe.payments")
    assert detection is not None and detection.vendor_object == "stripe.payments" and detection.confidence == 1.0


def test_plain_as_name_only_names_the_raw_table_and_still_routes():
    frame = read(FIXTURES / "shopify_orders.csv")
    detection = detect(header_of(frame), frame, "Shop Orders 2024")
    assert detection is not None
    assert (detection.name, detection.vendor_object) == ("shop_orders_2024", "shopify.orders")


def test_unrecognised_file_is_not_claimed_and_gets_a_suggestion():
    frame = pd.DataFrame({"sku": ["A"], "warehouse": ["North"], "on_hand": ["3"]})
    detection = detect(header_of(frame), frame, None)
    assert detection is not None
    assert (detection.name, detection.vendor_object, detection.key) == ("", None, ())
    assert "soloml map" in (detection.suggestion or "")


def test_unrecognised_file_lands_under_its_own_name_and_touches_no_core_table(con, tmp_path):
    from canonical.helpers import load, write_csv

    result = load(con, write_csv(tmp_path, "stock levels.csv", "sku,warehouse,on_hand\nA,North,3\n"))
    assert result.raw_table == "raw.stock_levels" and result.core_rows == {}


def test_newer_header_spellings_are_read_as_the_columns_they_stand_for(con, tmp_path):
    from canonical.helpers import load, rows, write_csv

    text = (FIXTURES / "stripe_payments.csv").read_text().replace("Created (UTC)", "Created date (UTC)", 1)
    result = load(con, write_csv(tmp_path, "unified_payments.csv", text))
    assert result.detection.vendor_object == "stripe.payments"
    assert result.core_rows["payments"] == 5
    (p,) = rows(con, "SELECT paid_at FROM core.payments WHERE payment_id = 'stripe:ch_3OZ1a2'")
    assert str(p["paid_at"]) == "2024-01-15 14:32:10"


def test_an_alias_counts_as_the_required_column():
    frame = (
        read(FIXTURES / "stripe_payments.csv")
        .rename(columns={"Created (UTC)": "Created date (UTC)"})
        .drop(columns=["Status"])
    )
    with pytest.raises(AdapterError) as err:
        detect(header_of(frame), frame, None)
    assert "'Status'" in str(err.value) and "Created" not in str(err.value)
