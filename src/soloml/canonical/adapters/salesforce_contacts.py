"""Salesforce contacts and leads, from report exports and from the tables a sync tool lands -> core.contacts.

Ids keep Salesforce's own 003.../00Q... ids, so a converted lead and its contact are two records that identity
resolution joins by email. Leads are lifecycle 'lead' until converted, then 'salesqualifiedlead' with
stage_changed_at = the conversion date. The accounts and opportunities are in canonical/adapters/salesforce.py,
which lists these adapters with its own in `ADAPTERS`.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.crm import first, full_name, opt, rows_with_optional, us_ts

SOURCE = "salesforce"
SYNCED_DELETED = "lower(coalesce(is_deleted, 'false')) = 'true'"


def salesforce_id(expr: str) -> str:
    """A core id for a Salesforce record: 'salesforce:' and its own id."""
    return f"'{SOURCE}:' || {expr}"


def _contact_select(
    rows: str,
    *,
    id_col: str,
    created: str,
    lifecycle: str,
    lead_status: str,
    company: str,
    stage_changed: str = "NULL",
    changed: str = "NULL",
) -> str:
    name = first(opt("name"), opt("full_name"), full_name(opt("first_name"), opt("last_name")))
    return f"""
        SELECT {salesforce_id(v.text(id_col))} AS contact_id,
               '{SOURCE}' AS source,
               {v.email(opt("email"))} AS email,
               {name} AS name,
               {company} AS company,
               {lifecycle} AS lifecycle_stage,
               {lead_status} AS lead_status,
               {opt("lead_source")} AS lead_source,
               {created} AS created_at,
               {stage_changed} AS stage_changed_at,
               {v.text(id_col)} AS source_customer_id,
               {name} AS customer_name,
               {changed} AS _changed_at,
               _source_row
        FROM {rows_with_optional(rows)}
    """


def _converted(expr: str) -> str:
    return v.boolean(expr)


def _contacts_export(rows: str) -> dict[str, str]:
    return {
        "contacts": _contact_select(
            rows,
            id_col="contact_id",
            created=us_ts("created_date"),
            lifecycle="NULL",
            lead_status="NULL",
            company=opt("account_name"),
        )
    }


def _leads_export(rows: str) -> dict[str, str]:
    converted = f"coalesce({_converted(opt('converted'))}, false)"
    when = us_ts(opt("converted_date"))
    return {
        "contacts": _contact_select(
            rows,
            id_col="lead_id",
            created=us_ts("created_date"),
            lifecycle=f"CASE WHEN {converted} THEN 'salesqualifiedlead' ELSE 'lead' END",
            lead_status=opt("lead_status"),
            company=opt("company"),
            stage_changed=f"CASE WHEN {converted} THEN {when} END",
            changed=f"CASE WHEN {converted} THEN {when} END",
        )
    }


def _contact_synced(rows: str) -> dict[str, str]:
    return {
        "contacts": _contact_select(
            rows,
            id_col="id",
            created=v.ts("created_date"),
            lifecycle="NULL",
            lead_status=opt("contact_status_c"),
            company="NULL",
            changed=v.ts(opt("last_modified_date")),
        )
    }


def _lead_synced(rows: str) -> dict[str, str]:
    converted = f"coalesce({_converted(opt('is_converted'))}, false)"
    when = v.ts(opt("converted_date"))
    return {
        "contacts": _contact_select(
            rows,
            id_col="id",
            created=v.ts("created_date"),
            lifecycle=f"CASE WHEN {converted} THEN 'salesqualifiedlead' ELSE 'lead' END",
            lead_status=opt("status"),
            company=opt("company"),
            stage_changed=f"CASE WHEN {converted} THEN {when} END",
            changed=v.ts(opt("last_modified_date")),
        )
    }


SALESFORCE_CONTACTS = Adapter(
    vendor=SOURCE,
    object="contacts",
    shape="export",
    signature=(
        "Contact ID",
        "First Name",
        "Last Name",
        "Email",
        "Account Name",
        "Lead Source",
        "Created Date",
        "Title",
        "Phone",
        "Contact Owner",
    ),
    required=("Contact ID", "Created Date"),
    key=("contact_id",),
    outputs=_contacts_export,
    checks=(Check("created_date", "date", us_ts),),
    local_times=True,
    description="Contacts report export; dates month-first.",
)
SALESFORCE_LEADS = Adapter(
    vendor=SOURCE,
    object="leads",
    shape="export",
    signature=(
        "Lead ID",
        "First Name",
        "Last Name",
        "Email",
        "Company",
        "Lead Status",
        "Lead Source",
        "Created Date",
        "Converted",
        "Converted Date",
        "Lead Owner",
    ),
    required=("Lead ID", "Created Date"),
    key=("lead_id",),
    outputs=_leads_export,
    checks=(Check("created_date", "date", us_ts),),
    local_times=True,
    description="Leads report export; converted leads become sales-qualified.",
)
SALESFORCE_CONTACT = Adapter(
    vendor=SOURCE,
    object="contact",
    shape="synced",
    signature=(
        "id",
        "_fivetran_synced",
        "account_id",
        "created_date",
        "email",
        "first_name",
        "last_name",
        "name",
        "is_deleted",
        "last_modified_date",
        "lead_source",
        "mailing_country",
        "owner_id",
        "title",
    ),
    required=("id", "created_date", "is_deleted"),
    key=("id",),
    outputs=_contact_synced,
    checks=(Check("created_date", "date", v.ts),),
    exclude=SYNCED_DELETED,
    accepts=lambda sample: "is_converted" not in sample.columns,
    description="Synced contact table.",
)
SALESFORCE_LEAD = Adapter(
    vendor=SOURCE,
    object="lead",
    shape="synced",
    signature=(
        "id",
        "_fivetran_synced",
        "created_date",
        "email",
        "first_name",
        "last_name",
        "name",
        "company",
        "status",
        "lead_source",
        "is_converted",
        "converted_date",
        "converted_contact_id",
        "is_deleted",
    ),
    required=("id", "created_date", "is_converted", "is_deleted"),
    key=("id",),
    outputs=_lead_synced,
    checks=(Check("created_date", "date", v.ts),),
    exclude=SYNCED_DELETED,
    description="Synced lead table.",
)
