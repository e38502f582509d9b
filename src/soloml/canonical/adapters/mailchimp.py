"""Mailchimp: audience exports (subscribed, unsubscribed, cleaned members) and the campaign activity export.

- Audience members -> core.contacts with lifecycle stage 'subscriber'; the contact id is Mailchimp's own
  subscriber hash (md5 of the lower-case email), so the three audience files and re-exports agree.
  `lead_status` says 'subscribed', 'unsubscribed' or 'cleaned'. Unsubscribed members also give an
  'unsubscribe' event at UNSUB_TIME and cleaned ones a 'bounce' event at CLEAN_TIME.
- Campaign activity (`Email Address,...,Campaign Title,Action,Timestamp,URL`) -> core.marketing_events.
  The export has no ids, so an event's id is a hash of email + campaign + action + timestamp (normalised:
  trimmed, lower-case email, canonical action, parsed time); duplicate rows collapse into one event, and
  the same unsubscribe seen in the activity and the audience export is one event.
Mailchimp writes every time in UTC ('2024-01-15 14:32:10').
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.crm import first, full_name, hashed_id, opt, rows_with_optional

SOURCE = "mailchimp"
ACTIONS = {
    "sent": "sent",
    "send": "sent",
    "delivered": "sent",
    "open": "open",
    "opened": "open",
    "click": "click",
    "clicked": "click",
    "bounce": "bounce",
    "bounced": "bounce",
    "hard bounce": "bounce",
    "soft bounce": "bounce",
    "hard_bounce": "bounce",
    "soft_bounce": "bounce",
    "unsubscribe": "unsubscribe",
    "unsubscribed": "unsubscribe",
    "unsub": "unsubscribe",
}
AUDIENCE_SIGNATURE = (
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
    "LEID",
    "EUID",
    "NOTES",
    "TAGS",
)


def action(c: str) -> str:
    return v.mapped(c, ACTIONS)  # 'Hard Bounce' -> 'hard_bounce': both spellings are keys


def event_id(email: str, campaign: str, event_type: str, occurred_at: str) -> str:
    """The id of a Mailchimp event: the same for the same email, campaign, action and time, however written."""
    when = f"strftime({occurred_at}, '%Y-%m-%d %H:%M:%S')"
    return hashed_id(f"{SOURCE}:", email, campaign, event_type, when)


def _member_id() -> str:
    return f"'{SOURCE}:' || md5({v.email('email_address')})"


def _audience(status: str, event: tuple[str, str, str] | None):
    """Outputs for an audience export; `event` = (event_type, time column, campaign column) it also implies."""

    def outputs(rows: str) -> dict[str, str]:
        name = full_name(opt("first_name"), opt("last_name"))
        created = v.ts(
            first(opt("confirm_time"), opt("optin_time"), opt("last_changed"), opt("unsub_time"), opt("clean_time"))
        )
        changed = v.ts(first(opt("last_changed"), opt("unsub_time"), opt("clean_time")))
        out = {
            "contacts": f"""
            SELECT {_member_id()} AS contact_id,
                   '{SOURCE}' AS source,
                   {v.email("email_address")} AS email,
                   {name} AS name,
                   'subscriber' AS lifecycle_stage,
                   '{status}' AS lead_status,
                   {created} AS created_at,
                   {v.email("email_address")} AS source_customer_id,
                   {name} AS customer_name,
                   upper({opt("cc")}) AS customer_country,
                   {changed} AS _changed_at,
                   _source_row
            FROM {rows_with_optional(rows)}
            """
        }
        if event:
            event_type, time_col, campaign_col = event
            email, campaign, when = v.email("email_address"), v.text(campaign_col), v.ts(time_col)
            out["marketing_events"] = f"""
            SELECT {event_id(email, campaign, v.lit(event_type), when)} AS event_id,
                   '{SOURCE}' AS source,
                   {email} AS email,
                   {campaign} AS campaign,
                   '{event_type}' AS event_type,
                   {when} AS occurred_at,
                   {email} AS source_customer_id,
                   _source_row
            FROM {rows}
            WHERE {when} IS NOT NULL
            """
        return out

    return outputs


def _activity(rows: str) -> dict[str, str]:
    email, campaign, kind, when = (
        v.email("email_address"),
        v.text("campaign_title"),
        action("action"),
        v.ts("timestamp"),
    )
    return {
        "marketing_events": f"""
        SELECT {event_id(email, campaign, kind, when)} AS event_id,
               '{SOURCE}' AS source,
               {email} AS email,
               {campaign} AS campaign,
               {kind} AS event_type,
               {when} AS occurred_at,
               {email} AS source_customer_id,
               {full_name(opt("first_name"), opt("last_name"))} AS customer_name,
               _source_row
        FROM {rows_with_optional(rows)}
        """
    }


def _lacks(*headers: str):
    return lambda sample: not any(h in sample.columns for h in headers)


def _has(header: str):
    return lambda sample: header in sample.columns


MAILCHIMP_MEMBERS = Adapter(
    vendor=SOURCE,
    object="members",
    shape="export",
    signature=(*AUDIENCE_SIGNATURE, "LAST_CHANGED"),
    required=("Email Address", "OPTIN_TIME", "CONFIRM_TIME", "LEID"),
    key=("email_address",),
    outputs=_audience("subscribed", None),
    accepts=_lacks("UNSUB_TIME", "CLEAN_TIME"),
    description="Audience export, subscribed members (Audience > Export > subscribed_members_export.csv).",
)
MAILCHIMP_UNSUBSCRIBED = Adapter(
    vendor=SOURCE,
    object="unsubscribed",
    shape="export",
    signature=(
        *AUDIENCE_SIGNATURE,
        "UNSUB_TIME",
        "UNSUB_CAMPAIGN_TITLE",
        "UNSUB_CAMPAIGN_ID",
        "UNSUB_REASON",
        "UNSUB_REASON_OTHER",
    ),
    required=("Email Address", "UNSUB_TIME"),
    key=("email_address",),
    outputs=_audience("unsubscribed", ("unsubscribe", "unsub_time", "unsub_campaign_title")),
    checks=(Check("unsub_time", "date", v.ts),),
    accepts=_has("UNSUB_TIME"),
    description="Audience export, unsubscribed members: contacts plus one unsubscribe event each.",
)
MAILCHIMP_CLEANED = Adapter(
    vendor=SOURCE,
    object="cleaned",
    shape="export",
    signature=(*AUDIENCE_SIGNATURE, "CLEAN_TIME", "CLEAN_CAMPAIGN_TITLE", "CLEAN_CAMPAIGN_ID"),
    required=("Email Address", "CLEAN_TIME"),
    key=("email_address",),
    outputs=_audience("cleaned", ("bounce", "clean_time", "clean_campaign_title")),
    checks=(Check("clean_time", "date", v.ts),),
    accepts=_has("CLEAN_TIME"),
    description="Audience export, cleaned (bounced) members: contacts plus one bounce event each.",
)
MAILCHIMP_ACTIVITY = Adapter(
    vendor=SOURCE,
    object="activity",
    shape="export",
    signature=("Email Address", "First Name", "Last Name", "Campaign Title", "Action", "Timestamp", "URL"),
    required=("Email Address", "Campaign Title", "Action", "Timestamp"),
    key=(),
    outputs=_activity,
    checks=(Check("timestamp", "date", v.ts), Check("action", "status", action)),
    description="Campaign activity export: one row per email per action (sent/open/click/bounce/unsubscribe).",
)

ADAPTERS = (MAILCHIMP_MEMBERS, MAILCHIMP_UNSUBSCRIBED, MAILCHIMP_CLEANED, MAILCHIMP_ACTIVITY)
