"""The business's own ids for scored entities, so a list can be acted on without a join.

Next to soloml's `entity_id`: the source system (`source_system`, e.g. 'stripe' or a mapping's
source), that system's own id for the entity (`source_id`) and the email.

- customers (churn, buy_again, spend): the crosswalk `core.customer_identities`, preferring the
  customer's first source and a real id over an email standing in for one; the email from core.customers;
- contacts (conversion): the contact's source and its id without soloml's 'source:' prefix;
- table rows: the table's own entity column (when it has one) and a column named email, if any.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from soloml.projects.recipes import get_recipe
from soloml.projects.recipes.table import plan_table
from soloml.projects.spec import ProjectSpec
from soloml.sql_quoting import quote_literal
from soloml.temp_names import registered
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.tables import describe

BUSINESS_ID_COLUMNS = ("source_system", "source_id", "email")
WANTED = "_soloml_business_ids"
EMAIL_NAMES = ("email", "email_address", "customer_email")

CUSTOMERS = f"""
WITH ranked AS (
    SELECT i.customer_id, i.source, i.source_id,
           row_number() OVER (PARTITION BY i.customer_id ORDER BY (i.source = c.first_source) DESC NULLS LAST,
                              (i.source_id = i.email) ASC NULLS FIRST, i.source, i.source_id) AS n
    FROM core.customer_identities i JOIN {WANTED} w ON w.entity_id = i.customer_id
    LEFT JOIN core.customers c ON c.customer_id = i.customer_id
)
SELECT w.entity_id, r.source AS source_system, r.source_id, cu.email
FROM {WANTED} w
LEFT JOIN ranked r ON r.customer_id = w.entity_id AND r.n = 1
LEFT JOIN core.customers cu ON cu.customer_id = w.entity_id
"""

CONTACTS = f"""
SELECT w.entity_id, min(ct.source) AS source_system,
       min(CASE WHEN starts_with(ct.contact_id, ct.source || ':') THEN substr(ct.contact_id, length(ct.source) + 2) ELSE ct.contact_id END) AS source_id,
       min(ct.email) AS email
FROM {WANTED} w LEFT JOIN core.contacts ct ON ct.contact_id = w.entity_id AND ct.is_current
GROUP BY w.entity_id
"""


def business_ids(con: Connection, spec: ProjectSpec, entity_ids: Sequence[str]) -> pd.DataFrame:
    """entity_id plus BUSINESS_ID_COLUMNS for every id in `entity_ids` (NULL where the data has none), in the given order."""
    wanted = pd.DataFrame({"entity_id": pd.Series(list(entity_ids), dtype=object).astype(str)})
    with registered(con, wanted, "business_ids") as name:
        sql = (
            _table_sql(con, spec)
            if spec.recipe == "table"
            else (CONTACTS if get_recipe(spec.recipe).entity == "contact" else CUSTOMERS)
        )
        found = con.execute(sql.replace(WANTED, name)).fetchdf()  # WANTED is a placeholder in the SQL above
    found["entity_id"] = found["entity_id"].astype(str)
    found = found.drop_duplicates("entity_id")
    out = wanted.merge(found, on="entity_id", how="left")
    return out.loc[:, ["entity_id", *BUSINESS_ID_COLUMNS]].astype(object).where(out.notna(), None)


def _table_sql(con: Connection, spec: ProjectSpec) -> str:
    source = spec.source_table or ""
    plan = plan_table(con, source, spec.label.target or "", spec.cutoffs.time_column)
    if plan.entity_column is None:  # rows numbered by soloml: the table has no id of its own
        return f"SELECT entity_id, NULL AS source_system, NULL AS source_id, NULL AS email FROM {WANTED}"
    columns = [name for name, _ in describe(con, plan.relation)]
    email = next((c for c in columns if c.strip().lower().replace("-", "").replace(" ", "_") in EMAIL_NAMES), None)
    if email is None:
        return f"SELECT entity_id, {quote_literal(source)} AS source_system, entity_id AS source_id, NULL AS email FROM {WANTED}"
    return (
        f"SELECT w.entity_id, {quote_literal(source)} AS source_system, w.entity_id AS source_id, "
        f"min(CAST(t.{quote_ident(email)} AS VARCHAR)) AS email FROM {WANTED} w "
        f"LEFT JOIN {plan.relation} t ON CAST(t.{quote_ident(plan.entity_column)} AS VARCHAR) = w.entity_id GROUP BY w.entity_id"
    )
