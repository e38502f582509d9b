"""HubSpot: CRM exports (contacts, companies, deals) and the tables a sync tool lands (contact, deal,
deal_contact, deal_pipeline_stage, email_campaign, email_event and its open/click details).

- Contacts -> core.contacts. Lifecycle display names ('Marketing Qualified Lead') become HubSpot's
  internal ids ('marketingqualifiedlead'); custom stages become 'other'. A `Stripe Customer ID`
  property links the contact to that Stripe customer for identity resolution.
- Deals -> core.deals. 'Closed Won' / 'Closed Lost' (or closedwon / closedlost) close a deal; its
  Close Date is the close time only once closed (before that it is HubSpot's expected close date).
- Companies land in raw.hubspot_companies only: contacts already carry their Company Name, and a
  company is not a buyer of its own, so it does not become a customer.
- Synced email events -> core.marketing_events (SENT, OPEN, CLICK, BOUNCE and unsubscribes); other
  event kinds (DELIVERED, PROCESSED, DEFERRED, ...) and events HubSpot filtered as bots stay in raw only.
  Synced deals carry pipeline stage ids: with raw.hubspot_deal_pipeline_stage loaded (before or after) they
  get its labels; deal-contact links and campaign names stay in their raw tables for features to join.
Export timestamps ('2024-01-15 14:32') are in the portal's time zone (settings crm.timezone; UTC when it
is not set, and the load report says so); synced tables are UTC. Deleted records of synced tables are
dropped and counted.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.crm import first, full_name, lifecycle, opt, rows_with_optional

SOURCE = "hubspot"
DEAL_WON = ("closed won", "closedwon")
DEAL_LOST = ("closed lost", "closedlost")
EMAIL_EVENT_TYPES = {"sent": "sent", "open": "open", "click": "click", "bounce": "bounce"}


def _id(expr: str) -> str:
    return f"'{SOURCE}:' || {expr}"


def _company(expr: str) -> str:
    """'Lee Roasters (8123)' -> 'Lee Roasters': an Associated Company may carry the company's record id."""
    return f"NULLIF(trim(regexp_replace({expr}, '\\s*\\([0-9]+\\)\\s*$', '')), '')"


def _contacts_export(rows: str) -> dict[str, str]:
    stripe_id = opt("stripe_customer_id")
    return {
        "contacts": f"""
        SELECT {_id(v.text("record_id"))} AS contact_id,
               '{SOURCE}' AS source,
               {v.email(opt("email"))} AS email,
               {full_name(opt("first_name"), opt("last_name"))} AS name,
               {first(opt("company_name"), _company(opt("associated_company")))} AS company,
               {lifecycle(opt("lifecycle_stage"))} AS lifecycle_stage,
               {opt("lead_status")} AS lead_status,
               {opt("original_source")} AS lead_source,
               {v.crm_ts("create_date")} AS created_at,
               {v.crm_ts(opt("became_a_customer_date"))} AS became_customer_at,
               {v.text("record_id")} AS source_customer_id,
               {full_name(opt("first_name"), opt("last_name"))} AS customer_name,
               {first(opt("phone_number"), opt("mobile_phone_number"))} AS customer_phone,
               {first(opt("postal_code"), opt("zip"))} AS customer_zip,
               CASE WHEN {stripe_id} IS NOT NULL THEN 'stripe' END AS linked_source,
               {stripe_id} AS linked_source_id,
               _source_row
        FROM {rows_with_optional(rows)}
        """
    }


def _deal_flags(stage: str) -> tuple[str, str]:
    low = f"lower(trim({stage}))"
    won = ", ".join(v.lit(s) for s in DEAL_WON)
    lost = ", ".join(v.lit(s) for s in DEAL_LOST)
    is_closed = f"({low} IN ({won}, {lost}))"
    is_won = f"(CASE WHEN {low} IN ({won}) THEN true WHEN {low} IN ({lost}) THEN false END)"
    return is_closed, is_won


def _associated_contact_id(expr: str) -> str:
    """'Ann Lee (123)' / '123' / '123;456' -> '123' (the first id)."""
    return f"NULLIF(regexp_extract({expr}, '(^|\\()([0-9]+)', 2), '')"


def _deals_export(rows: str) -> dict[str, str]:
    is_closed, won = _deal_flags(v.text("deal_stage"))
    assoc = first(opt("associated_contact"), opt("associated_contact_ids"), opt("associated_contact_id"))
    assoc_id = _associated_contact_id(assoc)
    return {
        "deals": f"""
        SELECT {_id(v.text("record_id"))} AS deal_id,
               '{SOURCE}' AS source,
               CASE WHEN {assoc_id} IS NOT NULL THEN {_id(assoc_id)} END AS contact_id,
               {opt("deal_name")} AS name,
               {v.money("amount")} AS amount,
               upper({first(opt("currency"), opt("deal_currency_code"))}) AS currency,
               {v.text("deal_stage")} AS stage,
               {opt("pipeline")} AS pipeline,
               {v.crm_ts("create_date")} AS created_at,
               CASE WHEN {is_closed} THEN {v.crm_ts(opt("close_date"))} END AS closed_at,
               {is_closed} AS is_closed,
               {won} AS won,
               {assoc_id} AS source_customer_id,
               lower(NULLIF(regexp_extract({assoc}, '[^\\s(<;]+@[^\\s)>;]+'), '')) AS email,
               {v.crm_ts(opt("last_modified_date"))} AS _changed_at,
               _source_row
        FROM {rows_with_optional(rows)}
        """
    }


def _contact_synced(rows: str) -> dict[str, str]:
    email = v.email(first(opt("property_email"), opt("property_email_1")))
    name = full_name(opt("property_firstname"), opt("property_lastname"))
    created = v.ts(first(opt("property_createdate"), opt("property_created_at"), opt("fivetran_synced")))
    return {
        "contacts": f"""
        SELECT {_id(v.text("id"))} AS contact_id,
               '{SOURCE}' AS source,
               {email} AS email,
               {name} AS name,
               {opt("property_company")} AS company,
               {lifecycle(opt("property_lifecyclestage"))} AS lifecycle_stage,
               {opt("property_hs_lead_status")} AS lead_status,
               {opt("property_hs_analytics_source")} AS lead_source,
               {created} AS created_at,
               {v.ts(opt("property_hs_lifecyclestage_customer_date"))} AS became_customer_at,
               {v.text("id")} AS source_customer_id,
               {name} AS customer_name,
               {v.ts(opt("property_lastmodifieddate"))} AS _changed_at,
               _source_row
        FROM {rows_with_optional(rows)}
        """
    }


STAGES = "_soloml_lookup_deal_stages"  # raw.hubspot_deal_pipeline_stage when loaded (see `lookups`)


def _deal_synced(rows: str) -> dict[str, str]:
    stage = first(opt("deal_pipeline_stage_id"), opt("property_dealstage"))
    named_closed, named_won = _deal_flags(stage)
    # the pipeline-stage table knows custom stages: its label, and whether the stage closes (and wins) the deal
    is_closed = f"coalesce({v.boolean('s.is_closed')}, {named_closed})"
    won = f"(CASE WHEN {v.boolean('s.is_closed')} THEN {v.boolean('s.closed_won')} ELSE {named_won} END)"
    return {
        "deals": f"""
        SELECT {_id(v.text("r.deal_id"))} AS deal_id,
               '{SOURCE}' AS source,
               {opt("property_dealname")} AS name,
               {v.money(opt("property_amount"))} AS amount,
               upper({opt("property_deal_currency_code")}) AS currency,
               coalesce({v.text("s.label")}, {stage}, 'unknown') AS stage,
               {opt("deal_pipeline_id")} AS pipeline,
               {v.ts("r.property_createdate")} AS created_at,
               CASE WHEN {is_closed} THEN {v.ts(opt("property_closedate"))} END AS closed_at,
               {is_closed} AS is_closed,
               {won} AS won,
               r._source_row
        FROM {rows_with_optional(rows)} r LEFT JOIN {STAGES} s ON s.stage_id = {stage}
        """
    }


def _relabel_deals(rows: str) -> tuple[str, ...]:
    """Deals loaded before their pipeline stages carry stage ids: give every version its stage's label."""
    return (
        f"""
        UPDATE core.deals d SET stage = {v.text("r.label")}
        FROM {rows} r WHERE d.source = '{SOURCE}' AND d.stage = {v.text("r.stage_id")} AND {v.text("r.label")} IS NOT NULL
        """,
    )


def _email_event_synced(rows: str) -> dict[str, str]:
    kind = f"lower(trim({v.text('type')}))"
    whens = " ".join(f"WHEN {v.lit(k)} THEN {v.lit(t)}" for k, t in EMAIL_EVENT_TYPES.items())
    unsub = f"(lower(coalesce({opt('subscriptions')}, '')) LIKE '%unsubscribed%')"
    event_type = (
        f"(CASE WHEN {kind} = 'statuschange' AND {unsub} THEN 'unsubscribe' ELSE (CASE {kind} {whens} END) END)"
    )
    campaign = opt("email_campaign_id")
    return {
        "marketing_events": f"""
        SELECT {_id(v.text("id"))} AS event_id,
               '{SOURCE}' AS source,
               {v.email("recipient")} AS email,
               CASE WHEN {campaign} IS NOT NULL THEN 'hubspot campaign ' || {campaign} END AS campaign,
               {event_type} AS event_type,
               {v.ts("created")} AS occurred_at,
               _source_row
        FROM {rows_with_optional(rows)}
        WHERE {event_type} IS NOT NULL AND lower(coalesce({opt("filtered_event")}, 'false')) <> 'true'
        """
    }


def _raw_only(rows: str) -> dict[str, str]:
    return {}


HUBSPOT_CONTACTS = Adapter(
    vendor=SOURCE,
    object="contacts",
    shape="export",
    signature=(
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Lifecycle Stage",
        "Lead Status",
        "Contact owner",
        "Create Date",
        "Last Activity Date",
        "Company Name",
        "Original Source",
        "Stripe Customer ID",
        "Associated Company",
    ),
    required=("Record ID", "Email", "Create Date"),
    key=("record_id",),
    outputs=_contacts_export,
    checks=(Check("create_date", "date", v.crm_ts),),
    local_times=True,
    description="Contacts export (Contacts > Export): one row per contact, lifecycle stage as display names, "
    "times in the portal's zone.",
)
HUBSPOT_COMPANIES = Adapter(
    vendor=SOURCE,
    object="companies",
    shape="export",
    signature=(
        "Record ID",
        "Company name",
        "Company Domain Name",
        "Create Date",
        "Company owner",
        "Industry",
        "Phone Number",
        "Country/Region",
        "City",
        "Number of Employees",
        "Annual Revenue",
        "Lifecycle Stage",
    ),
    required=("Record ID", "Company name"),
    key=("record_id",),
    outputs=_raw_only,
    local_times=True,
    accepts=lambda sample: "Company Domain Name" in sample.columns or "Email" not in sample.columns,
    description="Companies export: kept in raw.hubspot_companies (contacts carry their company name).",
)
HUBSPOT_DEALS = Adapter(
    vendor=SOURCE,
    object="deals",
    shape="export",
    signature=(
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Amount",
        "Close Date",
        "Create Date",
        "Pipeline",
        "Deal owner",
        "Associated Contact",
    ),
    required=("Record ID", "Deal Stage", "Amount", "Create Date"),
    key=("record_id",),
    outputs=_deals_export,
    checks=(Check("amount", "money", v.money), Check("create_date", "date", v.crm_ts)),
    local_times=True,
    description="Deals export: one row per deal; Closed Won / Closed Lost close it; times in the portal's zone.",
)
HUBSPOT_CONTACT = Adapter(
    vendor=SOURCE,
    object="contact",
    shape="synced",
    signature=(
        "_fivetran_deleted",
        "_fivetran_synced",
        "id",
        "property_email",
        "property_firstname",
        "property_lastname",
        "property_company",
        "property_createdate",
        "property_lifecyclestage",
    ),
    required=("id", "_fivetran_deleted"),
    key=("id",),
    outputs=_contact_synced,
    exclude="lower(coalesce(fivetran_deleted, 'false')) = 'true'",
    description="Synced contact table: properties as property_* columns.",
)
HUBSPOT_DEAL = Adapter(
    vendor=SOURCE,
    object="deal",
    shape="synced",
    signature=(
        "deal_id",
        "is_deleted",
        "deal_pipeline_id",
        "deal_pipeline_stage_id",
        "owner_id",
        "portal_id",
        "property_dealname",
        "property_amount",
        "property_closedate",
        "property_createdate",
    ),
    required=("deal_id", "is_deleted", "property_createdate"),
    key=("deal_id",),
    outputs=_deal_synced,
    checks=(Check("property_createdate", "date", v.ts),),
    exclude="lower(coalesce(is_deleted, 'false')) = 'true'",
    lookups={"deal_stages": ("raw.hubspot_deal_pipeline_stage", ("stage_id", "label", "is_closed", "closed_won"))},
    description="Synced deal table; stage ids become the pipeline-stage table's labels (and closed / won flags) "
    "when that table is loaded.",
)
HUBSPOT_DEAL_CONTACT = Adapter(
    vendor=SOURCE,
    object="deal_contact",
    shape="synced",
    signature=("contact_id", "deal_id", "_fivetran_synced", "type_id", "category"),
    required=("contact_id", "deal_id"),
    key=("deal_id", "contact_id"),
    outputs=_raw_only,
    description="Synced deal-contact associations (raw only).",
)
HUBSPOT_DEAL_PIPELINE_STAGE = Adapter(
    vendor=SOURCE,
    object="deal_pipeline_stage",
    shape="synced",
    signature=(
        "_fivetran_deleted",
        "_fivetran_synced",
        "active",
        "closed_won",
        "is_closed",
        "display_order",
        "probability",
        "stage_id",
        "label",
        "pipeline_id",
        "created_at",
        "updated_at",
    ),
    required=("stage_id", "label", "pipeline_id"),
    key=("stage_id",),
    outputs=_raw_only,
    after=_relabel_deals,
    description="Synced pipeline stages: labels for deal stage ids; deals already loaded get their stage's label.",
)
HUBSPOT_EMAIL_CAMPAIGN = Adapter(
    vendor=SOURCE,
    object="email_campaign",
    shape="synced",
    signature=(
        "id",
        "_fivetran_synced",
        "app_id",
        "content_id",
        "num_included",
        "num_queued",
        "sub_type",
        "type",
        "app_name",
        "name",
        "subject",
    ),
    required=("id", "app_id", "name"),
    key=("id",),
    outputs=_raw_only,
    description="Synced email campaigns: names for campaign ids (raw only).",
)
HUBSPOT_EMAIL_EVENT = Adapter(
    vendor=SOURCE,
    object="email_event",
    shape="synced",
    signature=(
        "id",
        "_fivetran_synced",
        "app_id",
        "caused_by_created",
        "caused_by_id",
        "created",
        "email_campaign_id",
        "obsoleted_by_created",
        "obsoleted_by_id",
        "portal_id",
        "sent_by_created",
        "sent_by_id",
        "type",
        "filtered_event",
        "recipient",
    ),
    required=("id", "created", "type", "recipient"),
    key=("id",),
    outputs=_email_event_synced,
    checks=(Check("created", "date", v.ts),),
    description="Synced email events: SENT/OPEN/CLICK/BOUNCE -> marketing events.",
)
HUBSPOT_EMAIL_EVENT_OPEN = Adapter(
    vendor=SOURCE,
    object="email_event_open",
    shape="synced",
    signature=("id", "_fivetran_synced", "duration", "browser", "ip_address", "location", "user_agent"),
    required=("id", "duration", "user_agent"),
    key=("id",),
    outputs=_raw_only,
    description="Synced open details (raw only; the open itself comes from email_event).",
)
HUBSPOT_EMAIL_EVENT_CLICK = Adapter(
    vendor=SOURCE,
    object="email_event_click",
    shape="synced",
    signature=("id", "_fivetran_synced", "referer", "browser", "location", "ip_address", "url", "user_agent"),
    required=("id", "url", "user_agent"),
    key=("id",),
    outputs=_raw_only,
    description="Synced click details (raw only; the click itself comes from email_event).",
)

ADAPTERS = (
    HUBSPOT_CONTACTS,
    HUBSPOT_COMPANIES,
    HUBSPOT_DEALS,
    HUBSPOT_CONTACT,
    HUBSPOT_DEAL,
    HUBSPOT_DEAL_CONTACT,
    HUBSPOT_DEAL_PIPELINE_STAGE,
    HUBSPOT_EMAIL_CAMPAIGN,
    HUBSPOT_EMAIL_EVENT,
    HUBSPOT_EMAIL_EVENT_OPEN,
    HUBSPOT_EMAIL_EVENT_CLICK,
)
