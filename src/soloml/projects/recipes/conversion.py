"""Conversion: which open leads/contacts become paying customers (or win a deal) within the horizon.

Population at a cutoff: CRM contacts created before it whose stage at the cutoff is not
customer/evangelist (a 'customer' stage whose became_customer_at is after the cutoff was not
known yet) and who had not paid yet. Label (1 = converted): in [cutoff, cutoff + horizon) the
contact became a customer in the CRM, won a deal, or made a first payment.
"""

from __future__ import annotations

from soloml.canonical.schema import FIRST_PURCHASES
from soloml.projects.recipes.base import RecipeSQL, in_label_window

# When each person first paid anywhere: a charge, an order or a subscription past its trial (core.customers.first_purchase_at).
FIRST_PAID = f"SELECT customer_id, first_purchase_at AS first_paid_at FROM ({FIRST_PURCHASES})"

POPULATION = f"""
SELECT ct.contact_id AS entity_id, c.cutoff, ct.customer_id, ct.email
FROM {{cutoffs}} c
JOIN core.contacts ct ON ct.created_at < c.cutoff AND ct.valid_from <= c.cutoff AND (ct.valid_to IS NULL OR ct.valid_to > c.cutoff)
LEFT JOIN ({FIRST_PAID}) fp ON fp.customer_id = ct.customer_id
WHERE (coalesce(ct.lifecycle_stage, '') NOT IN ('customer', 'evangelist') OR ct.became_customer_at >= c.cutoff)
  AND (ct.became_customer_at IS NULL OR ct.became_customer_at >= c.cutoff)
  AND (fp.first_paid_at IS NULL OR fp.first_paid_at >= c.cutoff)
"""

LABEL = f"""
WITH became AS (
    SELECT contact_id, min(coalesce(became_customer_at, CASE WHEN lifecycle_stage = 'customer' THEN valid_from END)) AS at
      FROM core.contacts WHERE lifecycle_stage = 'customer' OR became_customer_at IS NOT NULL GROUP BY contact_id
),
won AS (
    SELECT DISTINCT p.entity_id, p.cutoff FROM {{population}} p JOIN core.deals d
      ON d.is_current AND d.won AND (d.contact_id = p.entity_id OR (p.customer_id IS NOT NULL AND d.customer_id = p.customer_id))
     AND {in_label_window("d.closed_at")}
)
SELECT p.entity_id, p.cutoff,
       CASE WHEN {in_label_window("b.at")} OR {in_label_window("fp.first_paid_at")}
              OR w.entity_id IS NOT NULL THEN 1 ELSE 0 END AS label
FROM {{population}} p
LEFT JOIN became b ON b.contact_id = p.entity_id
LEFT JOIN ({FIRST_PAID}) fp ON fp.customer_id = p.customer_id
LEFT JOIN won w ON w.entity_id = p.entity_id AND w.cutoff = p.cutoff
"""

RECIPE = RecipeSQL(
    name="conversion",
    entity="contact",
    task="binary",
    label_definition="became a paying customer or won a deal within the horizon",
    population_description="CRM contacts created before the cutoff who were not customers yet",
    population_sql=POPULATION,
    label_sql=LABEL,
    today_rule_description="call the leads most engaged with our emails in the last 90 days first",
    today_rule_expression="coalesce(email_clicks_90d, 0) * 3 + coalesce(email_opens_90d, 0)",
    feature_families=("crm", "email", "deals", "payments", "orders"),
)
