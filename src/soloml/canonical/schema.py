"""The canonical business model: the single source of truth for every `core.*` table.

Every vendor adapter writes these tables and every recipe reads only them, so a churn
model built on Stripe + Shopify data works unchanged on Square + HubSpot data.

Conventions:
- money is DECIMAL(18,2) in major units (dollars, not cents), with an ISO currency code;
- every timestamp is TIMESTAMP in UTC (naive, meaning UTC);
- `customer_id` is soloml's own id for a real person, resolved across sources (see identity.py);
- `source` names the vendor ('stripe', 'shopify', 'square', 'hubspot', 'salesforce', 'mailchimp', or a mapping name);
- history tables (`history=True`) keep one row per version with `valid_from` / `valid_to` (NULL = current)
  and `is_current`, so later stages can ask what was true on a date;
- `_load_id` is the load (ops.loads) that last wrote the row.

What a table definition holds (Column, Table, the history and lineage columns) is in canonical/table_types.py;
identity resolution's own tables are in canonical/identity_tables.py.
"""

from __future__ import annotations

from soloml.canonical.identity_tables import IDENTITY_TABLES
from soloml.canonical.table_types import MONEY, Column, Table
from soloml.errors import AdapterError, did_you_mean

# what a charge left the business with, in its settlement currency (refunds and lost chargebacks taken off)
_LOST = "CASE WHEN dispute_status = 'lost' THEN coalesce(amount_disputed, amount) ELSE 0 END"
_NET_SETTLED = (
    "CASE WHEN kind <> 'charge' THEN NULL WHEN status IN ('failed', 'pending') THEN 0 "
    "ELSE greatest(amount_settled - coalesce(amount_refunded_settled, 0) - CASE WHEN amount = 0 THEN 0 "
    f"ELSE CAST(({_LOST}) * amount_settled / amount AS DECIMAL(18,2)) END, 0) END"
)

CUSTOMERS = Table(
    "customers",
    "One row per real person or business that buys, resolved across every source.",
    (
        Column("customer_id", "VARCHAR", "soloml's id for the person, stable across loads.", required=True),
        Column("email", "VARCHAR", "Normalised email (trimmed, lower-case)."),
        Column("name", "VARCHAR", "Full name or company name as the sources give it."),
        Column("country", "VARCHAR", "Country code or name, when known."),
        Column("created_at", "TIMESTAMP", "First time any source saw this customer (UTC)."),
        Column("first_source", "VARCHAR", "The source the customer was first seen in."),
        Column(
            "has_purchased",
            "BOOLEAN",
            "True once any source shows money paid: a charge that went through, a paid order or a "
            "subscription past its trial. False for CRM leads and newsletter-only contacts.",
            required=True,
        ),
        Column(
            "first_purchase_at",
            "TIMESTAMP",
            "When they first paid (UTC); NULL while they have not. Recipes compare it with "
            "the cutoff (`first_purchase_at < cutoff`), never `has_purchased`, which knows the future.",
        ),
    ),
    key=("customer_id",),
    time_column="created_at",
)

CUSTOMER_IDENTITIES = Table(
    "customer_identities",
    "The crosswalk: every id and email a source uses for a customer, linked to one customer_id.",
    (
        Column("source", "VARCHAR", "Vendor the id comes from.", required=True),
        Column(
            "source_id",
            "VARCHAR",
            "The vendor's own customer/contact id (or the email when it has none).",
            required=True,
        ),
        Column("email", "VARCHAR", "Normalised email seen with this id."),
        Column("customer_id", "VARCHAR", "The resolved customer.", required=True),
        Column(
            "matched_by",
            "VARCHAR",
            "The strongest rule linking this record to another of the same person: 'source_id' "
            "(one names the other's id), 'reference_id' (a reference id equal to another source's id), 'email', "
            "'accepted' (a suggestion you accepted) or 'new' (no other record). Recomputed from all the data on every load.",
        ),
    ),
    key=("source", "source_id"),
)

PAYMENTS = Table(
    "payments",
    "Money movements: charges, refunds and failed attempts.",
    (
        Column("payment_id", "VARCHAR", "Source-prefixed id, e.g. 'stripe:ch_123'.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer (NULL when the payment names nobody)."),
        Column("email", "VARCHAR", "Normalised email on the payment."),
        Column("kind", "VARCHAR", "'charge' or 'refund'.", required=True),
        Column(
            "status",
            "VARCHAR",
            "'succeeded', 'failed', 'pending', 'refunded', 'partially_refunded' or 'charged_back' "
            "(a chargeback the business lost).",
            required=True,
        ),
        Column("amount", MONEY, "Amount in major units; refunds are positive amounts of kind 'refund'.", required=True),
        Column("amount_refunded", MONEY, "Part of a charge later refunded, in major units."),
        Column("currency", "VARCHAR", "ISO 4217 code, upper case.", required=True),
        Column(
            "amount_settled",
            MONEY,
            "What the business received for it, in `settlement_currency` (Stripe's Converted "
            "Amount); the charged amount when the source gives none. Revenue features use this.",
            default="amount",
        ),
        Column(
            "settlement_currency", "VARCHAR", "The business's own currency the payment settled in.", default="currency"
        ),
        Column(
            "amount_refunded_settled",
            MONEY,
            "`amount_refunded` in the settlement currency (at the charge's own rate when the source does not say).",
            default="CASE WHEN amount_refunded IS NULL THEN NULL WHEN amount = 0 THEN amount_refunded "
            "ELSE CAST(amount_refunded * amount_settled / amount AS DECIMAL(18,2)) END",
        ),
        Column(
            "amount_disputed", MONEY, "Amount under a chargeback (dispute), in `currency`; NULL when never disputed."
        ),
        Column("dispute_status", "VARCHAR", "'open', 'won' or 'lost'; a lost dispute makes the charge 'charged_back'."),
        Column(
            "net_settled",
            MONEY,
            "For a charge: what the business kept, in the settlement currency: `amount_settled` less "
            "refunds and lost chargebacks; 0 for failed or pending charges. NULL for refund rows (their charge carries "
            "the refund already). Net revenue is the sum over charges.",
            default=_NET_SETTLED,
        ),
        Column("paid_at", "TIMESTAMP", "When it happened (UTC).", required=True),
        Column("description", "VARCHAR", "Free text from the source."),
        Column("subscription_id", "VARCHAR", "Source-prefixed subscription the payment belongs to, when known."),
        Column("order_id", "VARCHAR", "Source-prefixed order the payment belongs to, when known."),
    ),
    key=("payment_id",),
    time_column="paid_at",
)

ORDERS = Table(
    "orders",
    "Orders placed in a shop or point of sale.",
    (
        Column("order_id", "VARCHAR", "Source-prefixed id, e.g. 'shopify:5501001'.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer."),
        Column("email", "VARCHAR", "Normalised email on the order."),
        Column("order_number", "VARCHAR", "The number staff and customers see, e.g. '#1175'."),
        Column("ordered_at", "TIMESTAMP", "When the order was placed (UTC).", required=True),
        Column("canceled_at", "TIMESTAMP", "When the order was cancelled (UTC), whatever happened to the money."),
        Column(
            "status",
            "VARCHAR",
            "'paid', 'pending', 'refunded', 'partially_refunded', 'voided' or 'canceled'.",
            required=True,
        ),
        Column("subtotal", MONEY, "Items before discounts, shipping and tax."),
        Column("discount", MONEY, "Total discount, as a positive amount."),
        Column("shipping", MONEY, "Shipping charged."),
        Column("tax", MONEY, "Tax charged."),
        Column("total", MONEY, "What the customer paid.", required=True),
        Column("amount_refunded", MONEY, "Part of the total refunded, as a positive amount."),
        Column("currency", "VARCHAR", "ISO 4217 code.", required=True),
        Column("discount_code", "VARCHAR", "Discount code used, if any."),
        Column("item_count", "INTEGER", "Number of units in the order."),
    ),
    key=("order_id",),
    time_column="ordered_at",
)

ORDER_ITEMS = Table(
    "order_items",
    "The lines of each order.",
    (
        Column(
            "order_item_id",
            "VARCHAR",
            "Source-prefixed id (order id + line number when the source has none).",
            required=True,
        ),
        Column("order_id", "VARCHAR", "The order.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("product", "VARCHAR", "Product name.", required=True),
        Column("sku", "VARCHAR", "Stock-keeping unit, when known."),
        Column("quantity", "INTEGER", "Units.", required=True),
        Column("unit_price", MONEY, "Price of one unit."),
        Column("discount", MONEY, "Discount on the line, as a positive amount."),
        Column("line_total", MONEY, "quantity x unit_price - discount."),
        Column("ordered_at", "TIMESTAMP", "When the order was placed (UTC)."),
    ),
    key=("order_item_id",),
    time_column="ordered_at",
)

SUBSCRIPTIONS = Table(
    "subscriptions",
    "Recurring plans, with the history of their status.",
    (
        Column("subscription_id", "VARCHAR", "Source-prefixed id.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer."),
        Column("email", "VARCHAR", "Normalised email."),
        Column("plan", "VARCHAR", "Plan or price name."),
        Column(
            "status",
            "VARCHAR",
            "'trialing', 'active', 'past_due', 'unpaid', 'canceled' or 'incomplete'.",
            required=True,
        ),
        Column("started_at", "TIMESTAMP", "When it started (UTC).", required=True),
        Column("canceled_at", "TIMESTAMP", "When the customer canceled (UTC), if they did."),
        Column("ended_at", "TIMESTAMP", "When it stopped billing (UTC), if it has."),
        Column("mrr", MONEY, "Monthly recurring revenue in major units (yearly plans / 12)."),
        Column("currency", "VARCHAR", "ISO 4217 code."),
        Column("billing_interval", "VARCHAR", "'day', 'week', 'month' or 'year'."),
    ),
    key=("subscription_id",),
    history=True,
    time_column="started_at",
)

CONTACTS = Table(
    "contacts",
    "CRM leads and contacts, with the history of their lifecycle stage.",
    (
        Column("contact_id", "VARCHAR", "Source-prefixed id.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer."),
        Column("email", "VARCHAR", "Normalised email."),
        Column("name", "VARCHAR", "Full name."),
        Column("company", "VARCHAR", "Company or account name."),
        Column(
            "lifecycle_stage",
            "VARCHAR",
            "'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist' or 'other'.",
        ),
        Column("lead_status", "VARCHAR", "The source's lead status, as given."),
        Column("lead_source", "VARCHAR", "Where the lead came from, when known."),
        Column("created_at", "TIMESTAMP", "When the contact was created (UTC).", required=True),
        Column("stage_changed_at", "TIMESTAMP", "When the lifecycle stage last changed (UTC), when known."),
        Column("became_customer_at", "TIMESTAMP", "When the contact became a customer (UTC), when known."),
    ),
    key=("contact_id",),
    history=True,
    time_column="created_at",
)

DEALS = Table(
    "deals",
    "Sales opportunities, with the history of their stage.",
    (
        Column("deal_id", "VARCHAR", "Source-prefixed id.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer."),
        Column("contact_id", "VARCHAR", "Source-prefixed contact, when known."),
        Column("name", "VARCHAR", "Deal name."),
        Column("amount", MONEY, "Deal value in major units."),
        Column("currency", "VARCHAR", "ISO 4217 code."),
        Column("stage", "VARCHAR", "Pipeline stage as the source names it.", required=True),
        Column("pipeline", "VARCHAR", "Pipeline name."),
        Column("created_at", "TIMESTAMP", "When the deal was created (UTC).", required=True),
        Column("closed_at", "TIMESTAMP", "When it was won or lost (UTC)."),
        Column("is_closed", "BOOLEAN", "True once won or lost."),
        Column("won", "BOOLEAN", "True when won; NULL while open."),
    ),
    key=("deal_id",),
    history=True,
    time_column="created_at",
)

MARKETING_EVENTS = Table(
    "marketing_events",
    "Marketing touches: emails sent, opened, clicked, bounced, unsubscribed.",
    (
        Column(
            "event_id", "VARCHAR", "Source-prefixed id (a hash of its fields when the source has none).", required=True
        ),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer."),
        Column("email", "VARCHAR", "Normalised email.", required=True),
        Column("campaign", "VARCHAR", "Campaign or email name."),
        Column("event_type", "VARCHAR", "'sent', 'open', 'click', 'bounce' or 'unsubscribe'.", required=True),
        Column("occurred_at", "TIMESTAMP", "When it happened (UTC).", required=True),
    ),
    key=("event_id",),
    time_column="occurred_at",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CUSTOMERS,
        CUSTOMER_IDENTITIES,
        PAYMENTS,
        ORDERS,
        ORDER_ITEMS,
        SUBSCRIPTIONS,
        CONTACTS,
        DEALS,
        MARKETING_EVENTS,
    )
}

# When each customer first paid: a charge that went through, a paid (or later refunded) order, a subscription
# version past its trial. core.customers.first_purchase_at holds it; recipes read it through this same SQL, so
# core rows written by hand (or by another tool) work too. A relation of (customer_id, first_purchase_at).
FIRST_PURCHASES = """
    SELECT customer_id, min(paid) AS first_purchase_at FROM (
        SELECT customer_id, paid_at AS paid FROM core.payments
         WHERE kind = 'charge' AND status IN ('succeeded', 'refunded', 'partially_refunded', 'charged_back')
        UNION ALL
        SELECT customer_id, ordered_at FROM core.orders WHERE status IN ('paid', 'refunded', 'partially_refunded')
        UNION ALL
        SELECT customer_id, valid_from FROM core.subscriptions WHERE status IN ('active', 'past_due', 'unpaid')
    ) WHERE customer_id IS NOT NULL GROUP BY customer_id
"""

PAYMENT_STATUSES = ("succeeded", "failed", "pending", "refunded", "partially_refunded", "charged_back")
ORDER_STATUSES = ("paid", "pending", "refunded", "partially_refunded", "voided", "canceled")
SUBSCRIPTION_STATUSES = ("trialing", "active", "past_due", "unpaid", "canceled", "incomplete")
EVENT_TYPES = ("sent", "open", "click", "bounce", "unsubscribe")
# the values a canonical column may hold, where the set is closed
ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("payments", "status"): PAYMENT_STATUSES,
    ("payments", "kind"): ("charge", "refund"),
    ("payments", "dispute_status"): ("open", "won", "lost"),
    ("orders", "status"): ORDER_STATUSES,
    ("subscriptions", "status"): SUBSCRIPTION_STATUSES,
    ("subscriptions", "billing_interval"): ("day", "week", "month", "year"),
    ("marketing_events", "event_type"): EVENT_TYPES,
    ("contacts", "lifecycle_stage"): (
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    ),
}
# the tables a mapping file (mappings/*.yaml) may fill; customers and identities are derived
MAPPABLE_TABLES = ("payments", "orders", "order_items", "subscriptions", "contacts", "deals", "marketing_events")


def table(name: str) -> Table:
    """The canonical table called `name` (with or without 'core.')."""
    short = name.removeprefix("core.")
    if short not in TABLES:
        raise AdapterError(
            f"There is no canonical table '{name}'.{did_you_mean(short, TABLES)}",
            hint=f"Known tables: {', '.join(TABLES)}.",
        )
    return TABLES[short]


def create_core_tables(con) -> None:
    """Create every core.* table that does not exist yet, and add columns a newer soloml defines to older tables."""
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    existing: dict[str, set[str]] = {}
    for name, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'core'"
    ).fetchall():
        existing.setdefault(name, set()).add(column)
    for t in (*TABLES.values(), *IDENTITY_TABLES.values()):
        if t.name not in existing:
            con.execute(t.ddl())
            continue
        for c in t.all_columns:
            if c.name not in existing[t.name]:
                con.execute(f"ALTER TABLE core.{t.name} ADD COLUMN {c.name} {c.type}")
