"""Stripe as a sync tool (Fivetran, Airbyte) lands it: charge, refund, customer, subscription and
subscription_history tables, amounts in minor units, `livemode` = false rows dropped and counted.
"""

from __future__ import annotations

import pandas as pd

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.stripe import charge_status, payment_status, subscription_status


def not_api(sample: pd.DataFrame) -> bool:
    """API objects carry an `object` field; synced tables never do."""
    return "object" not in sample.columns


def _charge_synced(rows: str) -> dict[str, str]:
    amount, refunded = (
        v.minor_money("amount", "currency"),
        f"coalesce({v.minor_money('amount_refunded', 'currency')}, 0)",
    )
    return {
        "payments": f"""
        SELECT 'stripe:' || {v.text("id")} AS payment_id, 'stripe' AS source, 'charge' AS kind,
               {charge_status(amount, refunded)} AS status,
               {amount} AS amount, {refunded} AS amount_refunded,
               {v.currency("currency")} AS currency, {v.ts("created")} AS paid_at,
               {v.text("description")} AS description,
               {v.email("receipt_email")} AS email, {v.text("customer_id")} AS source_customer_id,
               _source_row
        FROM {rows}"""
    }


STRIPE_CHARGE = Adapter(
    vendor="stripe",
    object="charge",
    shape="synced",
    accepts=not_api,
    signature=(
        "id",
        "_fivetran_synced",
        "amount",
        "amount_refunded",
        "balance_transaction_id",
        "captured",
        "card_id",
        "created",
        "currency",
        "customer_id",
        "description",
        "failure_code",
        "failure_message",
        "invoice_id",
        "livemode",
        "paid",
        "payment_intent_id",
        "receipt_email",
        "refunded",
        "status",
        "statement_descriptor",
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
    return {
        "customers": f"""
        SELECT {v.text("id")} AS source_customer_id, 'stripe' AS source, {v.email("email")} AS email,
               coalesce({v.text("name")}, {v.text("description")}) AS name,
               {v.text("address_country")} AS country, {v.ts("created")} AS created_at, _source_row
        FROM {rows} WHERE coalesce({v.boolean("is_deleted")}, false) = false"""
    }


STRIPE_CUSTOMER = Adapter(
    vendor="stripe",
    object="customer",
    shape="synced",
    accepts=not_api,
    signature=(
        "id",
        "_fivetran_synced",
        "account_balance",
        "address_city",
        "address_country",
        "balance",
        "created",
        "currency",
        "default_card_id",
        "delinquent",
        "description",
        "email",
        "invoice_prefix",
        "is_deleted",
        "livemode",
        "name",
        "phone",
        "tax_exempt",
    ),
    required=("id", "created", "email"),
    key=("id",),
    outputs=_customer_synced,
    checks=(Check("created", "date", v.ts),),
    exclude=f"{v.boolean('livemode')} = false",
    description="A synced `customer` table.",
)


def _subscription_synced(rows: str) -> dict[str, str]:
    return {
        "subscriptions": f"""
        SELECT 'stripe:' || {v.text("id")} AS subscription_id, 'stripe' AS source,
               {v.text("customer_id")} AS source_customer_id,
               {subscription_status("status")} AS status,
               coalesce({v.ts("start_date")}, {v.ts("created")}) AS started_at,
               {v.ts("canceled_at")} AS canceled_at, {v.ts("ended_at")} AS ended_at,
               {v.ts("trial_end")} AS _trial_end, _source_row
        FROM {rows}"""
    }


_SUBSCRIPTION_SYNCED = (
    "id",
    "_fivetran_synced",
    "application_fee_percent",
    "billing",
    "billing_cycle_anchor",
    "cancel_at",
    "cancel_at_period_end",
    "canceled_at",
    "created",
    "current_period_end",
    "current_period_start",
    "customer_id",
    "days_until_due",
    "default_source_id",
    "ended_at",
    "livemode",
    "metadata",
    "quantity",
    "start_date",
    "status",
    "tax_percent",
    "trial_end",
    "trial_start",
)
_SUBSCRIPTION_CHECKS = (
    Check("created", "date", v.ts),
    Check("start_date", "date", v.ts),
    Check("canceled_at", "date", v.ts),
    Check("ended_at", "date", v.ts),
    Check("status", "status", subscription_status),
)

STRIPE_SUBSCRIPTION = Adapter(
    vendor="stripe",
    object="subscription",
    shape="synced",
    accepts=not_api,
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
        PARTITION BY {v.text("id")} ORDER BY coalesce({v.boolean("fivetran_active")}, true) DESC, {v.ts("fivetran_synced")} DESC) = 1)"""
    return _subscription_synced(current)


STRIPE_SUBSCRIPTION_HISTORY = Adapter(
    vendor="stripe",
    object="subscription_history",
    shape="synced",
    accepts=not_api,
    signature=(*_SUBSCRIPTION_SYNCED, "_fivetran_active"),
    required=("id", "customer_id", "status", "created", "_fivetran_active"),
    key=("id", "fivetran_synced"),
    outputs=_subscription_history_synced,
    checks=_SUBSCRIPTION_CHECKS,
    exclude=f"{v.boolean('livemode')} = false",
    description="A synced `subscription_history` table: the active (else latest) version of each subscription is used.",
)


def refund_status(c: str) -> str:
    return v.mapped(
        c,
        {
            "succeeded": "succeeded",
            "pending": "pending",
            "requires_action": "pending",
            "failed": "failed",
            "canceled": "failed",
        },
    )


def refunds(rows: str, charge: str, created: str) -> dict[str, str]:
    """Refunds become payments of kind 'refund' for the charge's customer (load the charges first)."""
    return {
        "payments": f"""
        SELECT 'stripe:' || {v.text("r.id")} AS payment_id, 'stripe' AS source, 'refund' AS kind,
               {refund_status("r.status")} AS status, {v.minor_money("r.amount", "r.currency")} AS amount,
               0 AS amount_refunded, {v.currency("r.currency")} AS currency, {created} AS paid_at,
               {v.text("r.reason")} AS description, c.customer_id, r._source_row
        FROM {rows} r LEFT JOIN core.payments c ON c.payment_id = 'stripe:' || {charge}"""
    }


STRIPE_REFUND = Adapter(
    vendor="stripe",
    object="refund",
    shape="synced",
    accepts=not_api,
    signature=(
        "id",
        "_fivetran_synced",
        "amount",
        "balance_transaction_id",
        "charge_id",
        "created",
        "currency",
        "description",
        "failure_balance_transaction_id",
        "failure_reason",
        "metadata",
        "reason",
        "receipt_number",
        "status",
    ),
    required=("id", "amount", "charge_id", "created", "currency", "status"),
    key=("id",),
    outputs=lambda rows: refunds(rows, v.text("r.charge_id"), v.ts("r.created")),
    checks=(
        Check("amount", "number", v.number),
        Check("created", "date", v.ts),
        Check("status", "status", refund_status),
    ),
    description="A synced `refund` table: each refund a payment of kind 'refund' (load the charge table first).",
)

ADAPTERS = (STRIPE_CHARGE, STRIPE_REFUND, STRIPE_CUSTOMER, STRIPE_SUBSCRIPTION, STRIPE_SUBSCRIPTION_HISTORY)
