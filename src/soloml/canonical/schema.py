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
"""

from __future__ import annotations

from dataclasses import dataclass, field

from soloml.errors import AdapterError, did_you_mean


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    history: bool = False
    time_column: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"core.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.all_columns)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        cols = list(self.columns)
        if self.history:
            cols += list(HISTORY_COLUMNS)
        cols += list(LINEAGE_COLUMNS)
        return tuple(cols)

    def column(self, name: str) -> Column:
        for col in self.all_columns:
            if col.name == name:
                return col
        raise AdapterError(f"core.{self.name} has no column '{name}'.{did_you_mean(name, self.column_names)}")

    def ddl(self) -> str:
        cols = ",\n    ".join(f"{c.name} {c.type}" for c in self.all_columns)
        return f"CREATE TABLE IF NOT EXISTS core.{self.name} (\n    {cols}\n)"


HISTORY_COLUMNS = (
    Column("valid_from", "TIMESTAMP", "When this version became true (UTC).", required=True),
    Column("valid_to", "TIMESTAMP", "When it stopped being true; NULL while current."),
    Column("is_current", "BOOLEAN", "True for the latest version of the record.", required=True),
)
LINEAGE_COLUMNS = (Column("_load_id", "VARCHAR", "The load (ops.loads) that last wrote this row."),)

MONEY = "DECIMAL(18,2)"

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
    ),
    key=("customer_id",),
    time_column="created_at",
)

CUSTOMER_IDENTITIES = Table(
    "customer_identities",
    "The crosswalk: every id and email a source uses for a customer, linked to one customer_id.",
    (
        Column("source", "VARCHAR", "Vendor the id comes from.", required=True),
        Column("source_id", "VARCHAR", "The vendor's own customer/contact id (or the email when it has none).", required=True),
        Column("email", "VARCHAR", "Normalised email seen with this id."),
        Column("customer_id", "VARCHAR", "The resolved customer.", required=True),
        Column("matched_by", "VARCHAR", "How it was linked: 'email', 'source_id' or 'new'."),
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
        Column("status", "VARCHAR", "'succeeded', 'failed', 'pending', 'refunded' or 'partially_refunded'.", required=True),
        Column("amount", MONEY, "Amount in major units; refunds are positive amounts of kind 'refund'.", required=True),
        Column("amount_refunded", MONEY, "Part of a charge later refunded, in major units."),
        Column("currency", "VARCHAR", "ISO 4217 code, upper case.", required=True),
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
        Column("order_id", "VARCHAR", "Source-prefixed id, e.g. 'shopify:#1001'.", required=True),
        Column("source", "VARCHAR", "Vendor.", required=True),
        Column("customer_id", "VARCHAR", "The resolved customer."),
        Column("email", "VARCHAR", "Normalised email on the order."),
        Column("ordered_at", "TIMESTAMP", "When the order was placed (UTC).", required=True),
        Column("status", "VARCHAR", "'paid', 'pending', 'refunded', 'partially_refunded', 'voided' or 'canceled'.", required=True),
        Column("subtotal", MONEY, "Items before discounts, shipping and tax."),
        Column("discount", MONEY, "Total discount, as a positive amount."),
        Column("shipping", MONEY, "Shipping charged."),
        Column("tax", MONEY, "Tax charged."),
        Column("total", MONEY, "What the customer paid.", required=True),
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
        Column("order_item_id", "VARCHAR", "Source-prefixed id (order id + line number when the source has none).", required=True),
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
        Column("status", "VARCHAR", "'trialing', 'active', 'past_due', 'unpaid', 'canceled' or 'incomplete'.", required=True),
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
        Column("lifecycle_stage", "VARCHAR", "'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist' or 'other'."),
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
        Column("event_id", "VARCHAR", "Source-prefixed id (a hash of its fields when the source has none).", required=True),
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
    for t in (CUSTOMERS, CUSTOMER_IDENTITIES, PAYMENTS, ORDERS, ORDER_ITEMS, SUBSCRIPTIONS, CONTACTS, DEALS, MARKETING_EVENTS)
}

PAYMENT_STATUSES = ("succeeded", "failed", "pending", "refunded", "partially_refunded")
ORDER_STATUSES = ("paid", "pending", "refunded", "partially_refunded", "voided", "canceled")
SUBSCRIPTION_STATUSES = ("trialing", "active", "past_due", "unpaid", "canceled", "incomplete")
EVENT_TYPES = ("sent", "open", "click", "bounce", "unsubscribe")
# the values a canonical column may hold, where the set is closed
ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("payments", "status"): PAYMENT_STATUSES,
    ("payments", "kind"): ("charge", "refund"),
    ("orders", "status"): ORDER_STATUSES,
    ("subscriptions", "status"): SUBSCRIPTION_STATUSES,
    ("subscriptions", "billing_interval"): ("day", "week", "month", "year"),
    ("marketing_events", "event_type"): EVENT_TYPES,
    ("contacts", "lifecycle_stage"): (
        "subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other",
    ),
}
# the tables a mapping file (mappings/*.yaml) may fill; customers and identities are derived
MAPPABLE_TABLES = ("payments", "orders", "order_items", "subscriptions", "contacts", "deals", "marketing_events")


def table(name: str) -> Table:
    """The canonical table called `name` (with or without 'core.')."""
    short = name.removeprefix("core.")
    if short not in TABLES:
        raise AdapterError(f"There is no canonical table '{name}'.{did_you_mean(short, TABLES)}", hint=f"Known tables: {', '.join(TABLES)}.")
    return TABLES[short]


def create_core_tables(con) -> None:
    """Create every core.* table that does not exist yet."""
    con.execute("CREATE SCHEMA IF NOT EXISTS core")
    for t in TABLES.values():
        con.execute(t.ddl())
