"""Stripe API objects (a JSON file of charge, refund, customer or subscription objects, as the API or a webhook
log returns them): minor units, Unix times, nested fields as JSON; told apart by their `object` field.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.stripe import charge_status, object_is, payment_status, subscription_status
from soloml.canonical.adapters.stripe_synced import refund_status, refunds


def _charge_api(rows: str) -> dict[str, str]:
    amount, refunded = (
        v.minor_money("amount", "currency"),
        f"coalesce({v.minor_money('amount_refunded', 'currency')}, 0)",
    )
    return {
        "payments": f"""
        SELECT 'stripe:' || {v.text("id")} AS payment_id, 'stripe' AS source, 'charge' AS kind,
               {charge_status(amount, refunded)} AS status,
               {amount} AS amount, {refunded} AS amount_refunded,
               {v.currency("currency")} AS currency, {v.epoch("created")} AS paid_at,
               {v.text("description")} AS description,
               lower(coalesce({v.text("receipt_email")}, {v.json_text("billing_details", "$.email")})) AS email,
               {v.ref("customer")} AS source_customer_id,
               {v.json_text("billing_details", "$.name")} AS customer_name,
               {v.json_text("billing_details", "$.address.country")} AS customer_country,
               _source_row
        FROM {rows}"""
    }


STRIPE_API_CHARGE = Adapter(
    vendor="stripe",
    object="api_charge",
    shape="api",
    signature=(
        "id",
        "object",
        "amount",
        "amount_captured",
        "amount_refunded",
        "balance_transaction",
        "billing_details",
        "captured",
        "created",
        "currency",
        "customer",
        "description",
        "livemode",
        "paid",
        "payment_intent",
        "payment_method",
        "payment_method_details",
        "receipt_email",
        "refunded",
        "status",
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
    accepts=object_is("charge"),
    description="Charge objects from the Stripe API (object = 'charge'): minor units, Unix times.",
)


def _customer_api(rows: str) -> dict[str, str]:
    return {
        "customers": f"""
        SELECT {v.text("id")} AS source_customer_id, 'stripe' AS source, {v.email("email")} AS email,
               coalesce({v.text("name")}, {v.text("description")}) AS name,
               {v.json_text("address", "$.country")} AS country, {v.epoch("created")} AS created_at, _source_row
        FROM {rows}"""
    }


STRIPE_API_CUSTOMER = Adapter(
    vendor="stripe",
    object="api_customer",
    shape="api",
    signature=(
        "id",
        "object",
        "address",
        "balance",
        "created",
        "currency",
        "default_source",
        "delinquent",
        "description",
        "email",
        "invoice_prefix",
        "invoice_settings",
        "livemode",
        "metadata",
        "name",
        "phone",
        "preferred_locales",
        "shipping",
        "tax_exempt",
    ),
    required=("id", "object", "created"),
    key=("id",),
    outputs=_customer_api,
    checks=(Check("created", "date", v.epoch),),
    exclude=f"{v.boolean('livemode')} = false",
    accepts=object_is("customer"),
    description="Customer objects from the Stripe API (object = 'customer').",
)


def _subscription_api(rows: str) -> dict[str, str]:
    item = "'$.data[0]"
    price_amount = v.minor_money(f"json_extract_string(items, {item}.price.unit_amount')", "currency")
    quantity = f"coalesce(TRY_CAST(json_extract_string(items, {item}.quantity') AS BIGINT), 1)"
    interval = f"json_extract_string(items, {item}.price.recurring.interval')"
    count = f"json_extract_string(items, {item}.price.recurring.interval_count')"
    return {
        "subscriptions": f"""
        SELECT 'stripe:' || {v.text("id")} AS subscription_id, 'stripe' AS source,
               {v.ref("customer")} AS source_customer_id,
               coalesce(json_extract_string(items, {item}.price.nickname'), json_extract_string(items, {item}.price.product')) AS plan,
               {subscription_status("status")} AS status,
               coalesce({v.epoch("start_date")}, {v.epoch("created")}) AS started_at,
               {v.epoch("canceled_at")} AS canceled_at, {v.epoch("ended_at")} AS ended_at,
               {v.monthly(f"{price_amount} * {quantity}", interval, count)} AS mrr,
               {v.currency("currency")} AS currency, {v.interval(interval)} AS billing_interval,
               {v.epoch("trial_end")} AS _trial_end, _source_row
        FROM {rows}"""
    }


STRIPE_API_SUBSCRIPTION = Adapter(
    vendor="stripe",
    object="api_subscription",
    shape="api",
    signature=(
        "id",
        "object",
        "billing_cycle_anchor",
        "cancel_at",
        "cancel_at_period_end",
        "canceled_at",
        "collection_method",
        "created",
        "currency",
        "customer",
        "current_period_end",
        "current_period_start",
        "days_until_due",
        "default_payment_method",
        "ended_at",
        "items",
        "latest_invoice",
        "livemode",
        "start_date",
        "status",
        "trial_end",
        "trial_start",
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
    accepts=object_is("subscription"),
    description="Subscription objects from the Stripe API (object = 'subscription'); mrr from the first item's price.",
)


STRIPE_API_REFUND = Adapter(
    vendor="stripe",
    object="api_refund",
    shape="api",
    signature=(
        "id",
        "object",
        "amount",
        "balance_transaction",
        "charge",
        "created",
        "currency",
        "metadata",
        "payment_intent",
        "reason",
        "receipt_number",
        "status",
    ),
    required=("id", "object", "amount", "charge", "created", "currency", "status"),
    key=("id",),
    outputs=lambda rows: refunds(rows, v.ref("r.charge"), v.epoch("r.created")),
    checks=(
        Check("amount", "number", v.number),
        Check("created", "date", v.epoch),
        Check("status", "status", refund_status),
    ),
    accepts=object_is("refund"),
    description="Refund objects from the Stripe API (object = 'refund'): payments of kind 'refund'.",
)

ADAPTERS = (STRIPE_API_CHARGE, STRIPE_API_REFUND, STRIPE_API_CUSTOMER, STRIPE_API_SUBSCRIPTION)
