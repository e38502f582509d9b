"""Spend: how much each customer will pay within the horizon (a regression target).

Population at a cutoff: customers with a payment or order in the 365 days before it.
Label: money received in the horizon after the cutoff, in the settlement currency — charges net of
refunds and lost chargebacks (core.payments.net_settled), plus orders not already paid through a
recorded payment, net of their refunds.
"""

from __future__ import annotations

from soloml.projects.recipes.base import RecipeSQL

PAID = "('succeeded', 'refunded', 'partially_refunded', 'charged_back')"

POPULATION = f"""
SELECT a.customer_id AS entity_id, a.cutoff, a.customer_id, cu.email
FROM (
    SELECT c.cutoff, x.customer_id FROM {{cutoffs}} c JOIN core.payments x
      ON x.paid_at < c.cutoff AND x.paid_at >= c.cutoff - INTERVAL 365 DAY
     WHERE x.kind = 'charge' AND x.status IN {PAID} AND x.customer_id IS NOT NULL
    UNION
    SELECT c.cutoff, o.customer_id FROM {{cutoffs}} c JOIN core.orders o
      ON o.ordered_at < c.cutoff AND o.ordered_at >= c.cutoff - INTERVAL 365 DAY
     WHERE o.customer_id IS NOT NULL
) a
LEFT JOIN core.customers cu ON cu.customer_id = a.customer_id
"""

LABEL = f"""
WITH pay AS (
    SELECT p.entity_id, p.cutoff, sum(coalesce(x.net_settled, x.amount - coalesce(x.amount_refunded, 0))) AS amount
      FROM {{population}} p JOIN core.payments x
        ON x.customer_id = p.customer_id AND x.paid_at > p.cutoff AND x.paid_at <= p.cutoff + INTERVAL {{horizon}} DAY
     WHERE x.kind = 'charge' AND x.status IN {PAID}
     GROUP BY p.entity_id, p.cutoff
),
ord AS (
    SELECT p.entity_id, p.cutoff, sum(o.total - coalesce(o.amount_refunded, 0)) AS amount
      FROM {{population}} p JOIN core.orders o
        ON o.customer_id = p.customer_id AND o.ordered_at > p.cutoff AND o.ordered_at <= p.cutoff + INTERVAL {{horizon}} DAY
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
    population_description="customers with a payment or order in the 365 days before the cutoff",
    population_sql=POPULATION,
    label_sql=LABEL,
    today_rule_description="expect last year's biggest spenders to spend most",
    today_rule_expression="coalesce(revenue_365d, 0) + coalesce(order_value_365d, 0)",
    metric="rmse",
    feature_families=("tenure", "payments", "orders", "products", "subscriptions", "email", "crm", "deals"),
)
