"""Stripe: dashboard exports (payments, customers, subscriptions), synced tables (charge, customer,
subscription) and API JSON objects (charge, customer, subscription).

Exports carry major units ('25.00') and 'Created (UTC)' text; synced tables and the API carry minor units
(2500 cents; zero-decimal currencies such as JPY as-is). Test-mode rows (Mode=Test, livemode=false) are
dropped and counted.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check

PAYMENT_STATUS = {
    "paid": "succeeded",
    "succeeded": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "refunded": "refunded",
    "partially refunded": "partially_refunded",
    "partially_refunded": "partially_refunded",
    "pending": "pending",
    "uncaptured": "pending",
    "incomplete": "pending",
}


def mapped(c: str, mapping: dict[str, str]) -> str:
    """The canonical value for a vendor value (case-insensitive); NULL when the value is not in `mapping`."""
    whens = " ".join(f"WHEN {v.lit(k)} THEN {v.lit(val)}" for k, val in mapping.items())
    return f"(CASE lower({v.text(c)}) {whens} END)"


def payment_status(c: str) -> str:
    return mapped(c, PAYMENT_STATUS)


def _payments_export(rows: str) -> dict[str, str]:
    return {
        "payments": f"""
        SELECT 'stripe:' || {v.text('id')} AS payment_id,
               'stripe' AS source,
               'charge' AS kind,
               {payment_status('status')} AS status,
               {v.money('amount')} AS amount,
               coalesce({v.money('amount_refunded')}, 0) AS amount_refunded,
               {v.currency('currency')} AS currency,
               {v.ts('created_utc')} AS paid_at,
               {v.text('description')} AS description,
               {v.email('customer_email')} AS email,
               {v.text('customer_id')} AS source_customer_id,
               coalesce({v.text('card_name')}, {v.text('customer_description')}) AS customer_name,
               {v.text('card_address_country')} AS customer_country,
               _source_row
        FROM {rows}
        """
    }


STRIPE_PAYMENTS = Adapter(
    vendor="stripe",
    object="payments",
    shape="export",
    signature=(
        "id", "Description", "Seller Message", "Created (UTC)", "Amount", "Amount Refunded", "Currency",
        "Converted Amount", "Converted Amount Refunded", "Fee", "Tax", "Converted Currency", "Mode", "Status",
        "Statement Descriptor", "Customer ID", "Customer Description", "Customer Email", "Captured", "Card ID",
        "Card Last4", "Card Brand", "Card Funding", "Card Exp Month", "Card Exp Year", "Card Name",
        "Card Address Country", "Card Issue Country", "Invoice ID", "Invoice Number", "PaymentIntent ID",
    ),
    required=("id", "Created (UTC)", "Amount", "Currency", "Status"),
    key=("id",),
    outputs=_payments_export,
    checks=(
        Check("amount", "money", v.money),
        Check("amount_refunded", "money", v.money),
        Check("created_utc", "date", v.ts),
        Check("status", "status", payment_status),
    ),
    exclude="lower(trim(mode)) = 'test'",
    description="Payments page export (Payments > Export): one row per charge, amounts in major units.",
)

ADAPTERS = (STRIPE_PAYMENTS,)
