"""Churn: which active customers will stop buying or cancel within the horizon.

Population at a cutoff: customers with a payment or an order in the 90 days before it, or a
subscription running at it. Label (1 = churned): no payment and no order in the horizon after
the cutoff, or a subscription canceled in the horizon with none running at its end.
"""

from __future__ import annotations

from soloml.projects.recipes.base import RecipeSQL

PAID = "('succeeded', 'refunded', 'partially_refunded')"

# Running at the cutoff. A 'canceled' status whose cancellation is dated after the cutoff was not known yet.
ACTIVE_SUBSCRIPTION_AT = (
    "(s.status IN ('active', 'trialing', 'past_due') OR (s.status = 'canceled' AND s.canceled_at >= c.cutoff)) "
    "AND (s.canceled_at IS NULL OR s.canceled_at >= c.cutoff) AND (s.ended_at IS NULL OR s.ended_at >= c.cutoff)"
)

POPULATION = f"""
SELECT a.customer_id AS entity_id, a.cutoff, a.customer_id, cu.email
FROM (
    SELECT c.cutoff, x.customer_id FROM {{cutoffs}} c JOIN core.payments x
      ON x.paid_at < c.cutoff AND x.paid_at >= c.cutoff - INTERVAL 90 DAY
     WHERE x.kind = 'charge' AND x.status IN {PAID} AND x.customer_id IS NOT NULL
    UNION
    SELECT c.cutoff, o.customer_id FROM {{cutoffs}} c JOIN core.orders o
      ON o.ordered_at < c.cutoff AND o.ordered_at >= c.cutoff - INTERVAL 90 DAY
     WHERE o.customer_id IS NOT NULL
    UNION
    SELECT c.cutoff, s.customer_id FROM {{cutoffs}} c JOIN core.subscriptions s
      ON s.started_at < c.cutoff AND s.valid_from <= c.cutoff AND (s.valid_to IS NULL OR s.valid_to > c.cutoff)
     WHERE s.customer_id IS NOT NULL AND {ACTIVE_SUBSCRIPTION_AT}
) a
LEFT JOIN core.customers cu ON cu.customer_id = a.customer_id
"""

LABEL = f"""
WITH bought AS (
    SELECT p.entity_id, p.cutoff FROM {{population}} p JOIN core.payments x
      ON x.customer_id = p.customer_id AND x.paid_at > p.cutoff AND x.paid_at <= p.cutoff + INTERVAL {{horizon}} DAY
     WHERE x.kind = 'charge' AND x.status IN {PAID}
    UNION
    SELECT p.entity_id, p.cutoff FROM {{population}} p JOIN core.orders o
      ON o.customer_id = p.customer_id AND o.ordered_at > p.cutoff AND o.ordered_at <= p.cutoff + INTERVAL {{horizon}} DAY
),
canceled AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.subscriptions s
      ON s.customer_id = p.customer_id AND s.is_current
     AND s.canceled_at > p.cutoff AND s.canceled_at <= p.cutoff + INTERVAL {{horizon}} DAY
),
running_at_end AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.subscriptions s
      ON s.customer_id = p.customer_id AND s.is_current AND s.started_at <= p.cutoff + INTERVAL {{horizon}} DAY
     AND (s.canceled_at IS NULL OR s.canceled_at > p.cutoff + INTERVAL {{horizon}} DAY)
     AND (s.ended_at IS NULL OR s.ended_at > p.cutoff + INTERVAL {{horizon}} DAY)
)
SELECT p.entity_id, p.cutoff,
       CASE WHEN b.entity_id IS NULL THEN 1
            WHEN k.entity_id IS NOT NULL AND r.entity_id IS NULL THEN 1
            ELSE 0 END AS label
FROM {{population}} p
LEFT JOIN bought b ON b.entity_id = p.entity_id AND b.cutoff = p.cutoff
LEFT JOIN canceled k ON k.entity_id = p.entity_id AND k.cutoff = p.cutoff
LEFT JOIN running_at_end r ON r.entity_id = p.entity_id AND r.cutoff = p.cutoff
"""

RECIPE = RecipeSQL(
    name="churn",
    entity="customer",
    task="binary",
    label_definition="no payment or order, or a subscription canceled, within the horizon",
    population_description="customers with a payment or order in the 90 days before the cutoff, or a running subscription",
    population_sql=POPULATION,
    label_sql=LABEL,
    today_rule_description="contact whoever has gone longest without a payment or order",
    today_rule_expression="coalesce(days_since_last_activity, 365)",
    feature_families=("tenure", "payments", "orders", "products", "subscriptions", "email", "crm", "deals"),
)
