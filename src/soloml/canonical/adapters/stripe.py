"""Stripe: dashboard exports (payments, customers, subscriptions), synced tables (charge, customer,
subscription, subscription_history) and API JSON objects (charge, customer, subscription).

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


def _synced_charge_status(amount: str, refunded: str) -> str:
    """Synced/API charges say 'succeeded' and carry the refund separately."""
    return (
        f"CASE WHEN {payment_status('status')} = 'succeeded' AND {refunded} > 0 AND {refunded} >= {amount} THEN 'refunded' "
        f"WHEN {payment_status('status')} = 'succeeded' AND {refunded} > 0 THEN 'partially_refunded' "
        f"ELSE {payment_status('status')} END"
    )


def _object_is(kind: str):
    def accepts(sample: pd.DataFrame) -> bool:
        values = sample["object"].dropna().astype(str).str.strip()
        return bool(len(values)) and bool((values == kind).all())

    return accepts


# -- dashboard exports -------------------------------------------------------------------------------------------

def _payments_export(rows: str) -> dict[str, str]:
    return {"payments": f"""
        SELECT 'stripe:' || {v.text('id')} AS payment_id, 'stripe' AS source, 'charge' AS kind,
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
        FROM {rows}"""}


STRIPE_PAYMENTS = Adapter(
    vendor="stripe", object="payments", shape="export",
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
    description="Payments > Export: one row per charge, amounts in major units, Mode Live/Test.",
)


def _customers_export(rows: str) -> dict[str, str]:
    return {"customers": f"""
        SELECT {v.text('id')} AS source_customer_id, 'stripe' AS source, {v.email('email')} AS email,
               coalesce({v.text('name')}, {v.text('description')}) AS name,
               {v.text('address_country')} AS country, {v.ts('created_utc')} AS created_at, _source_row
        FROM {rows}"""}


STRIPE_CUSTOMERS = Adapter(
    vendor="stripe", object="customers", shape="export",
    signature=(
        "id", "Description", "Email", "Name", "Created (UTC)", "Delinquent", "Card ID", "Currency", "Default Source",
        "Address Line1", "Address City", "Address State", "Address Country", "Address Zip", "Plan", "Status",
        "Cancel At Period End", "Coupon", "Tax Exempt", "Phone", "Total Spend", "Payment Count", "Refunded Volume",
    ),
    required=("id", "Email", "Created (UTC)"),
    key=("id",),
    outputs=_customers_export,
    checks=(Check("created_utc", "date", v.ts),),
    description="Customers > Export: one row per customer.",
)


def _subscriptions_export(rows: str) -> dict[str, str]:
    amount = f"{v.money('amount')} * coalesce({v.integer('quantity')}, 1)"
    return {"subscriptions": f"""
        SELECT 'stripe:' || {v.text('id')} AS subscription_id, 'stripe' AS source,
               {v.text('customer_id')} AS source_customer_id, {v.email('customer_email')} AS email,
               {v.text('customer_description')} AS customer_name,
               coalesce({v.text('plan')}, {v.text('product')}) AS plan,
               {subscription_status('status')} AS status,
               coalesce({v.ts('start_utc')}, {v.ts('created_utc')}) AS started_at,
               {v.ts('canceled_at_utc')} AS canceled_at,
               {v.ts('ended_at_utc')} AS ended_at,
               {v.monthly(amount, 'interval')} AS mrr,
               {v.currency('currency')} AS currency,
               {v.interval('interval')} AS billing_interval,
               _source_row
        FROM {rows}"""}


STRIPE_SUBSCRIPTIONS = Adapter(
    vendor="stripe", object="subscriptions", shape="export",
    signature=(
        "id", "Customer ID", "Customer Description", "Customer Email", "Plan", "Product", "Quantity", "Currency",
        "Interval", "Amount", "Status", "Created (UTC)", "Start (UTC)", "Current Period Start (UTC)",
        "Current Period End (UTC)", "Trial Start (UTC)", "Trial End (UTC)", "Canceled At (UTC)",
        "Cancel At Period End", "Ended At (UTC)", "Coupon",
    ),
    required=("id", "Customer ID", "Status", "Created (UTC)"),
    key=("id",),
    outputs=_subscriptions_export,
    checks=(
        Check("amount", "money", v.money),
        Check("created_utc", "date", v.ts),
        Check("start_utc", "date", v.ts),
        Check("canceled_at_utc", "date", v.ts),
        Check("ended_at_utc", "date", v.ts),
        Check("status", "status", subscription_status),
    ),
    description="Subscriptions > Export: one row per subscription, amounts in major units per interval.",
)

# -- synced tables (Fivetran / Airbyte shape) ------------------------------------------------------------------------


def _charge_synced(rows: str) -> dict[str, str]:
    amount, refunded = v.minor_money("amount", "currency"), f"coalesce({v.minor_money('amount_refunded', 'currency')}, 0)"
    return {"payments": f"""
        SELECT 'stripe:' || {v.text('id')} AS payment_id, 'stripe' AS source, 'charge' AS kind,
               {_synced_charge_status(amount, refunded)} AS status,
               {amount} AS amount, {refunded} AS amount_refunded,
               {v.currency('currency')} AS currency, {v.ts('created')} AS paid_at,
               {v.text('description')} AS description,
               {v.email('receipt_email')} AS email, {v.text('customer_id')} AS source_customer_id,
               _source_row
        FROM {rows}"""}


STRIPE_CHARGE = Adapter(
    vendor="stripe", object="charge", shape="synced",
    signature=(
        "id", "_fivetran_synced", "amount", "amount_refunded", "balance_transaction_id", "captured", "card_id",
        "created", "currency", "customer_id", "description", "failure_code", "failure_message", "invoice_id",
        "livemode", "paid", "payment_intent_id", "receipt_email", "refunded", "status", "statement_descriptor",
    ),
    required=("id", "amount", "created", "currency", "status"),
    key=("id",),
    outputs=_charge_synced,
    checks=(
        Check("amount", "number", v.number),
        Check("amount_refunded", "number", v.number),
        Check("created", "date", v.ts),
        Check("status", "status", payment_status),
    ),
    exclude=f"{v.boolean('livemode')} = false",
    description="A synced `charge` table (Fivetran, Airbyte): amounts in minor units.",
)


def _customer_synced(rows: str) -> dict[str, str]:
    return {"customers": f"""
        SELECT {v.text('id')} AS source_customer_id, 'stripe' AS source, {v.email('email')} AS email,
               coalesce({v.text('name')}, {v.text('description')}) AS name,
               {v.text('address_country')} AS country, {v.ts('created')} AS created_at, _source_row
        FROM {rows} WHERE coalesce({v.boolean('is_deleted')}, false) = false"""}


STRIPE_CUSTOMER = Adapter(
    vendor="stripe", object="customer", shape="synced",
    signature=(
        "id", "_fivetran_synced", "account_balance", "address_city", "address_country", "balance", "created",
        "currency", "default_card_id", "delinquent", "description", "email", "invoice_prefix", "is_deleted",
        "livemode", "name", "phone", "tax_exempt",
    ),
    required=("id", "created", "email"),
    key=("id",),
    outputs=_customer_synced,
    checks=(Check("created", "date", v.ts),),
    exclude=f"{v.boolean('livemode')} = false",
    description="A synced `customer` table.",
)


def _subscription_synced(rows: str) -> dict[str, str]:
    return {"subscriptions": f"""
        SELECT 'stripe:' || {v.text('id')} AS subscription_id, 'stripe' AS source,
               {v.text('customer_id')} AS source_customer_id,
               {subscription_status('status')} AS status,
               coalesce({v.ts('start_date')}, {v.ts('created')}) AS started_at,
               {v.ts('canceled_at')} AS canceled_at, {v.ts('ended_at')} AS ended_at,
               _source_row
        FROM {rows}"""}


_SUBSCRIPTION_SYNCED = (
    "id", "_fivetran_synced", "application_fee_percent", "billing", "billing_cycle_anchor", "cancel_at",
    "cancel_at_period_end", "canceled_at", "created", "current_period_end", "current_period_start", "customer_id",
    "days_until_due", "default_source_id", "ended_at", "livemode", "metadata", "quantity", "start_date", "status",
    "tax_percent", "trial_end", "trial_start",
)
_SUBSCRIPTION_CHECKS = (
    Check("created", "date", v.ts),
    Check("start_date", "date", v.ts),
    Check("canceled_at", "date", v.ts),
    Check("ended_at", "date", v.ts),
    Check("status", "status", subscription_status),
)

STRIPE_SUBSCRIPTION = Adapter(
    vendor="stripe", object="subscription", shape="synced",
    signature=_SUBSCRIPTION_SYNCED,
    required=("id", "customer_id", "status", "created"),
    key=("id",),
    outputs=_subscription_synced,
    checks=_SUBSCRIPTION_CHECKS,
    exclude=f"{v.boolean('livemode')} = false",
    description="A synced `subscription` table (plan and price live in other tables; mrr is left empty).",
)


def _subscription_history_synced(rows: str) -> dict[str, str]:
    current = f"""(SELECT * FROM {rows} QUALIFY row_number() OVER (
        PARTITION BY {v.text('id')} ORDER BY coalesce({v.boolean('fivetran_active')}, true) DESC, {v.ts('fivetran_synced')} DESC) = 1)"""
    return _subscription_synced(current)


STRIPE_SUBSCRIPTION_HISTORY = Adapter(
    vendor="stripe", object="subscription_history", shape="synced",
    signature=(*_SUBSCRIPTION_SYNCED, "_fivetran_active"),
    required=("id", "customer_id", "status", "created", "_fivetran_active"),
    key=("id", "fivetran_synced"),
    outputs=_subscription_history_synced,
    checks=_SUBSCRIPTION_CHECKS,
    exclude=f"{v.boolean('livemode')} = false",
    description="A synced `subscription_history` table: the active (else latest) version of each subscription is used.",
)

# -- API objects (a JSON file of Stripe objects; nested fields arrive as JSON text) ----------------------------------


def _charge_api(rows: str) -> dict[str, str]:
    amount, refunded = v.minor_money("amount", "currency"), f"coalesce({v.minor_money('amount_refunded', 'currency')}, 0)"
    return {"payments": f"""
        SELECT 'stripe:' || {v.text('id')} AS payment_id, 'stripe' AS source, 'charge' AS kind,
               {_synced_charge_status(amount, refunded)} AS status,
               {amount} AS amount, {refunded} AS amount_refunded,
               {v.currency('currency')} AS currency, {v.epoch('created')} AS paid_at,
               {v.text('description')} AS description,
               lower(coalesce({v.text('receipt_email')}, {v.json_text('billing_details', '$.email')})) AS email,
               {v.ref('customer')} AS source_customer_id,
               {v.json_text('billing_details', '$.name')} AS customer_name,
               {v.json_text('billing_details', '$.address.country')} AS customer_country,
               _source_row
        FROM {rows}"""}


STRIPE_API_CHARGE = Adapter(
    vendor="stripe", object="api_charge", shape="api",
    signature=(
        "id", "object", "amount", "amount_captured", "amount_refunded", "balance_transaction", "billing_details",
        "captured", "created", "currency", "customer", "description", "livemode", "paid", "payment_intent",
        "payment_method", "payment_method_details", "receipt_email", "refunded", "status",
    ),
    required=("id", "object", "amount", "created", "currency", "status"),
    key=("id",),
    outputs=_charge_api,
    checks=(
        Check("amount", "number", v.number),
        Check("amount_refunded", "number", v.number),
        Check("created", "date", v.epoch),
        Check("status", "status", payment_status),
    ),
    exclude=f"{v.boolean('livemode')} = false",
    accepts=_object_is("charge"),
    description="Charge objects from the Stripe API (object = 'charge'): minor units, Unix times.",
)


def _customer_api(rows: str) -> dict[str, str]:
    return {"customers": f"""
        SELECT {v.text('id')} AS source_customer_id, 'stripe' AS source, {v.email('email')} AS email,
               coalesce({v.text('name')}, {v.text('description')}) AS name,
               {v.json_text('address', '$.country')} AS country, {v.epoch('created')} AS created_at, _source_row
        FROM {rows}"""}


STRIPE_API_CUSTOMER = Adapter(
    vendor="stripe", object="api_customer", shape="api",
    signature=(
        "id", "object", "address", "balance", "created", "currency", "default_source", "delinquent", "description",
        "email", "invoice_prefix", "invoice_settings", "livemode", "metadata", "name", "phone", "preferred_locales",
        "shipping", "tax_exempt",
    ),
    required=("id", "object", "created"),
    key=("id",),
    outputs=_customer_api,
    checks=(Check("created", "date", v.epoch),),
    exclude=f"{v.boolean('livemode')} = false",
    accepts=_object_is("customer"),
    description="Customer objects from the Stripe API (object = 'customer').",
)


def _subscription_api(rows: str) -> dict[str, str]:
    item = "'$.data[0]"
    price_amount = v.minor_money(f"json_extract_string(items, {item}.price.unit_amount')", "currency")
    quantity = f"coalesce(TRY_CAST(json_extract_string(items, {item}.quantity') AS BIGINT), 1)"
    interval = f"json_extract_string(items, {item}.price.recurring.interval')"
    count = f"json_extract_string(items, {item}.price.recurring.interval_count')"
    return {"subscriptions": f"""
        SELECT 'stripe:' || {v.text('id')} AS subscription_id, 'stripe' AS source,
               {v.ref('customer')} AS source_customer_id,
               coalesce(json_extract_string(items, {item}.price.nickname'), json_extract_string(items, {item}.price.product')) AS plan,
               {subscription_status('status')} AS status,
               coalesce({v.epoch('start_date')}, {v.epoch('created')}) AS started_at,
               {v.epoch('canceled_at')} AS canceled_at, {v.epoch('ended_at')} AS ended_at,
               {v.monthly(f'{price_amount} * {quantity}', interval, count)} AS mrr,
               {v.currency('currency')} AS currency, {v.interval(interval)} AS billing_interval,
               _source_row
        FROM {rows}"""}


STRIPE_API_SUBSCRIPTION = Adapter(
    vendor="stripe", object="api_subscription", shape="api",
    signature=(
        "id", "object", "billing_cycle_anchor", "cancel_at", "cancel_at_period_end", "canceled_at", "collection_method",
        "created", "currency", "customer", "current_period_end", "current_period_start", "days_until_due",
        "default_payment_method", "ended_at", "items", "latest_invoice", "livemode", "start_date", "status",
        "trial_end", "trial_start",
    ),
    required=("id", "object", "customer", "status", "created"),
    key=("id",),
    outputs=_subscription_api,
    checks=(
        Check("created", "date", v.epoch),
        Check("start_date", "date", v.epoch),
        Check("canceled_at", "date", v.epoch),
        Check("ended_at", "date", v.epoch),
        Check("status", "status", subscription_status),
    ),
    exclude=f"{v.boolean('livemode')} = false",
    accepts=_object_is("subscription"),
    description="Subscription objects from the Stripe API (object = 'subscription'); mrr from the first item's price.",
)

ADAPTERS = (
    STRIPE_PAYMENTS, STRIPE_CUSTOMERS, STRIPE_SUBSCRIPTIONS,
    STRIPE_CHARGE, STRIPE_CUSTOMER, STRIPE_SUBSCRIPTION, STRIPE_SUBSCRIPTION_HISTORY,
    STRIPE_API_CHARGE, STRIPE_API_CUSTOMER, STRIPE_API_SUBSCRIPTION,
)
