"""Stripe exports, synced tables and API objects land in core.* with exact amounts, UTC times and statuses."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from canonical.helpers import FIXTURES, load, read, route_as_text, rows, warehouse_with, write_csv


@pytest.fixture(scope="module")
def stripe(tmp_path_factory):
    """Every Stripe fixture loaded once, in the order a user would."""
    con, results = warehouse_with(
        tmp_path_factory,
        "stripe_customers.csv",
        "stripe_payments.csv",
        "stripe_subscriptions_v1.csv",
        "stripe_api_customers.json",
        "stripe_api_charges.json",
        "stripe_api_subscriptions.json",
    )
    yield con, results
    con.close()


PAYMENTS = [
    ("stripe:ch_3OZ1a2", "succeeded", "49.00", "0.00", "USD", datetime(2024, 1, 15, 14, 32, 10)),
    ("stripe:ch_3OZ1a3", "partially_refunded", "1249.50", "250.00", "USD", datetime(2024, 1, 16, 9, 5)),
    ("stripe:ch_3OZ1a4", "failed", "19.00", "0.00", "USD", datetime(2024, 1, 17, 23, 59, 59)),
    ("stripe:ch_3OZ1a5", "refunded", "30.00", "30.00", "USD", datetime(2024, 2, 1, 0, 0, 1)),
    ("stripe:ch_3OZ1a7", "succeeded", "5000.00", "0.00", "JPY", datetime(2024, 2, 3, 8, 0)),
]


def payment(con, payment_id: str) -> dict:
    found = rows(con, "SELECT * FROM core.payments WHERE payment_id = ?", [payment_id])
    assert len(found) == 1, payment_id
    return found[0]


def as_tuple(row: dict) -> tuple:
    return (row["kind"], row["status"], row["amount"], row["amount_refunded"], row["currency"], row["paid_at"])


@pytest.mark.parametrize(("payment_id", "status", "amount", "refunded", "currency", "paid_at"), PAYMENTS)
def test_payments_export_lands_exact_values(stripe, payment_id, status, amount, refunded, currency, paid_at):
    con, _ = stripe
    assert as_tuple(payment(con, payment_id)) == (
        "charge",
        status,
        Decimal(amount),
        Decimal(refunded),
        currency,
        paid_at,
    )


def test_payments_export_loads_the_same_from_untyped_text(con):
    route_as_text(con, read("stripe_payments.csv"))
    got = {p[0]: as_tuple(payment(con, p[0])) for p in PAYMENTS}
    assert got == {p[0]: ("charge", p[1], Decimal(p[2]), Decimal(p[3]), p[4], p[5]) for p in PAYMENTS}


def test_payments_export_drops_and_counts_test_mode_rows(stripe):
    con, results = stripe
    result = results["stripe_payments.csv"]
    assert result.core_rows["_test_mode"] == 1
    assert result.core_rows["payments"] == 5
    assert rows(con, "SELECT * FROM core.payments WHERE payment_id = 'stripe:ch_3OZ1a6'") == []


def test_payments_of_one_stripe_customer_share_a_customer_id(stripe):
    con, _ = stripe
    ids = {payment(con, p)["customer_id"] for p in ("stripe:ch_3OZ1a2", "stripe:ch_3OZ1a4")}
    assert len(ids) == 1 and None not in ids
    assert payment(con, "stripe:ch_3OZ1a2")["email"] == "jane.doe@example.com"


def test_customers_export_creates_customers_with_their_creation_time(stripe):
    con, _ = stripe
    got = rows(
        con,
        """
        SELECT x.source_id, c.email, c.name, c.country, c.created_at FROM core.customer_identities x
        JOIN core.customers c USING (customer_id) WHERE x.source_id IN ('cus_PA1', 'cus_PA2', 'cus_PA5') ORDER BY x.source_id""",
    )
    assert [tuple(r.values()) for r in got] == [
        ("cus_PA1", "jane.doe+billing@example.com", "Jane Doe", "US", datetime(2023, 12, 1, 10)),
        ("cus_PA2", "bob@example.com", "Bob Ray", "GB", datetime(2023, 12, 5, 8, 30)),
        ("cus_PA5", "erin@example.com", None, None, datetime(2024, 1, 2)),
    ]


@pytest.mark.parametrize(
    ("subscription_id", "status", "plan", "mrr", "currency", "interval", "started_at"),
    [
        ("stripe:sub_A", "active", "Pro Monthly", "49.00", "USD", "month", datetime(2024, 1, 10, 12)),
        ("stripe:sub_B", "active", "Team Yearly", "100.00", "USD", "year", datetime(2024, 1, 12, 9)),  # 2 x 600 / 12
        ("stripe:sub_C", "canceled", "Pro Monthly", "49.00", "USD", "month", datetime(2024, 1, 5, 8)),
    ],
)
def test_subscriptions_export_current_versions(
    stripe, subscription_id, status, plan, mrr, currency, interval, started_at
):
    con, _ = stripe
    (row,) = rows(con, "SELECT * FROM core.subscriptions WHERE subscription_id = ? AND is_current", [subscription_id])
    assert (row["status"], row["plan"], row["mrr"], row["currency"], row["billing_interval"], row["started_at"]) == (
        status,
        plan,
        Decimal(mrr),
        currency,
        interval,
        started_at,
    )


def test_api_charges_convert_minor_units_and_unix_times(stripe):
    con, results = stripe
    result = results["stripe_api_charges.json"]
    assert result.core_rows["_test_mode"] == 1  # livemode false
    assert as_tuple(payment(con, "stripe:ch_api_1")) == (
        "charge",
        "succeeded",
        Decimal("49.00"),
        Decimal("0.00"),
        "USD",
        datetime(2024, 1, 15, 14, 32, 10),
    )
    assert as_tuple(payment(con, "stripe:ch_api_2")) == (
        "charge",
        "refunded",
        Decimal("5000.00"),
        Decimal("5000.00"),
        "JPY",
        datetime(2024, 1, 16, 14, 32, 10),
    )
    (customer,) = rows(
        con,
        "SELECT c.* FROM core.customers c JOIN core.payments p USING (customer_id) WHERE payment_id = 'stripe:ch_api_1'",
    )
    assert (customer["email"], customer["name"], customer["country"]) == ("api.person@example.com", "Api Person", "US")


def test_api_customer_and_subscription_join_one_customer(stripe):
    con, _ = stripe
    (sub,) = rows(con, "SELECT * FROM core.subscriptions WHERE subscription_id = 'stripe:sub_api_1'")
    assert (sub["plan"], sub["status"], sub["mrr"], sub["billing_interval"], sub["started_at"]) == (
        "Annual",
        "active",
        Decimal("10.00"),
        "year",
        datetime(2024, 1, 1),
    )
    (customer,) = rows(con, "SELECT * FROM core.customers WHERE email = 'api.person@example.com'")
    assert sub["customer_id"] == customer["customer_id"] and customer["created_at"] == datetime(2024, 1, 1)


def test_reference_api_objects_are_test_mode_and_are_counted_not_loaded(con, reference_data, tmp_path):
    resources = json.loads((reference_data / "stripe_api" / "fixtures3.json").read_text())["resources"]
    path = tmp_path / "charges.json"
    path.write_text(json.dumps([resources["charge"]]))
    result = load(con, path)
    assert result.detection.vendor_object == "stripe.api_charge"
    assert result.core_rows["_test_mode"] == 1
    assert rows(con, "SELECT * FROM core.payments") == []


def test_reference_synced_charges_are_minor_units(con, reference_data):
    result = load(con, reference_data / "fivetran_stripe" / "charge_data.csv")
    assert result.core_rows["payments"] == 16
    got = [
        as_tuple(payment(con, p)) for p in ("stripe:ch_0IMDAfig6peNXzgDJYQKfT3B", "stripe:ch_0IMDAVig6peNXzgDHlr1zyyW")
    ]
    assert got == [
        ("charge", "failed", Decimal("32932.32"), Decimal("0.00"), "USD", datetime(2021, 2, 18, 14, 7, 57)),
        ("charge", "failed", Decimal("20400.00"), Decimal("0.00"), "USD", datetime(2021, 2, 18, 14, 7, 47)),
    ]


def test_reference_synced_customers_and_subscriptions_load(con, reference_data):
    customers = load(con, reference_data / "fivetran_stripe" / "customer_data.csv")
    subs = load(con, reference_data / "fivetran_stripe" / "subscription_data.csv")
    assert customers.core_rows["customer_identities"] == 11
    got = rows(
        con,
        "SELECT subscription_id, status, started_at, canceled_at FROM core.subscriptions WHERE is_current ORDER BY 1",
    )
    assert [tuple(r.values()) for r in got] == [
        ("stripe:sdgfs4536", "active", datetime(2021, 2, 18, 14, 16, 37), datetime(2021, 2, 18, 14, 16, 37)),
        ("stripe:sfjytkyu876", "active", datetime(2021, 2, 18, 14, 16, 37), datetime(2021, 2, 18, 14, 16, 37)),
    ]
    # each had a one-day trial (trial_end 2021-02-19 14:16:37) before it became active
    versions = rows(
        con,
        "SELECT status, valid_from, valid_to FROM core.subscriptions WHERE subscription_id = 'stripe:sdgfs4536' ORDER BY valid_from",
    )
    assert [tuple(r.values()) for r in versions] == [
        ("trialing", datetime(2021, 2, 18, 14, 16, 37), datetime(2021, 2, 19, 14, 16, 37)),
        ("active", datetime(2021, 2, 19, 14, 16, 37), None),
    ]
    assert subs.core_rows["subscriptions"] == 4


def test_reference_subscription_history_uses_the_active_version(con, reference_data):
    result = load(con, reference_data / "fivetran_stripe" / "subscription_history_data.csv")
    assert result.detection.vendor_object == "stripe.subscription_history"
    assert rows(con, "SELECT count(*) AS n FROM core.subscriptions WHERE is_current")[0]["n"] == 2


def test_reference_synced_refunds_are_refund_payments_of_the_charges_customer(con, reference_data, tmp_path):
    load(con, reference_data / "fivetran_stripe" / "charge_data.csv")
    result = load(con, reference_data / "fivetran_stripe" / "refund_data.csv")
    assert result.detection.vendor_object == "stripe.refund" and result.core_rows["payments"] == 4
    refund = payment(con, "stripe:re_0INhCiig6peNXzgDWw7VVan8")
    assert as_tuple(refund) == (
        "refund",
        "succeeded",
        Decimal("136.50"),
        Decimal("0.00"),
        "USD",
        datetime(2021, 2, 22, 16, 24, 12),
    )
    # the sample's refunds point at charges outside the sample; one that points at a known charge gets its customer
    header = (reference_data / "fivetran_stripe" / "refund_data.csv").read_text().splitlines()[0]
    own = tmp_path / "refund.csv"
    own.write_text(
        header
        + "\nre_own,2021-03-01 00:00:00,50000,txn_1,ch_0IMDAfig6peNXzgDJYQKfT3B,2021-02-28 10:00:00,usd,,,,{},requested_by_customer,,succeeded\n"
    )
    load(con, own)
    assert (
        payment(con, "stripe:re_own")["customer_id"]
        == payment(con, "stripe:ch_0IMDAfig6peNXzgDJYQKfT3B")["customer_id"]
        is not None
    )


def test_api_refund_objects_become_refund_payments(con, reference_data, tmp_path):
    resources = json.loads((reference_data / "stripe_api" / "fixtures3.json").read_text())["resources"]
    path = tmp_path / "refunds.json"
    path.write_text(json.dumps([resources["refund"]]))
    result = load(con, path)
    assert result.detection.vendor_object == "stripe.api_refund"
    assert as_tuple(payment(con, "stripe:re_1Pgc72B7WZ01zgkWqPvrRrPE")) == (
        "refund",
        "succeeded",
        Decimal("1.00"),
        Decimal("0.00"),
        "USD",
        datetime(2009, 2, 13, 23, 31, 30),
    )


# -- money the business received, refunds and chargebacks (issue 11, items 3, 4 and 12) ---------------------------

HEADER = (FIXTURES / "stripe_payments.csv").read_text().splitlines()[
    0
] + ",Card Address Zip,Disputed Amount,Dispute Status,Dispute Reason,Dispute Date (UTC)"


def charge(
    cid: str,
    amount: str,
    currency: str,
    converted: str,
    status: str = "Paid",
    *,
    refunded: str = "0.00",
    converted_refunded: str = "0.00",
    disputed: str = "",
    dispute: str = "",
) -> str:
    """One payments-export row: charged `amount` `currency`, received `converted` USD."""
    return (
        f"{cid},Order,Payment complete.,2024-03-01 10:00:00,{amount},{refunded},{currency},{converted},{converted_refunded},"
        f"0.50,0.00,usd,Live,{status},ACME,cus_M1,Mia,mia@example.com,true,card_9,4242,Visa,credit,1,2027,MIA B,US,US,,,pi_9,"
        f"02139,{disputed},{dispute},{'fraudulent' if dispute else ''},{'2024-03-20 00:00:00' if dispute else ''}"
    )


MONEY = [
    # (id, row, status, amount_settled, settlement_currency, amount_refunded_settled, net_settled)
    ("ch_eur", charge("ch_eur", "100.00", "eur", "108.50"), "succeeded", "108.50", "USD", "0.00", "108.50"),
    (
        "ch_part",
        charge("ch_part", "80.00", "gbp", "100.00", refunded="20.00", converted_refunded="25.00"),
        "partially_refunded",
        "100.00",
        "USD",
        "25.00",
        "75.00",
    ),
    (
        "ch_lost",
        charge("ch_lost", "50.00", "usd", "50.00", disputed="50.00", dispute="lost"),
        "charged_back",
        "50.00",
        "USD",
        "0.00",
        "0.00",
    ),
    (
        "ch_won",
        charge("ch_won", "40.00", "usd", "40.00", disputed="40.00", dispute="won"),
        "succeeded",
        "40.00",
        "USD",
        "0.00",
        "40.00",
    ),
    (
        "ch_full",
        charge("ch_full", "30.00", "usd", "30.00", "Refunded", refunded="30.00", converted_refunded="30.00"),
        "refunded",
        "30.00",
        "USD",
        "30.00",
        "0.00",
    ),
    ("ch_fail", charge("ch_fail", "9.00", "usd", "9.00", "Failed"), "failed", "9.00", "USD", "0.00", "0.00"),
]


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    from soloml.warehouse import connect

    folder = tmp_path_factory.mktemp("settled")
    lines = [row for _, row, *_ in MONEY] + [MONEY[0][1]]  # the first charge twice: an exact duplicate row
    path = write_csv(folder, "payments.csv", HEADER + "\n" + "\n".join(lines) + "\n")
    con = connect(folder / "warehouse.duckdb")
    yield con, load(con, path)
    con.close()


@pytest.mark.parametrize(("payment_id", "row", "status", "settled_amount", "settlement", "refunded", "net"), MONEY)
def test_payments_keep_the_charged_and_the_settled_amount_and_net_out_refunds_and_lost_disputes(
    settled, payment_id, row, status, settled_amount, settlement, refunded, net
):
    con, _ = settled
    p = payment(con, f"stripe:{payment_id}")
    assert (
        p["status"],
        p["amount_settled"],
        p["settlement_currency"],
        p["amount_refunded_settled"],
        p["net_settled"],
    ) == (status, Decimal(settled_amount), settlement, Decimal(refunded), Decimal(net))


def test_a_charge_keeps_its_own_currency_beside_the_settled_one(settled):
    con, _ = settled
    p = payment(con, "stripe:ch_eur")
    assert (p["amount"], p["currency"], p["amount_settled"], p["settlement_currency"]) == (
        Decimal("100.00"),
        "EUR",
        Decimal("108.50"),
        "USD",
    )


def test_disputes_keep_their_amount_and_outcome(settled):
    con, _ = settled
    got = {
        r["payment_id"]: (r["amount_disputed"], r["dispute_status"]) for r in rows(con, "SELECT * FROM core.payments")
    }
    assert got["stripe:ch_lost"] == (Decimal("50.00"), "lost") and got["stripe:ch_won"] == (Decimal("40.00"), "won")
    assert got["stripe:ch_eur"] == (None, None)


def test_the_load_report_says_how_many_exact_duplicate_rows_were_collapsed(settled):
    _, result = settled
    assert result.core_rows["_duplicate_rows"] == 1
    assert any("1 row(s) repeat the id of another row" in n and "1 exact copy dropped" in n for n in result.notes), (
        result.notes
    )


@pytest.mark.parametrize(
    ("payment_id", "settled_amount", "settlement"),
    [
        ("stripe:ch_3OZ1a7", "33.50", "USD"),  # an export: 5000 JPY charged, Converted Amount 33.50 USD received
        ("stripe:ch_api_2", "5000.00", "JPY"),  # an API charge says nothing of conversion: settled as charged
    ],
)
def test_the_settled_amount_is_the_converted_one_or_else_the_charged_one(
    stripe, payment_id, settled_amount, settlement
):
    con, _ = stripe
    p = payment(con, payment_id)
    assert (p["amount_settled"], p["settlement_currency"]) == (Decimal(settled_amount), settlement)
