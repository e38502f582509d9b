"""Stripe dashboard exports (payments, customers, subscriptions) and the status vocabulary every Stripe shape
shares; synced tables live in stripe_synced.py, API objects in stripe_api.py.

Exports carry major units ('25.00') and 'Created (UTC)' text; synced tables and the API carry minor units
(2500 cents; zero-decimal currencies such as JPY as they are). Test-mode rows (Mode=Test, livemode=false)
are dropped and counted.
"""

from __future__ import annotations

import pandas as pd

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check

PAYMENT_STATUS = {
    "paid": "succeeded",
    "succeeded": "succeeded",
    "failed": "failed",
    "canceled": "failed",
    "refunded": "refunded",
    "partially_refunded": "partially_refunded",
    "pending": "pending",
    "uncaptured": "pending",
    "incomplete": "pending",
}
SUBSCRIPTION_STATUS = {
    "trialing": "trialing",
    "active": "active",
    "past_due": "past_due",
    "unpaid": "unpaid",
    "paused": "unpaid",
    "canceled": "canceled",
    "cancelled": "canceled",
    "incomplete": "incomplete",
    "incomplete_expired": "canceled",
}


def payment_status(c: str) -> str:
    return v.mapped(c, PAYMENT_STATUS)


def subscription_status(c: str) -> str:
    return v.mapped(c, SUBSCRIPTION_STATUS)


def charge_status(amount: str, refunded: str) -> str:
    """Synced/API charges say 'succeeded' and carry the refund separately."""
    return (
        f"CASE WHEN {payment_status('status')} = 'succeeded' AND {refunded} > 0 AND {refunded} >= {amount} THEN 'refunded' "
        f"WHEN {payment_status('status')} = 'succeeded' AND {refunded} > 0 THEN 'partially_refunded' "
        f"ELSE {payment_status('status')} END"
    )


def object_is(kind: str):
    def accepts(sample: pd.DataFrame) -> bool:
        values = sample["object"].dropna().astype(str).str.strip()
        return bool(len(values)) and bool((values == kind).all())

    return accepts


# -- dashboard exports -------------------------------------------------------------------------------------------

DISPUTE_STATUS = {
    "lost": "lost",
    "won": "won",
    "needs_response": "open",
    "under_review": "open",
    "warning_needs_response": "open",
    "warning_under_review": "open",
    "warning_closed": "won",
    "charge_refunded": "won",
    "open": "open",
}


def dispute_status(c: str) -> str:
    return v.mapped(c, DISPUTE_STATUS)


def _payments_export(rows: str) -> dict[str, str]:
    # each value parsed once (the status needs the amounts): smaller SQL, planned faster
    parsed = f"""(SELECT *, {v.money("amount")} AS _amount, coalesce({v.money("amount_refunded")}, 0) AS _refunded,
                         {v.money("converted_amount")} AS _converted, {payment_status("status")} AS _status,
                         {dispute_status("dispute_status")} AS _dispute FROM {rows})"""
    status = (
        "CASE WHEN _status IN ('succeeded', 'refunded', 'partially_refunded') AND _dispute = 'lost' THEN 'charged_back' "
        "WHEN _status = 'succeeded' AND _refunded > 0 AND _refunded >= _amount THEN 'refunded' "
        "WHEN _status = 'succeeded' AND _refunded > 0 THEN 'partially_refunded' ELSE _status END"
    )  # an export says 'Paid' for a charge later partly refunded or lost in a chargeback
    return {
        "payments": f"""
        SELECT 'stripe:' || {v.text("id")} AS payment_id, 'stripe' AS source, 'charge' AS kind,
               {status} AS status, _amount AS amount, _refunded AS amount_refunded,
               {v.currency("currency")} AS currency,
               _converted AS amount_settled,
               CASE WHEN _converted IS NOT NULL THEN {v.currency("converted_currency")} END AS settlement_currency,
               CASE WHEN _converted IS NOT NULL THEN coalesce({v.money("converted_amount_refunded")}, 0) END AS amount_refunded_settled,
               {v.money("disputed_amount")} AS amount_disputed,
               _dispute AS dispute_status,
               {v.ts("created_utc")} AS paid_at,
               {v.text("description")} AS description,
               {v.email("customer_email")} AS email,
               {v.text("customer_id")} AS source_customer_id,
               coalesce({v.text("card_name")}, {v.text("customer_description")}) AS customer_name,
               {v.text("card_address_country")} AS customer_country,
               {v.text("card_address_zip")} AS customer_zip,
               _source_row
        FROM {parsed}"""
    }


STRIPE_PAYMENTS = Adapter(
    vendor="stripe",
    object="payments",
    shape="export",
    signature=(
        "id",
        "Description",
        "Seller Message",
        "Created (UTC)",
        "Amount",
        "Amount Refunded",
        "Currency",
        "Converted Amount",
        "Converted Amount Refunded",
        "Fee",
        "Tax",
        "Converted Currency",
        "Mode",
        "Status",
        "Statement Descriptor",
        "Customer ID",
        "Customer Description",
        "Customer Email",
        "Captured",
        "Card ID",
        "Card Last4",
        "Card Brand",
        "Card Funding",
        "Card Exp Month",
        "Card Exp Year",
        "Card Name",
        "Card Address Country",
        "Card Issue Country",
        "Invoice ID",
        "Invoice Number",
        "PaymentIntent ID",
        "Card Address Zip",
        "Disputed Amount",
        "Dispute Status",
        "Dispute Reason",
        "Dispute Date (UTC)",
    ),
    required=("id", "Created (UTC)", "Amount", "Currency", "Status"),
    key=("id",),
    outputs=_payments_export,
    checks=(
        Check("amount", "money", v.money),
        Check("amount_refunded", "money", v.money),
        Check("converted_amount", "money", v.money),
        Check("converted_amount_refunded", "money", v.money),
        Check("disputed_amount", "money", v.money),
        Check("dispute_status", "status", dispute_status),
        Check("created_utc", "date", v.ts),
        Check("status", "status", payment_status),
    ),
    exclude="lower(trim(mode)) = 'test'",
    aliases={"Created (UTC)": ("Created date (UTC)",), "Amount Refunded": ("Refunded Amount",)},
    description="Payments > Export: one row per charge, amounts in major units, Mode Live/Test; Converted Amount / "
    "Currency become the settled amount, a partial refund `partially_refunded`, a lost dispute `charged_back`.",
)


def _customers_export(rows: str) -> dict[str, str]:
    return {
        "customers": f"""
        SELECT {v.text("id")} AS source_customer_id, 'stripe' AS source, {v.email("email")} AS email,
               coalesce({v.text("name")}, {v.text("description")}) AS name,
               {v.text("address_country")} AS country, {v.text("phone")} AS phone, {v.text("address_zip")} AS zip,
               {v.ts("created_utc")} AS created_at, _source_row
        FROM {rows}"""
    }


STRIPE_CUSTOMERS = Adapter(
    vendor="stripe",
    object="customers",
    shape="export",
    signature=(
        "id",
        "Description",
        "Email",
        "Name",
        "Created (UTC)",
        "Delinquent",
        "Card ID",
        "Currency",
        "Default Source",
        "Address Line1",
        "Address City",
        "Address State",
        "Address Country",
        "Address Zip",
        "Plan",
        "Status",
        "Cancel At Period End",
        "Coupon",
        "Tax Exempt",
        "Phone",
        "Total Spend",
        "Payment Count",
        "Refunded Volume",
    ),
    required=("id", "Email", "Created (UTC)"),
    key=("id",),
    outputs=_customers_export,
    checks=(Check("created_utc", "date", v.ts),),
    aliases={"Created (UTC)": ("Created date (UTC)",), "Address Country": ("Country",)},
    description="Customers > Export: one row per customer.",
)


def _subscriptions_export(rows: str) -> dict[str, str]:
    amount = f"{v.money('amount')} * coalesce({v.integer('quantity')}, 1)"
    return {
        "subscriptions": f"""
        SELECT 'stripe:' || {v.text("id")} AS subscription_id, 'stripe' AS source,
               {v.text("customer_id")} AS source_customer_id, {v.email("customer_email")} AS email,
               {v.text("customer_description")} AS customer_name,
               coalesce({v.text("plan")}, {v.text("product")}) AS plan,
               {subscription_status("status")} AS status,
               coalesce({v.ts("start_utc")}, {v.ts("created_utc")}) AS started_at,
               {v.ts("canceled_at_utc")} AS canceled_at,
               {v.ts("ended_at_utc")} AS ended_at,
               {v.monthly(amount, "interval")} AS mrr,
               {v.currency("currency")} AS currency,
               {v.interval("interval")} AS billing_interval,
               {v.ts("trial_end_utc")} AS _trial_end,
               _source_row
        FROM {rows}"""
    }


STRIPE_SUBSCRIPTIONS = Adapter(
    vendor="stripe",
    object="subscriptions",
    shape="export",
    signature=(
        "id",
        "Customer ID",
        "Customer Description",
        "Customer Email",
        "Plan",
        "Product",
        "Quantity",
        "Currency",
        "Interval",
        "Amount",
        "Status",
        "Created (UTC)",
        "Start (UTC)",
        "Current Period Start (UTC)",
        "Current Period End (UTC)",
        "Trial Start (UTC)",
        "Trial End (UTC)",
        "Canceled At (UTC)",
        "Cancel At Period End",
        "Ended At (UTC)",
        "Coupon",
    ),
    required=("id", "Customer ID", "Status", "Created (UTC)"),
    key=("id",),
    outputs=_subscriptions_export,
    aliases={
        "Created (UTC)": ("Created date (UTC)",),
        "Start (UTC)": ("Start date (UTC)",),
        "Canceled At (UTC)": ("Canceled at date (UTC)",),
        "Ended At (UTC)": ("Ended at date (UTC)",),
    },
    checks=(
        Check("amount", "money", v.money),
        Check("quantity", "number", v.integer),
        Check("interval", "value", v.interval),
        Check("created_utc", "date", v.ts),
        Check("start_utc", "date", v.ts),
        Check("canceled_at_utc", "date", v.ts),
        Check("ended_at_utc", "date", v.ts),
        Check("trial_end_utc", "date", v.ts),
        Check("status", "status", subscription_status),
    ),
    description="Subscriptions > Export: one row per subscription, amounts in major units per interval.",
)

ADAPTERS = (STRIPE_PAYMENTS, STRIPE_CUSTOMERS, STRIPE_SUBSCRIPTIONS)
