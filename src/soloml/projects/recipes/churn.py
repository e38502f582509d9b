"""Churn: which active customers will stop buying or cancel within the horizon.

Population at a cutoff: customers with a payment or an order in the 90 days before it, or a
subscription running at it, less those who had already left (every subscription over and nothing
bought since). Label (1 = churned): no subscription running at the end of the horizon, and either
no payment or order in the horizon or a subscription canceled in it.
"""

from __future__ import annotations

from soloml.projects.recipes.base import RecipeSQL

PAID = "('succeeded', 'refunded', 'partially_refunded', 'charged_back')"

# Running at the cutoff. A 'canceled' status whose cancellation is dated after the cutoff was not known yet.
ACTIVE_SUBSCRIPTION_AT = (
    "(s.status IN ('active', 'trialing', 'past_due') OR (s.status = 'canceled' AND s.canceled_at >= c.cutoff)) "
    "AND (s.canceled_at IS NULL OR s.canceled_at >= c.cutoff) AND (s.ended_at IS NULL OR s.ended_at >= c.cutoff)"
)

# A purchase: a paid charge or an order.
BOUGHT = f"""
    SELECT x.customer_id, x.paid_at AS at FROM core.payments x
     WHERE x.kind = 'charge' AND x.status IN {PAID} AND x.customer_id IS NOT NULL
    UNION ALL
    SELECT o.customer_id, o.ordered_at AS at FROM core.orders o WHERE o.customer_id IS NOT NULL
"""

# Candidates: bought in the 90 days before the cutoff, or a subscription running at it.
# Left out: customers who had already left by the cutoff (every subscription over, nothing bought
# since it ended) - they are not at risk any more, and keeping them lets a model "predict" the past.
POPULATION = f"""
SELECT a.customer_id AS entity_id, a.cutoff, a.customer_id, cu.email
FROM (
    SELECT c.cutoff, b.customer_id FROM {{cutoffs}} c JOIN ({BOUGHT}) b
      ON b.at < c.cutoff AND b.at >= c.cutoff - INTERVAL 90 DAY
    UNION
    SELECT c.cutoff, s.customer_id FROM {{cutoffs}} c JOIN core.subscriptions s
      ON s.started_at < c.cutoff AND s.valid_from <= c.cutoff AND (s.valid_to IS NULL OR s.valid_to > c.cutoff)
     WHERE s.customer_id IS NOT NULL AND {ACTIVE_SUBSCRIPTION_AT}
) a
LEFT JOIN core.customers cu ON cu.customer_id = a.customer_id
WHERE NOT EXISTS (
    SELECT 1 FROM (
        SELECT c.cutoff, s.customer_id, max(coalesce(s.ended_at, s.canceled_at)) AS left_at
          FROM {{cutoffs}} c JOIN core.subscriptions s
            ON s.is_current AND coalesce(s.ended_at, s.canceled_at) < c.cutoff
         GROUP BY ALL
    ) gone
    WHERE gone.customer_id = a.customer_id AND gone.cutoff = a.cutoff
      AND NOT EXISTS (
          SELECT 1 FROM core.subscriptions s, {{cutoffs}} c
           WHERE c.cutoff = a.cutoff AND s.customer_id = a.customer_id AND s.started_at < c.cutoff
             AND s.valid_from <= c.cutoff AND (s.valid_to IS NULL OR s.valid_to > c.cutoff)
             AND {ACTIVE_SUBSCRIPTION_AT})
      AND NOT EXISTS (
          SELECT 1 FROM ({BOUGHT}) b
           WHERE b.customer_id = a.customer_id AND b.at > gone.left_at + INTERVAL 1 DAY AND b.at < a.cutoff)
)
"""

# Churned (1): nothing running at the end of the horizon, and either nothing bought in it or a
# subscription canceled in it. A yearly subscriber who pays once a year is not churned.
LABEL = f"""
WITH bought AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN ({BOUGHT}) b
      ON b.customer_id = p.customer_id AND b.at > p.cutoff AND b.at <= p.cutoff + INTERVAL {{horizon}} DAY
),
canceled AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.subscriptions s
      ON s.customer_id = p.customer_id AND s.is_current
     AND s.canceled_at > p.cutoff AND s.canceled_at <= p.cutoff + INTERVAL {{horizon}} DAY
),
running_at_end AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.subscriptions s
      ON s.customer_id = p.customer_id AND s.is_current AND s.started_at <= p.cutoff + INTERVAL {{horizon}} DAY
     AND s.status IN ('active', 'trialing', 'past_due', 'canceled')
     AND (s.canceled_at IS NULL OR s.canceled_at > p.cutoff + INTERVAL {{horizon}} DAY)
     AND (s.ended_at IS NULL OR s.ended_at > p.cutoff + INTERVAL {{horizon}} DAY)
)
SELECT p.entity_id, p.cutoff,
       CASE WHEN r.entity_id IS NOT NULL THEN 0
            WHEN b.entity_id IS NULL OR k.entity_id IS NOT NULL THEN 1
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
    population_description="customers with a payment or order in the 90 days before the cutoff, or a running subscription, who had not already left",
    population_sql=POPULATION,
    label_sql=LABEL,
    today_rule_description="contact whoever has gone longest without a payment or order",
    today_rule_expression="coalesce(days_since_last_activity, 365)",
    feature_families=("tenure", "payments", "orders", "products", "subscriptions", "email", "crm", "deals"),
)
