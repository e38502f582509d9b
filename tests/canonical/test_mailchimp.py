"""Mailchimp audience and campaign activity exports land as contacts and marketing events, duplicates collapsed."""

from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canonical.crm_helpers import CRM, load, query, record
from soloml.canonical.ingest import detect
from soloml.errors import AdapterError


def member_id(email: str) -> str:
    """Mailchimp's own subscriber hash: md5 of the lower-case email."""
    return "mailchimp:" + hashlib.md5(email.lower().encode()).hexdigest()


@pytest.mark.parametrize(
    ("file", "vendor_object"),
    [
        ("mailchimp_subscribed.csv", "mailchimp.members"),
        ("mailchimp_unsubscribed.csv", "mailchimp.unsubscribed"),
        ("mailchimp_cleaned.csv", "mailchimp.cleaned"),
        ("mailchimp_activity.csv", "mailchimp.activity"),
    ],
)
def test_each_mailchimp_export_is_detected_as_its_object(file, vendor_object):
    frame = pd.read_csv(CRM / file, dtype=str, keep_default_na=False)
    detection = detect(list(frame.columns), frame, None)
    assert detection is not None and detection.vendor_object == vendor_object


def test_activity_export_lands_one_event_per_email_campaign_action_and_time(con):
    result = load(con, "mailchimp_activity.csv")
    assert result.rows_loaded + result.rows_skipped == 8
    assert query(
        con, "SELECT email, campaign, event_type, occurred_at FROM core.marketing_events ORDER BY occurred_at, email"
    ) == [
        ("ann.lee@example.com", "January Roast", "sent", datetime(2024, 1, 15, 14, 32, 10)),
        ("bob@example.org", "January Roast", "sent", datetime(2024, 1, 15, 14, 32, 10)),
        ("bob@example.org", "January Roast", "bounce", datetime(2024, 1, 15, 14, 33)),
        ("ann.lee@example.com", "January Roast", "open", datetime(2024, 1, 15, 16, 1)),
        (
            "ann.lee@example.com",
            "January Roast",
            "click",
            datetime(2024, 1, 15, 16, 2, 30),
        ),  # twice in the file, once here
        ("cara+news@gmail.com", "February Beans", "sent", datetime(2024, 2, 12, 9)),
        ("cara+news@gmail.com", "February Beans", "unsubscribe", datetime(2024, 2, 13, 18, 20, 45)),
    ]


def test_event_ids_do_not_depend_on_email_case_or_spaces(con):
    load(con, "mailchimp_activity.csv")  # row 3 is ' Ann.Lee@Example.com', row 4 the same click in lower case
    assert query(
        con,
        "SELECT count(*), count(DISTINCT customer_id) FROM core.marketing_events WHERE email = 'ann.lee@example.com'",
    ) == [(3, 1)]
    assert all(e.startswith("mailchimp:") for (e,) in query(con, "SELECT event_id FROM core.marketing_events"))


def test_reloading_a_changed_activity_export_adds_only_the_new_events(con, tmp_path):
    load(con, "mailchimp_activity.csv")
    more = (CRM / "mailchimp_activity.csv").read_text(
        encoding="utf-8"
    ) + "bob@example.org,Bob,,February Beans,sent,2024-02-12 09:00:00,\n"
    (tmp_path / "activity_feb.csv").write_text(more, encoding="utf-8")
    load(con, tmp_path / "activity_feb.csv")
    assert query(con, "SELECT count(*) FROM core.marketing_events") == [(8,)]


ACTIONS = [
    ("sent", "sent"),
    ("open", "open"),
    ("Opened", "open"),
    ("click", "click"),
    ("bounce", "bounce"),
    ("Hard Bounce", "bounce"),
    ("unsubscribe", "unsubscribe"),
    ("Unsubscribed", "unsubscribe"),
]


def test_actions_become_canonical_event_types(con, tmp_path):
    lines = [f"a{i}@x.com,A,B,Promo,{action},2024-01-15 14:32:10," for i, (action, _) in enumerate(ACTIONS)]
    (tmp_path / "act.csv").write_text(
        "Email Address,First Name,Last Name,Campaign Title,Action,Timestamp,URL\n" + "\n".join(lines) + "\n",
        encoding="utf-8",
    )
    load(con, tmp_path / "act.csv")
    got = dict(query(con, "SELECT email, event_type FROM core.marketing_events"))
    assert [got[f"a{i}@x.com"] for i in range(len(ACTIONS))] == [event_type for _, event_type in ACTIONS]


def test_unknown_action_is_quarantined_with_the_value_and_the_rest_loads(con, tmp_path):
    text = (CRM / "mailchimp_activity.csv").read_text(encoding="utf-8").replace(",open,", ",forwarded,")
    (tmp_path / "activity.csv").write_text(text, encoding="utf-8")
    result = load(con, tmp_path / "activity.csv", max_quarantine_share=0.5)
    assert result.core_rows["_quarantined"] == 1 and result.core_rows["marketing_events"] == 6
    [(reason,)] = query(con, "SELECT reason FROM ops.quarantine")
    assert "'Action'" in reason and "forwarded" in reason


@pytest.mark.parametrize(
    ("file", "email", "status", "created_at"),
    [
        ("mailchimp_subscribed.csv", "ann.lee@example.com", "subscribed", datetime(2024, 1, 2, 10, 5)),
        ("mailchimp_subscribed.csv", "bob@example.org", "subscribed", datetime(2024, 1, 5, 8)),
        ("mailchimp_unsubscribed.csv", "cara+news@gmail.com", "unsubscribed", datetime(2024, 2, 1, 9, 1)),
        ("mailchimp_cleaned.csv", "bob@example.org", "cleaned", datetime(2024, 1, 5, 8)),
    ],
)
def test_audience_members_become_subscriber_contacts(con, file, email, status, created_at):
    load(con, file)
    row = record(con, "contacts", "contact_id", member_id(email))
    assert (row["source"], row["email"], row["lifecycle_stage"], row["lead_status"], row["created_at"]) == (
        "mailchimp",
        email,
        "subscriber",
        status,
        created_at,
    )


def test_member_country_reaches_the_customer(con):
    load(con, "mailchimp_subscribed.csv")
    assert query(
        con,
        "SELECT country FROM core.customers c JOIN core.contacts k USING (customer_id) "
        "WHERE k.email = 'bob@example.org'",
    ) == [("GB",)]


@pytest.mark.parametrize(
    ("file", "email", "event_type", "campaign", "at"),
    [
        (
            "mailchimp_unsubscribed.csv",
            "cara+news@gmail.com",
            "unsubscribe",
            "February Beans",
            datetime(2024, 2, 13, 18, 20, 45),
        ),
        ("mailchimp_cleaned.csv", "bob@example.org", "bounce", "January Roast", datetime(2024, 1, 15, 14, 33)),
    ],
)
def test_unsubscribed_and_cleaned_members_also_give_their_event_once(con, file, email, event_type, campaign, at):
    load(con, file)
    assert query(con, "SELECT email, event_type, campaign, occurred_at FROM core.marketing_events") == [
        (email, event_type, campaign, at)
    ]
    load(con, "mailchimp_activity.csv")  # the same event again, from the activity export
    assert query(con, "SELECT count(*) FROM core.marketing_events WHERE event_type = ?", [event_type]) == [(1,)]


def test_unsubscribing_a_subscribed_member_makes_a_new_contact_version(con, tmp_path):
    header = (CRM / "mailchimp_unsubscribed.csv").read_text(encoding="utf-8").splitlines()[0]
    (tmp_path / "subscribed.csv").write_text(
        (CRM / "mailchimp_subscribed.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
        "cara+news@gmail.com,Cara,Diaz,,,1,2024-02-01 09:00:00,,2024-02-01 09:01:00,,,,,,,US,,2024-02-01 09:01:00,33333,cc33,,\n",
        encoding="utf-8",
    )
    (tmp_path / "unsubscribed.csv").write_text(
        header + "\n" + (CRM / "mailchimp_unsubscribed.csv").read_text(encoding="utf-8").splitlines()[1] + "\n",
        encoding="utf-8",
    )
    load(con, tmp_path / "subscribed.csv")
    load(con, tmp_path / "unsubscribed.csv")
    versions = query(
        con,
        "SELECT lead_status, is_current FROM core.contacts WHERE contact_id = ? ORDER BY valid_from",
        [member_id("cara+news@gmail.com")],
    )
    assert versions == [("subscribed", False), ("unsubscribed", True)]


def test_activity_export_without_action_fails_naming_the_column():
    frame = pd.read_csv(CRM / "mailchimp_activity.csv", dtype=str).drop(columns=["Action"])
    with pytest.raises(AdapterError, match="'Action'"):
        detect(list(frame.columns), frame, None)


_SQL_ONLY = duckdb.connect()  # no tables: only evaluates expressions


@settings(max_examples=40, deadline=None)
@given(
    local=st.from_regex(r"[a-z][a-z0-9.]{0,12}", fullmatch=True),
    domain=st.sampled_from(["example.com", "gmail.com", "bluebird.coffee"]),
    campaign=st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "  "]),
)
def test_event_id_is_the_same_however_the_email_is_cased_or_padded(local, domain, campaign, upper, pad):
    from soloml.canonical.adapters import values as v
    from soloml.canonical.adapters.mailchimp import action, event_id

    email = f"{local}@{domain}"
    written = pad + (email.upper() if upper else email) + pad
    sql = (
        f"SELECT {event_id(v.email('e'), v.text('c'), action('a'), v.ts('t'))} "
        "FROM (SELECT CAST(? AS VARCHAR) AS e, CAST(? AS VARCHAR) AS c, CAST(? AS VARCHAR) AS a, CAST(? AS VARCHAR) AS t)"
    )
    con = _SQL_ONLY
    plain = con.execute(sql, [email, campaign, "open", "2024-01-15 14:32:10"]).fetchone()[0]
    messy = con.execute(sql, [written, f" {campaign} ", "Opened", "2024-01-15 14:32:10"]).fetchone()[0]
    assert plain == messy
