"""Stripe exports, synced tables and API objects land in core.* with exact amounts, UTC times and statuses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from canonical.helpers import load_fixture


def payment(con, payment_id: str) -> dict:
    cur = con.execute("SELECT * FROM core.payments WHERE payment_id = ?", [payment_id])
    cols = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, payment_id
    return dict(zip(cols, row))


@pytest.mark.parametrize(
    ("payment_id", "status", "amount", "refunded", "currency", "paid_at"),
    [
        ("stripe:ch_3OZ1a2", "succeeded", "49.00", "0.00", "USD", datetime(2024, 1, 15, 14, 32, 10)),
        ("stripe:ch_3OZ1a3", "partially_refunded", "1249.50", "250.00", "USD", datetime(2024, 1, 16, 9, 5)),
        ("stripe:ch_3OZ1a4", "failed", "19.00", "0.00", "USD", datetime(2024, 1, 17, 23, 59, 59)),
        ("stripe:ch_3OZ1a5", "refunded", "30.00", "30.00", "USD", datetime(2024, 2, 1, 0, 0, 1)),
        ("stripe:ch_3OZ1a7", "succeeded", "5000.00", "0.00", "JPY", datetime(2024, 2, 3, 8, 0)),
    ],
)
def test_payments_export_lands_exact_values(con, payment_id, status, amount, refunded, currency, paid_at):
    load_fixture(con, "stripe_payments.csv")
    row = payment(con, payment_id)
    assert (row["kind"], row["status"], row["amount"], row["amount_refunded"], row["currency"], row["paid_at"]) == (
        "charge", status, Decimal(amount), Decimal(refunded), currency, paid_at
    )


def test_payments_export_drops_and_counts_test_mode_rows(con):
    result = load_fixture(con, "stripe_payments.csv")
    assert result["_test_mode"] == 1
    assert result["payments"] == 5
    assert con.execute("SELECT count(*) FROM core.payments WHERE payment_id = 'stripe:ch_3OZ1a6'").fetchone()[0] == 0


def test_payments_of_one_stripe_customer_share_a_customer_id(con):
    load_fixture(con, "stripe_payments.csv")
    ids = {payment(con, p)["customer_id"] for p in ("stripe:ch_3OZ1a2", "stripe:ch_3OZ1a4")}
    assert len(ids) == 1 and None not in ids
    assert payment(con, "stripe:ch_3OZ1a2")["email"] == "jane.doe@example.com"
