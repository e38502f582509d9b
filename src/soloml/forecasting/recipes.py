"""The business's own series from the core tables: revenue, orders, new customers and units sold.

    revenue        charges that went through, net of the part refunded, plus orders not paid through a
                   recorded payment (the spend recipe's definition), in one currency
    orders         orders placed, less voided and canceled ones
    new_customers  customers by the period of their first paid charge or order
    units          units on order lines, less voided and canceled orders

Each may be split `by` channel (the source system: shopify, square, stripe ...); units also by product or sku.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from soloml.canonical.schema import create_core_tables
from soloml.errors import ForecastError, did_you_mean
from soloml.forecasting.calendar import Coverage, Frequency
from soloml.forecasting.series import SeriesSet, Unit, shape_buckets
from soloml.warehouse.base import DATABASE_ERRORS, Connection

CoreSeries = Literal["revenue", "orders", "new_customers", "units"]
PAID = "('succeeded', 'refunded', 'partially_refunded')"
ORDER_PAID = "('paid', 'partially_refunded')"
ORDER_LIVE = "o.status NOT IN ('voided', 'canceled')"

# The money and currency revenue is counted in. When core.payments gains the settled amount
# (amount_settled / settlement_currency), change these two lines to forecast settled revenue.
PAYMENT_AMOUNT = "x.amount - coalesce(x.amount_refunded, 0)"
PAYMENT_CURRENCY = "x.currency"

REVENUE = f"""
SELECT x.paid_at AS t, CAST({PAYMENT_AMOUNT} AS DOUBLE) AS v, {PAYMENT_CURRENCY} AS currency, x.source AS channel
  FROM core.payments x WHERE x.kind = 'charge' AND x.status IN {PAID}
UNION ALL
SELECT o.ordered_at, CAST(o.total AS DOUBLE), o.currency, o.source
  FROM core.orders o WHERE o.status IN {ORDER_PAID}
   AND o.order_id NOT IN (SELECT order_id FROM core.payments WHERE order_id IS NOT NULL)
"""
ORDERS = f"SELECT o.ordered_at AS t, 1.0 AS v, o.source AS channel FROM core.orders o WHERE {ORDER_LIVE}"
NEW_CUSTOMERS = f"""
SELECT min(t) AS t, 1.0 AS v, arg_min(channel, t) AS channel FROM (
    SELECT customer_id, paid_at AS t, source AS channel FROM core.payments
     WHERE kind = 'charge' AND status IN {PAID} AND customer_id IS NOT NULL
    UNION ALL
    SELECT customer_id, ordered_at, source FROM core.orders WHERE status IN {ORDER_PAID} AND customer_id IS NOT NULL
) GROUP BY customer_id
"""
UNITS = f"""
SELECT coalesce(i.ordered_at, o.ordered_at) AS t, CAST(i.quantity AS DOUBLE) AS v, i.source AS channel, i.product, i.sku
  FROM core.order_items i LEFT JOIN core.orders o ON o.order_id = i.order_id
 WHERE o.order_id IS NULL OR {ORDER_LIVE}
"""

ACTIVITY = f"""
SELECT paid_at AS t FROM core.payments WHERE kind = 'charge' AND status IN {PAID}
UNION ALL SELECT ordered_at FROM core.orders WHERE status IN {ORDER_PAID}
"""


@dataclass(frozen=True)
class CoreRecipe:
    sql: str  # one row per event: t (timestamp), v (amount), channel and the other split columns
    unit: Unit
    splits: tuple[str, ...]
    source: str
    span: str | None = None  # rows whose first and last t bound the data (default: the recipe's own rows)


RECIPES: dict[str, CoreRecipe] = {
    "revenue": CoreRecipe(REVENUE, "money", ("channel",), "core.payments + core.orders"),
    "orders": CoreRecipe(ORDERS, "count", ("channel",), "core.orders"),
    # a first purchase dates the customer; the data still runs to the last purchase of anyone
    "new_customers": CoreRecipe(NEW_CUSTOMERS, "count", ("channel",), "core.payments + core.orders", span=ACTIVITY),
    "units": CoreRecipe(UNITS, "count", ("channel", "product", "sku"), "core.order_items"),
}
ALIASES = {"source": "channel"}


def core_series(
    con: Connection,
    kind: CoreSeries | str,
    *,
    frequency: Frequency = "month",
    by: tuple[str, ...] = (),
    currency: str = "USD",
) -> SeriesSet:
    """One of the business's series per period from core.*; `by` splits it (e.g. ('channel',))."""
    if kind not in RECIPES:
        raise ForecastError(
            f"There is no core series '{kind}'.{did_you_mean(kind, RECIPES)}",
            hint=f"Use one of: {', '.join(RECIPES)}, or series: table.",
        )
    recipe = RECIPES[kind]
    sql, unit, allowed, source = recipe.sql, recipe.unit, recipe.splits, recipe.source
    by = tuple(ALIASES.get(b, b) for b in by)
    for column in by:
        if column not in allowed:
            where = "Core tables have no location column; " if column == "location" else ""
            raise ForecastError(
                f"The {kind} series cannot be split by '{column}'.{did_you_mean(column, allowed)}",
                hint=f"{where}{kind} splits by {', '.join(allowed)}; for anything else forecast a table with --table and --by.",
            )
    try:
        create_core_tables(con)
    except DATABASE_ERRORS:
        pass  # read-only: the tables that exist are what we have
    notes: list[str] = []
    where = ""
    if unit == "money":
        where, notes = _one_currency(con, sql, currency)
    keys = ", ".join(f"CAST({b} AS VARCHAR) AS {b}" for b in by)
    rows = con.execute(
        f"SELECT {keys + ', ' if keys else ''}date_trunc('{frequency}', t) AS ds, sum(v) AS y FROM ({sql}) r "
        f"WHERE t IS NOT NULL {where} GROUP BY ALL"
    ).df()
    span = con.execute(
        f"SELECT min(t), max(t) FROM ({recipe.span or sql}) r WHERE t IS NOT NULL {'' if recipe.span else where}"
    ).fetchone()
    if rows.empty or span is None or span[0] is None:
        raise ForecastError(
            f"There is nothing to forecast: {source} hold no rows for {kind}.",
            hint="Load the exports that hold them (`soloml load`).",
        )
    rows["unique_id"] = rows[list(by)].fillna("(none)").astype(str).agg(" / ".join, axis=1) if by else kind
    buckets = rows[["unique_id", "ds", "y"]].assign(ds=lambda f: pd.to_datetime(f["ds"]))
    coverage = Coverage(pd.Timestamp(span[0]), pd.Timestamp(span[1]), has_time=True)
    return shape_buckets(
        buckets,
        frequency,
        events=True,
        coverage=coverage,
        name=kind,
        unit=unit,
        source=source,
        by=by,
        currency=currency if unit == "money" else None,
        notes=notes,
    )


def _one_currency(con: Connection, sql: str, currency: str) -> tuple[str, list[str]]:
    """Revenue is summed in one currency: the workspace's, or the most common one when it has none."""
    counts = dict(
        con.execute(
            f"SELECT upper(currency), count(*) FROM ({sql}) r WHERE t IS NOT NULL GROUP BY 1 ORDER BY 2 DESC"
        ).fetchall()
    )
    if not counts:
        return "", []
    chosen = currency.upper() if currency.upper() in counts else next(iter(counts))
    notes = []
    if chosen != currency.upper():
        notes.append(
            f"No revenue is in {currency.upper()} (the workspace currency); the series is in {chosen}, the most common."
        )
    others = {k: v for k, v in counts.items() if k != chosen}
    if others:
        listed = ", ".join(f"{v} in {k}" for k, v in others.items())
        notes.append(f"Left out payments and orders in other currencies ({listed}): revenue is in {chosen}.")
    return f"AND upper(currency) = '{chosen.replace(chr(39), '')}'", notes
