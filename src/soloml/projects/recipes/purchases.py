"""What a purchase is, in one place: the customer recipes (churn, buy_again, spend) all read these.

A purchase is a charge that went through (succeeded, later refunded, partly refunded or charged back) or an order.
Column names that another table may later provide (a customer's first purchase, a payment's amount
in the business's currency) are named once here so switching them is a one-line change.
"""

from __future__ import annotations

from soloml.projects.recipes.base import CUTOFFS_TABLE

PAID = "('succeeded', 'refunded', 'partially_refunded', 'charged_back')"

# Money a charge brought in, in the business's own currency, net of refunds and lost chargebacks (alias x = core.payments).
PAYMENT_NET = "coalesce(x.net_settled, x.amount - coalesce(x.amount_refunded, 0))"

# Every purchase as (customer_id, at).
BOUGHT = f"""
    SELECT x.customer_id, x.paid_at AS at FROM core.payments x
     WHERE x.kind = 'charge' AND x.status IN {PAID} AND x.customer_id IS NOT NULL
    UNION ALL
    SELECT o.customer_id, o.ordered_at AS at FROM core.orders o WHERE o.customer_id IS NOT NULL
"""

# Each buyer's first purchase as (customer_id, first_at).
FIRST_BOUGHT = f"SELECT b.customer_id, min(b.at) AS first_at FROM ({BOUGHT}) b GROUP BY b.customer_id"


# The population of buy_again and spend: the buyers at each cutoff ({buyers}, see `buyers`) with their email.
BUYERS_POPULATION = """
SELECT a.customer_id AS entity_id, a.cutoff, a.customer_id, cu.email
FROM ({buyers}) a
LEFT JOIN core.customers cu ON cu.customer_id = a.customer_id
"""


def buyers(active_within_days: int | None) -> str:
    """(cutoff, customer_id) for every customer who bought before each cutoff: within the
    `active_within_days` before it, or at any time before it when None (`population: all_customers`)."""
    if active_within_days is None:
        return f"SELECT c.cutoff, f.customer_id FROM {CUTOFFS_TABLE} c JOIN ({FIRST_BOUGHT}) f ON f.first_at < c.cutoff"
    return (
        f"SELECT DISTINCT c.cutoff, b.customer_id FROM {CUTOFFS_TABLE} c JOIN ({BOUGHT}) b "
        f"ON b.at < c.cutoff AND b.at >= c.cutoff - INTERVAL {int(active_within_days)} DAY"
    )
