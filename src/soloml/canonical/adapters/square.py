"""Square: the transactions export and the item details export.

Square writes local times as separate `Date`, `Time` and `Time Zone` columns with zone names such as
'Eastern Time (US & Canada)'; they are mapped to IANA zones and converted to UTC. Money is text such as
'$1,234.50' or '-$45.00'; the currency comes from the symbol ('$' is read as USD, '£' GBP, '€' EUR, '¥' JPY).
A transaction is both an order (core.orders) and a money movement (core.payments); refund events become
payments of kind 'refund'. The export has no email: `Customer Reference ID` (where businesses keep their CRM's
id for the person) links the Square customer to the record of any source with that id.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check

WHEN = v.local_ts("date", "time", "time_zone")


def _currency(c: str) -> str:
    t = v.text(c)
    return f"(CASE WHEN {t} LIKE '%£%' THEN 'GBP' WHEN {t} LIKE '%€%' THEN 'EUR' WHEN {t} LIKE '%¥%' THEN 'JPY' ELSE 'USD' END)"


def _abs(expr: str) -> str:
    return f"abs({expr})"


def _is_refund() -> str:
    return f"lower(coalesce({v.text('event_type')}, 'payment')) = 'refund'"


def _customer() -> str:
    """Square's customer id; a row that names only a Customer Reference ID is that reference's record."""
    return f"coalesce({v.text('customer_id')}, 'ref:' || {v.text('customer_reference_id')})"


def _transactions(rows: str) -> dict[str, str]:
    payment = f"coalesce({v.text('payment_id')}, {v.text('transaction_id')})"
    refunded = f"coalesce({_abs(v.money('partial_refunds'))}, 0)"
    total = _abs(v.money("total_collected"))
    return {
        "payments": f"""
        SELECT 'square:' || {payment} || CASE WHEN {_is_refund()} THEN ':refund' ELSE '' END AS payment_id,
               'square' AS source,
               CASE WHEN {_is_refund()} THEN 'refund' ELSE 'charge' END AS kind,
               CASE WHEN {_is_refund()} THEN 'succeeded' WHEN {refunded} > 0 AND {refunded} >= {total} THEN 'refunded'
                    WHEN {refunded} > 0 THEN 'partially_refunded' ELSE 'succeeded' END AS status,
               {total} AS amount, {refunded} AS amount_refunded, {_currency("total_collected")} AS currency,
               {WHEN} AS paid_at, coalesce({v.text("description")}, {v.text("details")}) AS description,
               'square:' || {v.text("transaction_id")} AS order_id,
               {_customer()} AS source_customer_id, {v.text("customer_name")} AS customer_name,
               {v.text("customer_reference_id")} AS reference_id,
               _source_row
        FROM {rows}""",
        "orders": f"""
        SELECT 'square:' || {v.text("transaction_id")} AS order_id, 'square' AS source, {WHEN} AS ordered_at,
               CASE WHEN {refunded} > 0 AND {refunded} >= {total} THEN 'refunded' WHEN {refunded} > 0 THEN 'partially_refunded'
                    ELSE 'paid' END AS status,
               {v.money("gross_sales")} AS subtotal, {_abs(v.money("discounts"))} AS discount, {v.money("tax")} AS tax,
               {total} AS total, {_currency("total_collected")} AS currency,
               {_customer()} AS source_customer_id, {v.text("customer_name")} AS customer_name,
               {v.text("customer_reference_id")} AS reference_id,
               _source_row
        FROM {rows} WHERE NOT {_is_refund()}""",
    }


MONEY_COLUMNS = (
    "gross_sales",
    "discounts",
    "service_charges",
    "net_sales",
    "gift_card_sales",
    "tax",
    "tip",
    "partial_refunds",
    "total_collected",
    "fees",
    "net_total",
)

SQUARE_TRANSACTIONS = Adapter(
    vendor="square",
    object="transactions",
    shape="export",
    signature=(
        "Date",
        "Time",
        "Time Zone",
        "Gross Sales",
        "Discounts",
        "Service Charges",
        "Net Sales",
        "Gift Card Sales",
        "Tax",
        "Tip",
        "Partial Refunds",
        "Total Collected",
        "Source",
        "Card",
        "Card Entry Methods",
        "Cash",
        "Square Gift Card",
        "Other Tender",
        "Other Tender Type",
        "Other Tender Note",
        "Fees",
        "Net Total",
        "Transaction ID",
        "Payment ID",
        "Card Brand",
        "PAN Suffix",
        "Device Name",
        "Staff Name",
        "Staff ID",
        "Details",
        "Description",
        "Event Type",
        "Location",
        "Dining Option",
        "Customer ID",
        "Customer Name",
        "Customer Reference ID",
    ),
    required=("Date", "Time", "Time Zone", "Total Collected", "Transaction ID"),
    key=("transaction_id", "payment_id", "event_type"),
    outputs=_transactions,
    checks=(
        *(Check(c, "money", v.money) for c in MONEY_COLUMNS),
        Check("date", "date", v.day),
        Check("time", "date", v.clock),
        Check("time_zone", "zone", v.zone),
    ),
    description="Transactions export: one row per payment or refund, local Date/Time/Time Zone, '$' money.",
)


def _item_details(rows: str) -> dict[str, str]:
    qty = v.number("qty")
    return {
        "order_items": f"""
        SELECT 'square:' || {v.text("transaction_id")} || ':' ||
                   row_number() OVER (PARTITION BY {v.text("transaction_id")} ORDER BY _source_row) AS order_item_id,
               'square:' || {v.text("transaction_id")} AS order_id, 'square' AS source,
               concat_ws(' - ', {v.text("item")}, {v.text("price_point_name")}) AS product, {v.text("sku")} AS sku,
               CAST(round({qty}) AS INTEGER) AS quantity,
               CAST({v.money("gross_sales")} / NULLIF({qty}, 0) AS DECIMAL(18,2)) AS unit_price,
               {_abs(v.money("discounts"))} AS discount, {v.money("net_sales")} AS line_total,
               {WHEN} AS ordered_at, _source_row
        FROM {rows}"""
    }


SQUARE_ITEMS = Adapter(
    vendor="square",
    object="items",
    shape="export",
    signature=(
        "Date",
        "Time",
        "Time Zone",
        "Category",
        "Item",
        "Qty",
        "Price Point Name",
        "SKU",
        "Modifiers Applied",
        "Gross Sales",
        "Discounts",
        "Net Sales",
        "Tax",
        "Transaction ID",
        "Payment ID",
        "Device Name",
        "Notes",
        "Details",
        "Event Type",
        "Location",
        "Dining Option",
        "Customer ID",
        "Customer Name",
        "Customer Reference ID",
    ),
    required=("Date", "Time", "Time Zone", "Item", "Qty", "Transaction ID"),
    key=("transaction_id", "item", "price_point_name", "modifiers_applied", "event_type"),
    group=("transaction_id",),
    outputs=_item_details,
    checks=(
        Check("gross_sales", "money", v.money),
        Check("discounts", "money", v.money),
        Check("net_sales", "money", v.money),
        Check("tax", "money", v.money),
        Check("qty", "number", v.number),
        Check("date", "date", v.day),
        Check("time", "date", v.clock),
        Check("time_zone", "zone", v.zone),
    ),
    description="Item details export: one row per item sold, local Date/Time/Time Zone, '$' money.",
)

ADAPTERS = (SQUARE_TRANSACTIONS, SQUARE_ITEMS)
