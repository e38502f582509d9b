"""Shopify: the orders export (one line per line item; order columns on the first line only), the customers
export, and synced order / order_line / customer tables. Shopify money is in major units; export times carry
an offset ('2024-01-15 09:32:10 -0500'), synced times are UTC.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.warehouse.dialect import first_non_null

ORDER_STATUS = {
    "paid": "paid",
    "pending": "pending",
    "authorized": "pending",
    "partially_paid": "pending",
    "refunded": "refunded",
    "partially_refunded": "partially_refunded",
    "voided": "voided",
    "expired": "voided",
}


def order_status(c: str) -> str:
    return v.mapped(c, ORDER_STATUS)


def _status(financial: str, cancelled: str) -> str:
    """A cancelled order that was not refunded or voided is 'canceled'; otherwise its financial status."""
    mapped = order_status(financial)
    return f"CASE WHEN {cancelled} IS NOT NULL AND coalesce({mapped}, 'pending') IN ('paid', 'pending') THEN 'canceled' ELSE {mapped} END"


def customer_id(c: str) -> str:
    """Shopify exports prefix ids with an apostrophe so spreadsheets keep them as text: "'7012345678901"."""
    return f"NULLIF(ltrim({v.text(c)}, ''''), '')"


# -- orders export ---------------------------------------------------------------------------------------------------


def _first(expr: str) -> str:
    """The order-level value: the first non-empty one among the order's lines (Shopify fills only the first)."""
    return f"arg_min({expr}, _source_row) FILTER (WHERE {expr} IS NOT NULL)"


def _orders_export(rows: str) -> dict[str, str]:
    order = v.text("name")
    lines = f"""
        (SELECT *,
                {first_non_null(v.text("id"), order, "_source_row")} AS _order_ref,
                {first_non_null(v.ts("created_at"), order, "_source_row")} AS _ordered_at,
                row_number() OVER (PARTITION BY {order} ORDER BY _source_row) AS _line
         FROM {rows}) AS lines"""
    order_id = f"'shopify:' || coalesce(_order_ref, {order})"
    financial, cancelled = _first(v.text("financial_status")), _first(v.text("cancelled_at"))
    return {
        "orders": f"""
        SELECT {order_id} AS order_id, 'shopify' AS source,
               {_first(v.email("email"))} AS email,
               {order} AS order_number,
               _ordered_at AS ordered_at,
               {_first(v.ts("cancelled_at"))} AS canceled_at,
               {_status(financial, cancelled)} AS status,
               {_first(v.money("subtotal"))} AS subtotal, {_first(v.money("discount_amount"))} AS discount,
               {_first(v.money("shipping"))} AS shipping, {_first(v.money("taxes"))} AS tax,
               {_first(v.money("total"))} AS total,
               coalesce({_first(v.money("refunded_amount"))}, 0) AS amount_refunded,
               {_first(v.currency("currency"))} AS currency, {_first(v.text("discount_code"))} AS discount_code,
               CAST(sum({v.integer("lineitem_quantity")}) AS INTEGER) AS item_count,
               {_first(f"coalesce({v.text('billing_name')}, {v.text('shipping_name')})")} AS customer_name,
               {_first(f"coalesce({v.text('billing_country')}, {v.text('shipping_country')})")} AS customer_country,
               {_first(f"coalesce({v.text('billing_zip')}, {v.text('shipping_zip')})")} AS customer_zip,
               {_first(v.text("phone"))} AS customer_phone,
               coalesce(min(_source_row) FILTER (WHERE _current), min(_source_row)) AS _source_row
        FROM {lines} GROUP BY {order}, _order_ref, _ordered_at""",
        "order_items": f"""
        SELECT {order_id} || ':' || _line AS order_item_id, {order_id} AS order_id, 'shopify' AS source,
               {v.text("lineitem_name")} AS product, {v.text("lineitem_sku")} AS sku,
               CAST({v.integer("lineitem_quantity")} AS INTEGER) AS quantity,
               {v.money("lineitem_price")} AS unit_price,
               coalesce({v.money("lineitem_discount")}, 0) AS discount,
               {v.integer("lineitem_quantity")} * {v.money("lineitem_price")} - coalesce({v.money("lineitem_discount")}, 0) AS line_total,
               _ordered_at AS ordered_at, _source_row
        FROM {lines}""",
    }


SHOPIFY_ORDERS = Adapter(
    vendor="shopify",
    object="orders",
    shape="export",
    signature=(
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Fulfillment Status",
        "Fulfilled at",
        "Accepts Marketing",
        "Currency",
        "Subtotal",
        "Shipping",
        "Taxes",
        "Total",
        "Discount Code",
        "Discount Amount",
        "Shipping Method",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Lineitem requires shipping",
        "Lineitem taxable",
        "Lineitem fulfillment status",
        "Billing Name",
        "Billing City",
        "Billing Zip",
        "Billing Country",
        "Shipping Name",
        "Shipping City",
        "Shipping Zip",
        "Shipping Country",
        "Notes",
        "Cancelled at",
        "Payment Method",
        "Refunded Amount",
        "Vendor",
        "Id",
        "Tags",
        "Risk Level",
        "Source",
        "Lineitem discount",
        "Phone",
    ),
    required=(
        "Name",
        "Email",
        "Financial Status",
        "Currency",
        "Total",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
    ),
    key=("name", "lineitem_name", "lineitem_sku"),
    outputs=_orders_export,
    checks=(
        Check("subtotal", "money", v.money),
        Check("shipping", "money", v.money),
        Check("taxes", "money", v.money),
        Check("total", "money", v.money),
        Check("discount_amount", "money", v.money),
        Check("refunded_amount", "money", v.money),
        Check("lineitem_price", "money", v.money),
        Check("lineitem_discount", "money", v.money),
        Check("lineitem_quantity", "number", v.integer),
        Check("created_at", "date", v.ts),
        Check("cancelled_at", "date", v.ts),
        Check("financial_status", "status", order_status),
    ),
    group=("name",),
    description="Orders > Export: one row per line item, order columns on each order's first line; the order number "
    "(Name), cancellation time and refunded amount are kept.",
)


def _customers_export(rows: str) -> dict[str, str]:
    name = f"NULLIF(trim(concat_ws(' ', {v.text('first_name')}, {v.text('last_name')})), '')"
    return {
        "customers": f"""
        SELECT {customer_id("customer_id")} AS source_customer_id, 'shopify' AS source, {v.email("email")} AS email,
               {name} AS name, {v.text("default_address_country_code")} AS country,
               coalesce({v.text("phone")}, {v.text("default_address_phone")}) AS phone, {v.text("default_address_zip")} AS zip,
               NULL::TIMESTAMP AS created_at, _source_row
        FROM {rows}"""
    }


SHOPIFY_CUSTOMERS = Adapter(
    vendor="shopify",
    object="customers",
    shape="export",
    signature=(
        "Customer ID",
        "First Name",
        "Last Name",
        "Email",
        "Accepts Email Marketing",
        "Default Address Company",
        "Default Address Address1",
        "Default Address Address2",
        "Default Address City",
        "Default Address Province Code",
        "Default Address Country Code",
        "Default Address Zip",
        "Default Address Phone",
        "Phone",
        "Accepts SMS Marketing",
        "Total Spent",
        "Total Orders",
        "Note",
        "Tax Exempt",
        "Tags",
    ),
    required=("Customer ID", "Email"),
    key=("customer_id",),
    outputs=_customers_export,
    aliases={"Default Address Country Code": ("Country Code",), "Accepts Email Marketing": ("Accepts Marketing",)},
    description="Customers > Export: one row per customer (no creation time in this export).",
)

# -- synced tables ---------------------------------------------------------------------------------------------------


def _order_synced(rows: str) -> dict[str, str]:
    return {
        "orders": f"""
        SELECT 'shopify:' || {v.text("id")} AS order_id, 'shopify' AS source,
               {v.email("email")} AS email, {customer_id("customer_id")} AS source_customer_id,
               {v.text("name")} AS order_number,
               {v.ts("created_at")} AS ordered_at, {v.ts("cancelled_at")} AS canceled_at,
               {_status("financial_status", v.text("cancelled_at"))} AS status,
               {v.money("subtotal_price")} AS subtotal, {v.money("total_discounts")} AS discount,
               {v.money("total_tax")} AS tax, {v.money("total_price")} AS total,
               {v.currency("currency")} AS currency,
               coalesce({v.text("billing_address_name")}, {v.text("shipping_address_name")}) AS customer_name,
               coalesce({v.text("billing_address_country_code")}, {v.text("shipping_address_country_code")}) AS customer_country,
               _source_row
        FROM {rows}"""
    }


SHOPIFY_ORDER = Adapter(
    vendor="shopify",
    object="order",
    shape="synced",
    signature=(
        "id",
        "note",
        "email",
        "taxes_included",
        "currency",
        "subtotal_price",
        "total_tax",
        "total_price",
        "created_at",
        "updated_at",
        "name",
        "customer_id",
        "number",
        "order_number",
        "financial_status",
        "fulfillment_status",
        "processed_at",
        "cancel_reason",
        "cancelled_at",
        "closed_at",
        "total_discounts",
        "total_line_items_price",
        "source_name",
        "test",
        "_fivetran_synced",
        "billing_address_name",
        "shipping_address_name",
        "billing_address_country_code",
        "shipping_address_country_code",
    ),
    required=("id", "currency", "total_price", "created_at", "financial_status"),
    key=("id",),
    outputs=_order_synced,
    checks=(
        Check("subtotal_price", "money", v.money),
        Check("total_tax", "money", v.money),
        Check("total_price", "money", v.money),
        Check("total_discounts", "money", v.money),
        Check("created_at", "date", v.ts),
        Check("cancelled_at", "date", v.ts),
        Check("financial_status", "status", order_status),
    ),
    exclude=f"{v.boolean('test')} = true",
    description="A synced `order` table; test orders are dropped and counted.",
)


def _order_line_synced(rows: str) -> dict[str, str]:
    quantity, price, discount = v.integer("quantity"), v.money("price"), f"coalesce({v.money('total_discount')}, 0)"
    return {
        "order_items": f"""
        SELECT 'shopify:' || {v.text("r.id")} AS order_item_id, 'shopify:' || {v.text("r.order_id")} AS order_id,
               'shopify' AS source, coalesce({v.text("r.name")}, {v.text("r.title")}) AS product, {v.text("r.sku")} AS sku,
               CAST({quantity} AS INTEGER) AS quantity, {price} AS unit_price, {discount} AS discount,
               {quantity} * {price} - {discount} AS line_total, o.ordered_at, r._source_row
        FROM {rows} r LEFT JOIN core.orders o ON o.order_id = 'shopify:' || {v.text("r.order_id")}"""
    }


SHOPIFY_ORDER_LINE = Adapter(
    vendor="shopify",
    object="order_line",
    shape="synced",
    signature=(
        "order_id",
        "id",
        "product_id",
        "variant_id",
        "name",
        "title",
        "vendor",
        "price",
        "quantity",
        "grams",
        "sku",
        "fulfillable_quantity",
        "fulfillment_service",
        "gift_card",
        "requires_shipping",
        "taxable",
        "index",
        "total_discount",
        "pre_tax_price",
        "fulfillment_status",
        "_fivetran_synced",
    ),
    required=("order_id", "id", "price", "quantity"),
    key=("id",),
    outputs=_order_line_synced,
    checks=(
        Check("price", "money", v.money),
        Check("total_discount", "money", v.money),
        Check("quantity", "number", v.integer),
    ),
    description="A synced `order_line` table (load the order table first so lines get its time).",
)


def _customer_synced(rows: str) -> dict[str, str]:
    name = f"NULLIF(trim(concat_ws(' ', {v.text('first_name')}, {v.text('last_name')})), '')"
    return {
        "customers": f"""
        SELECT {customer_id("id")} AS source_customer_id, 'shopify' AS source, {v.email("email")} AS email,
               {name} AS name, {v.ts("created_at")} AS created_at, _source_row
        FROM {rows}"""
    }


SHOPIFY_CUSTOMER = Adapter(
    vendor="shopify",
    object="customer",
    shape="synced",
    signature=(
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "state",
        "orders_count",
        "total_spent",
        "created_at",
        "updated_at",
        "accepts_marketing",
        "tax_exempt",
        "verified_email",
        "default_address_id",
        "_fivetran_synced",
    ),
    required=("id", "email", "created_at"),
    key=("id",),
    outputs=_customer_synced,
    checks=(Check("created_at", "date", v.ts),),
    description="A synced `customer` table.",
)

ADAPTERS = (SHOPIFY_ORDERS, SHOPIFY_CUSTOMERS, SHOPIFY_ORDER, SHOPIFY_ORDER_LINE, SHOPIFY_CUSTOMER)
