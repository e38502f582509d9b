"""Churn: which active customers will stop buying or cancel within the horizon.

Population at a cutoff: customers who bought in the `population.active_within_days` (default 90)
before it, or every customer who ever bought (`population: all_customers`), or with a subscription
running at it, less those who had already left (every subscription over and nothing bought since).
Label (1 = churned): no subscription running at the end of the horizon, and either no payment or
order in the horizon or a subscription canceled in it. The horizon is [cutoff, cutoff + horizon).
"""

from __future__ import annotations

from soloml.projects.recipes.base import RecipeSQL, at_label_end, in_label_window
from soloml.projects.recipes.purchases import BOUGHT

# Running at the cutoff. A 'canceled' status whose cancellation is dated at or after the cutoff was not known yet.
ACTIVE_SUBSCRIPTION_AT = (
    "(s.status IN ('active', 'trialing', 'past_due') OR (s.status = 'canceled' AND s.canceled_at >= c.cutoff)) "
    "AND (s.canceled_at IS NULL OR s.canceled_at >= c.cutoff) AND (s.ended_at IS NULL OR s.ended_at >= c.cutoff)"
)

# Candidates: the buyers (see purchases.buyers), or a subscription running at the cutoff.
# Left out: customers who had already left by the cutoff (every subscription over, nothing bought
# since it ended) - they are not at risk any more, and keeping them lets a model "predict" the past.
POPULATION = f"""
SELECT a.customer_id AS entity_id, a.cutoff, a.customer_id, cu.email
FROM (
    {{buyers}}
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
         GROUP BY c.cutoff, s.customer_id
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
# subscription canceled in it. A yearly subscriber who pays once a year is not churned. A
# subscription runs through the horizon when it started before its end and was not canceled or
# ended before its end (a cancellation dated exactly at the end belongs to the next window).
END = at_label_end()
LABEL = f"""
WITH bought AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN ({BOUGHT}) b
      ON b.customer_id = p.customer_id AND {in_label_window("b.at")}
),
canceled AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.subscriptions s
      ON s.customer_id = p.customer_id AND s.is_current AND {in_label_window("s.canceled_at")}
),
running_at_end AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.subscriptions s
      ON s.customer_id = p.customer_id AND s.is_current AND s.started_at < {END}
     AND s.status IN ('active', 'trialing', 'past_due', 'canceled')
     AND (s.canceled_at IS NULL OR s.canceled_at >= {END})
     AND (s.ended_at IS NULL OR s.ended_at >= {END})
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
    population_description="customers who bought in the {active} before the cutoff, or with a running subscription, who had not already left",
    population_sql=POPULATION,
    label_sql=LABEL,
    today_rule_description="contact whoever has gone longest without a payment or order",
    today_rule_expression="coalesce(days_since_last_activity, 365)",
    feature_families=("tenure", "payments", "orders", "products", "subscriptions", "email", "crm", "deals"),
    active_within_days=90,
)
