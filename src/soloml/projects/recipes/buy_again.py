"""Buy again: which customers will buy again (a payment or an order) within the horizon.

Repeat-purchase / next-purchase propensity, from any orders or payments: core tables filled by a
vendor adapter or by a mapped transaction file (`soloml map`). Population at a cutoff: customers
who bought in the `population.active_within_days` (default 365) before it, or every customer who
ever bought (`population: all_customers`, lapsed customers included). Label (1 = bought again):
a purchase in [cutoff, cutoff + horizon).
"""

from __future__ import annotations

from soloml.projects.recipes.base import RecipeSQL, in_label_window
from soloml.projects.recipes.purchases import BOUGHT, BUYERS_POPULATION

LABEL = f"""
WITH again AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN ({BOUGHT}) b
      ON b.customer_id = p.customer_id AND {in_label_window("b.at")}
)
SELECT p.entity_id, p.cutoff, CASE WHEN a.entity_id IS NULL THEN 0 ELSE 1 END AS label
FROM {{population}} p
LEFT JOIN again a ON a.entity_id = p.entity_id AND a.cutoff = p.cutoff
"""

RECIPE = RecipeSQL(
    name="buy_again",
    entity="customer",
    task="binary",
    label_definition="a payment or order within the horizon",
    population_description="customers who bought in the {active} before the cutoff",
    population_sql=BUYERS_POPULATION,
    label_sql=LABEL,
    today_rule_description="expect the most recent buyers to buy again first",
    today_rule_expression="365 - coalesce(days_since_last_activity, 365)",
    feature_families=("tenure", "payments", "orders", "products", "subscriptions", "email", "crm", "deals"),
    active_within_days=365,
)
