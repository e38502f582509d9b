"""Salesforce: report exports (accounts, contacts, leads, opportunities) and the tables a sync tool
lands (account, contact, lead, opportunity, opportunity history).

- Contacts and leads -> core.contacts, in canonical/adapters/salesforce_contacts.py (listed in `ADAPTERS` here).
- Opportunities -> core.deals: Won / Closed flags (or a 'Closed Won' / 'Closed Lost' stage) close a deal;
  its Close Date is the close time only once closed. Amounts may be '$1,234.50' or 'USD 1,234.50' (the
  ISO prefix becomes the currency).
- Opportunity history (a history-mode sync: one row per version with _fivetran_start/_fivetran_end) ->
  core.deals versions, each dated by when Salesforce recorded it.
- Accounts land in raw.salesforce_accounts only: contacts and opportunities carry the account name, and
  an account is not a person who buys.
Report dates are US month-first ('1/15/2024', '1/15/2024 2:32 PM') in the org's time zone (settings
crm.timezone; UTC when it is not set, and the load report says so); synced tables are UTC. Deleted records
of synced tables are dropped and counted.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.crm import currency_prefix, first, opt, rows_with_optional, sf_money, us_ts
from soloml.canonical.adapters.salesforce_contacts import (
    SALESFORCE_CONTACT,
    SALESFORCE_CONTACTS,
    SALESFORCE_LEAD,
    SALESFORCE_LEADS,
    SOURCE,
    SYNCED_DELETED,
    salesforce_id,
)


def _deal_select(
    rows: str,
    *,
    id_col: str,
    name: str,
    amount: str,
    currency: str,
    stage: str,
    created: str,
    close_date: str,
    closed_flag: str,
    won_flag: str,
    changed: str = "NULL",
    where: str = "",
) -> str:
    low = f"lower(trim({stage}))"
    is_closed = f"coalesce({closed_flag}, {low} IN ('closed won', 'closed lost'))"
    won = f"coalesce({won_flag}, {low} = 'closed won')"
    return f"""
        SELECT {salesforce_id(v.text(id_col))} AS deal_id,
               '{SOURCE}' AS source,
               {name} AS name,
               {amount} AS amount,
               {currency} AS currency,
               {stage} AS stage,
               NULL AS pipeline,
               {created} AS created_at,
               CASE WHEN {is_closed} THEN {close_date} END AS closed_at,
               {is_closed} AS is_closed,
               CASE WHEN {is_closed} THEN {won} END AS won,
               {changed} AS _changed_at,
               _source_row
        FROM {rows_with_optional(rows)}
        {where}
    """


def _opportunities_export(rows: str) -> dict[str, str]:
    return {
        "deals": _deal_select(
            rows,
            id_col="opportunity_id",
            name=opt("opportunity_name"),
            amount=sf_money("amount"),
            currency=first(currency_prefix("amount"), f"upper({opt('opportunity_currency')})"),
            stage=v.text("stage"),
            created=us_ts("created_date"),
            close_date=us_ts(opt("close_date")),
            closed_flag=v.boolean(opt("closed")),
            won_flag=v.boolean(opt("won")),
        )
    }


def _opportunity_synced(rows: str) -> dict[str, str]:
    return {
        "deals": _deal_select(
            rows,
            id_col="id",
            name=opt("name"),
            amount=v.money(opt("amount")),
            currency=f"upper({opt('currency_iso_code')})",
            stage=v.text("stage_name"),
            created=v.ts("created_date"),
            close_date=v.ts(opt("close_date")),
            closed_flag=v.boolean(opt("is_closed")),
            won_flag=v.boolean(opt("is_won")),
            changed=v.ts(first(opt("last_modified_date"), opt("system_modstamp"))),
        )
    }


def _opportunity_history(rows: str) -> dict[str, str]:
    return {
        "deals": _deal_select(
            rows,
            id_col="id",
            name=opt("name"),
            amount=v.money(opt("amount")),
            currency=f"upper({opt('currency_iso_code')})",
            stage=v.text("stage_name"),
            created=v.ts("created_date"),
            close_date=v.ts(opt("close_date")),
            closed_flag=v.boolean(opt("is_closed")),
            won_flag=v.boolean(opt("is_won")),
            changed=v.ts("fivetran_start"),
            # one version per deal reaches core per load: the latest one, whatever the file's row order
            where=f"QUALIFY row_number() OVER (PARTITION BY {v.text('id')} ORDER BY {v.ts('fivetran_start')} DESC) = 1",
        )
    }


def _raw_only(rows: str) -> dict[str, str]:
    return {}


SALESFORCE_ACCOUNTS = Adapter(
    vendor=SOURCE,
    object="accounts",
    shape="export",
    signature=("Account ID", "Account Name", "Type", "Industry", "Billing Country", "Created Date", "Account Owner"),
    required=("Account ID", "Account Name"),
    key=("account_id",),
    outputs=_raw_only,
    accepts=lambda sample: "Opportunity ID" not in sample.columns and "Contact ID" not in sample.columns,
    local_times=True,
    description="Accounts report export: kept in raw.salesforce_accounts (contacts and deals carry the account name).",
)
SALESFORCE_OPPORTUNITIES = Adapter(
    vendor=SOURCE,
    object="opportunities",
    shape="export",
    signature=(
        "Opportunity ID",
        "Opportunity Name",
        "Account Name",
        "Amount",
        "Stage",
        "Close Date",
        "Created Date",
        "Won",
        "Closed",
        "Probability (%)",
        "Opportunity Owner",
    ),
    required=("Opportunity ID", "Stage", "Created Date"),
    key=("opportunity_id",),
    outputs=_opportunities_export,
    checks=(
        Check("created_date", "date", us_ts),
        Check("amount", "money", sf_money),
        Check("close_date", "date", us_ts),
    ),
    local_times=True,
    description="Opportunities report export: amounts '$1,234.50' or 'USD 1,234.50', dates month-first.",
)
SALESFORCE_ACCOUNT = Adapter(
    vendor=SOURCE,
    object="account",
    shape="synced",
    signature=(
        "_fivetran_synced",
        "account_number",
        "account_source",
        "annual_revenue",
        "billing_city",
        "billing_country",
        "id",
        "industry",
        "is_deleted",
        "name",
        "number_of_employees",
        "owner_id",
        "type",
        "website",
    ),
    required=("id", "name", "is_deleted"),
    key=("id",),
    outputs=_raw_only,
    description="Synced account table (raw only).",
)
_OPPORTUNITY_COLUMNS = (
    "_fivetran_synced",
    "account_id",
    "amount",
    "close_date",
    "created_date",
    "id",
    "is_closed",
    "is_deleted",
    "is_won",
    "name",
    "probability",
    "stage_name",
    "forecast_category",
)
SALESFORCE_OPPORTUNITY = Adapter(
    vendor=SOURCE,
    object="opportunity",
    shape="synced",
    signature=_OPPORTUNITY_COLUMNS,
    required=("id", "stage_name", "created_date", "is_deleted"),
    key=("id",),
    outputs=_opportunity_synced,
    checks=(Check("created_date", "date", v.ts), Check("amount", "money", v.money)),
    exclude=SYNCED_DELETED,
    accepts=lambda sample: "_fivetran_start" not in sample.columns,
    description="Synced opportunity table (amounts in major units).",
)
SALESFORCE_OPPORTUNITY_HISTORY = Adapter(
    vendor=SOURCE,
    object="opportunity_history",
    shape="synced",
    signature=("_fivetran_active", "_fivetran_start", "_fivetran_end", *_OPPORTUNITY_COLUMNS),
    required=("id", "stage_name", "created_date", "_fivetran_start", "is_deleted"),
    key=("id", "fivetran_start"),
    outputs=_opportunity_history,
    checks=(
        Check("created_date", "date", v.ts),
        Check("fivetran_start", "date", v.ts),
        Check("amount", "money", v.money),
    ),
    exclude=SYNCED_DELETED,
    description="History-mode opportunity table: one row per version -> deal stage history.",
)

ADAPTERS = (
    SALESFORCE_ACCOUNTS,
    SALESFORCE_CONTACTS,
    SALESFORCE_LEADS,
    SALESFORCE_OPPORTUNITIES,
    SALESFORCE_ACCOUNT,
    SALESFORCE_CONTACT,
    SALESFORCE_LEAD,
    SALESFORCE_OPPORTUNITY,
    SALESFORCE_OPPORTUNITY_HISTORY,
)
