"""Spend: how much each customer will pay within the horizon (a regression target).

Population at a cutoff: customers who bought in the `population.active_within_days` (default 365)
before it, or every customer who ever bought (`population: all_customers`).
Label: money received in [cutoff, cutoff + horizon), in the settlement currency — charges net of
refunds and lost chargebacks (core.payments.net_settled), plus orders not already paid through a
recorded payment, net of their refunds.
"""

from __future__ import annotations

from soloml.projects.recipes.base import RecipeSQL, in_label_window
from soloml.projects.recipes.purchases import BUYERS_POPULATION, PAID, PAYMENT_NET

LABEL = f"""
WITH pay AS (
    SELECT p.entity_id, p.cutoff, sum({PAYMENT_NET}) AS amount
      FROM {{population}} p JOIN core.payments x
        ON x.customer_id = p.customer_id AND {in_label_window("x.paid_at")}
     WHERE x.kind = 'charge' AND x.status IN {PAID}
     GROUP BY p.entity_id, p.cutoff
),
ord AS (
    SELECT p.entity_id, p.cutoff, sum(o.total - coalesce(o.amount_refunded, 0)) AS amount
      FROM {{population}} p JOIN core.orders o
        ON o.customer_id = p.customer_id AND {in_label_window("o.ordered_at")}
     WHERE o.status IN ('paid', 'partially_refunded')
       AND o.order_id NOT IN (SELECT order_id FROM core.payments WHERE order_id IS NOT NULL)
     GROUP BY p.entity_id, p.cutoff
)
SELECT p.entity_id, p.cutoff, CAST(coalesce(pay.amount, 0) + coalesce(ord.amount, 0) AS DOUBLE) AS label
FROM {{population}} p
LEFT JOIN pay ON pay.entity_id = p.entity_id AND pay.cutoff = p.cutoff
LEFT JOIN ord ON ord.entity_id = p.entity_id AND ord.cutoff = p.cutoff
"""

RECIPE = RecipeSQL(
    name="spend",
    entity="customer",
    task="regression",
    label_definition="money paid within the horizon",
    population_description="customers who bought in the {active} before the cutoff",
    population_sql=BUYERS_POPULATION,
    label_sql=LABEL,
    today_rule_description="expect last year's biggest spenders to spend most",
    today_rule_expression="coalesce(revenue_365d, 0) + coalesce(order_value_365d, 0)",
    metric="rmse",
    feature_families=("tenure", "payments", "orders", "products", "subscriptions", "email", "crm", "deals"),
    active_within_days=365,
)
