"""Bluebird's web shop: the Shopify "Orders -> Export" CSV, one line per line item.

Order columns appear only on an order's first line (Name, Email, Created at and Id repeat on every
line, as in a real export); times are shop-local (America/New_York, so -0500 in winter and -0400 in
summer); billing zips keep their leading zeros.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.demo.people import People
from soloml.demo.simulate import DECLINING, DECLINING_ORDER_FACTOR, History, active_seconds
from soloml.demo.text import NEVER, choice, local_text, messy_emails, money_text

HEADER = [
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
]
LINE_COLUMNS = {
    "Name",
    "Email",
    "Created at",
    "Id",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Vendor",
    "Lineitem discount",
}

# (name, sku, price cents, vendor, taxable, requires shipping, weight)
PRODUCTS = (
    ("House Blend - 12oz", "BB-HOUSE-12", 1600, "Bluebird Coffee", False, True, 0.22),
    ("Ethiopia Yirgacheffe - 12oz", "BB-ETH-12", 1900, "Bluebird Coffee", False, True, 0.14),
    ("Colombia Huila - 12oz", "BB-COL-12", 1800, "Bluebird Coffee", False, True, 0.13),
    ("Sumatra Dark Roast - 12oz", "BB-SUM-12", 1800, "Bluebird Coffee", False, True, 0.1),
    ("Decaf Swiss Water - 12oz", "BB-DECAF-12", 1700, "Bluebird Coffee", False, True, 0.07),
    ("House Blend - 2lb", "BB-HOUSE-2LB", 3400, "Bluebird Coffee", False, True, 0.12),
    ("Cold Brew Pack (4)", "BB-COLD-4", 2400, "Bluebird Coffee", False, True, 0.08),
    ("Pour-Over Kit", "BB-POUR-KIT", 3900, "Hario", True, True, 0.05),
    ("Bluebird Mug", "BB-MUG", 1400, "Bluebird Coffee", True, True, 0.06),
    ("Gift Card $25", "BB-GIFT-25", 2500, "Bluebird Coffee", False, False, 0.03),
)
CODES = ("WELCOME10", "BLUEBIRD15", "SAVE20", "COFFEELOVER", "FREESHIP")
CODE_PERCENT = np.array([10, 15, 20, 15, 0])
SHIPPING_CENTS, FREE_SHIPPING_FROM, TAX_RATE = 599, 4000, 0.0625
HOLIDAY_BOOST = 1.35  # November and December gift buying


def make_orders(rng: np.random.Generator, people: People, history: History, month_starts: np.ndarray) -> pd.DataFrame:
    """The export as a frame of strings, newest order first."""
    months = len(month_starts) - 1
    exposure = active_seconds(people, history, month_starts)
    month_len = np.diff(month_starts)[None, :]
    factor = np.where(history.state == DECLINING, DECLINING_ORDER_FACTOR, 1.0)
    month_of_year = pd.to_datetime(month_starts[:-1], unit="s").month.to_numpy()
    season = np.where(np.isin(month_of_year, (11, 12)), HOLIDAY_BOOST, 1.0)[None, :]
    rate = (people.order_rate * people.shopper)[:, None] * factor * season * exposure / month_len
    counts = rng.poisson(rate)

    cell = np.repeat(np.arange(counts.size), counts.ravel())
    person, month = np.divmod(cell, months)
    lo = np.maximum(month_starts[month], people.join[person])
    width = exposure[person, month]
    created = lo + (rng.random(cell.size) * width).astype(np.int64)
    # a shop customer's history starts with their first order
    first_buyers = np.flatnonzero(people.shopper & (people.join < history.churn))
    person = np.concatenate([first_buyers, person])
    created = np.concatenate([people.join[first_buyers], created])
    order = np.argsort(created, kind="stable")
    person, created = person[order], created[order]
    return _export(rng, people, person, created, int(month_starts[-1]))


def _export(
    rng: np.random.Generator, people: People, person: np.ndarray, created: np.ndarray, end: int
) -> pd.DataFrame:
    n_orders = person.size
    lines_per = rng.choice((1, 2, 3), size=n_orders, p=[0.6, 0.28, 0.12])
    owner = np.repeat(np.arange(n_orders), lines_per)
    first = np.r_[True, owner[1:] != owner[:-1]] if owner.size else np.array([], dtype=bool)
    weights = np.array([p[6] for p in PRODUCTS])
    product = rng.choice(len(PRODUCTS), size=owner.size, p=weights / weights.sum())
    while True:  # a product appears once per order (more units are a quantity)
        again = pd.DataFrame({"o": owner, "p": product}).duplicated().to_numpy()
        if not again.any():
            break
        product[again] = rng.choice(len(PRODUCTS), size=int(again.sum()), p=weights / weights.sum())
    qty = np.where(rng.random(owner.size) < 0.15, 2, 1)
    price = np.array([p[2] for p in PRODUCTS])[product]
    taxable = np.array([p[4] for p in PRODUCTS])[product]
    line_cents = price * qty
    subtotal = np.bincount(owner, weights=line_cents, minlength=n_orders).astype(np.int64)
    taxable_cents = np.bincount(owner, weights=line_cents * taxable, minlength=n_orders).astype(np.int64)

    uses_code = np.where(people.discount_only[person], True, rng.random(n_orders) < 0.08)
    code = rng.integers(0, len(CODES), size=n_orders)
    pickup = rng.random(n_orders) < 0.05
    shipping = np.where(pickup | (subtotal >= FREE_SHIPPING_FROM), 0, SHIPPING_CENTS)
    discount = np.where(uses_code, np.where(CODE_PERCENT[code] > 0, subtotal * CODE_PERCENT[code] // 100, shipping), 0)
    taxes = np.round(taxable_cents * TAX_RATE).astype(np.int64)
    total = subtotal - discount + shipping + taxes

    status = choice(
        rng, ("paid", "refunded", "partially_refunded", "voided", "pending"), n_orders, [0.945, 0.02, 0.015, 0.01, 0.01]
    )
    recent = created > end - 3 * 86_400
    status = np.where(recent & (rng.random(n_orders) < 0.3), "pending", status)
    refunded = np.select(
        [status == "refunded", status == "partially_refunded"], [total, np.maximum(total // 4, 100)], 0
    )
    settled = np.isin(status, ("paid", "refunded", "partially_refunded"))
    paid_at = np.where(settled, created + rng.integers(2, 90, size=n_orders), NEVER)
    fulfilled_at = created + rng.integers(86_400 // 2, 3 * 86_400, size=n_orders)
    fulfilled = settled & (fulfilled_at < end)
    cancelled_at = np.where(status == "voided", created + rng.integers(600, 86_400, size=n_orders), NEVER)
    fulfilment = np.where(fulfilled, "fulfilled", np.where(status == "voided", "", "unfulfilled"))

    name = np.char.add("#", (1001 + np.arange(n_orders)).astype(str))
    order_id = (5_401_000_000_000 + np.cumsum(rng.integers(1_000, 90_000, size=n_orders))).astype(str)
    email = messy_emails(rng, people.shop_email[person], 0.05)
    email = np.where(rng.random(n_orders) < 0.01, "", email)  # the odd in-person sale with no email
    buyer = people.name[person]
    city = np.where(rng.random(n_orders) < 0.03, "", people.city[person])
    source = np.where(pickup, "pos", choice(rng, ("web", "shopify_draft_order"), n_orders, [0.95, 0.05]))
    ship_method = np.where(pickup, "Local Pickup", np.where(shipping == 0, "Free Shipping", "Standard Shipping"))
    notes = np.where(
        rng.random(n_orders) < 0.02,
        choice(rng, ("Please leave at the back door", "Gift - no receipt please", "Grind for espresso"), n_orders),
        "",
    )
    compare_at = np.where(rng.random(owner.size) < 0.1, money_text(price + 300), "")

    def per_order(values: np.ndarray) -> np.ndarray:
        return np.where(first, np.asarray(values)[owner], "")

    columns = {
        "Name": name[owner],
        "Email": email[owner],
        "Financial Status": per_order(status),
        "Paid at": per_order(local_text(paid_at)),
        "Fulfillment Status": per_order(fulfilment),
        "Fulfilled at": per_order(local_text(np.where(fulfilled, fulfilled_at, NEVER))),
        "Accepts Marketing": per_order(np.where(people.on_list[person], "yes", "no")),
        "Currency": per_order(np.full(n_orders, "USD")),
        "Subtotal": per_order(money_text(subtotal)),
        "Shipping": per_order(money_text(shipping)),
        "Taxes": per_order(money_text(taxes)),
        "Total": per_order(money_text(total)),
        "Discount Code": per_order(np.where(uses_code, np.asarray(CODES)[code], "")),
        "Discount Amount": per_order(money_text(discount)),
        "Shipping Method": per_order(ship_method),
        "Created at": local_text(created)[owner],
        "Lineitem quantity": qty.astype(str),
        "Lineitem name": np.asarray([p[0] for p in PRODUCTS])[product],
        "Lineitem price": money_text(price),
        "Lineitem compare at price": compare_at,
        "Lineitem sku": np.asarray([p[1] for p in PRODUCTS])[product],
        "Lineitem requires shipping": np.where(np.array([p[5] for p in PRODUCTS])[product], "true", "false"),
        "Lineitem taxable": np.where(taxable, "true", "false"),
        "Lineitem fulfillment status": np.where(fulfilled[owner], "fulfilled", "pending"),
        "Billing Name": per_order(buyer),
        "Billing City": per_order(city),
        "Billing Zip": per_order(people.zip[person]),
        "Billing Country": per_order(np.full(n_orders, "US")),
        "Shipping Name": per_order(np.where(pickup, "", buyer)),
        "Shipping City": per_order(np.where(pickup, "", city)),
        "Shipping Zip": per_order(np.where(pickup, "", people.zip[person])),
        "Shipping Country": per_order(np.where(pickup, "", "US")),
        "Notes": per_order(notes),
        "Cancelled at": per_order(local_text(cancelled_at)),
        "Payment Method": per_order(
            choice(rng, ("Shopify Payments", "PayPal Express Checkout"), n_orders, [0.83, 0.17])
        ),
        "Refunded Amount": per_order(money_text(refunded)),
        "Vendor": np.asarray([p[3] for p in PRODUCTS])[product],
        "Id": order_id[owner],
        "Tags": per_order(np.where(people.subscriber[person] & (rng.random(n_orders) < 0.5), "subscriber", "")),
        "Risk Level": per_order(choice(rng, ("Low", "Medium", "High"), n_orders, [0.965, 0.03, 0.005])),
        "Source": per_order(source),
        "Lineitem discount": np.full(owner.size, "0.00"),
        "Phone": per_order(people.phone[person]),
    }
    frame = pd.DataFrame({h: columns[h] for h in HEADER})
    frame["_order"] = -owner
    frame["_copy"] = 0
    frame["_line"] = np.arange(owner.size)
    # a few orders were exported twice (two overlapping date-range exports pasted together)
    again = np.flatnonzero(rng.random(n_orders) < 0.004)
    copies = frame[np.isin(owner, again)].assign(_copy=1)
    frame = pd.concat([frame, copies]).sort_values(["_order", "_copy", "_line"], kind="stable")
    return frame.drop(columns=["_order", "_copy", "_line"]).reset_index(drop=True)
