"""HubSpot exports and synced tables land in core.contacts / core.deals / core.marketing_events with exact values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from canonical.crm_helpers import CRM, load, load_in_zone, query, record
from soloml.canonical.adapters.crm import lifecycle
from soloml.canonical.ingest import detect
from soloml.errors import AdapterError


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """One warehouse with the contacts and deals exports loaded, for the tests that only read it."""
    from soloml.warehouse import connect

    con = connect(tmp_path_factory.mktemp("hubspot") / "warehouse.duckdb")
    load(con, "hubspot_contacts.csv")
    load(con, "hubspot_deals.csv")
    yield con
    con.close()


STRIPE_HEADER = (
    "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Converted Amount Refunded,"
    "Fee,Tax,Converted Currency,Mode,Status,Statement Descriptor,Customer ID,Customer Description,Customer Email,Captured,"
    "Card ID,Card Last4,Card Brand,Card Funding,Card Exp Month,Card Exp Year,Card Name,Card Address Country,"
    "Card Issue Country,Invoice ID,Invoice Number,PaymentIntent ID"
)


def stripe_payment(folder: Path, customer: str, email: str) -> Path:
    """A one-row Stripe payments export for `customer` paying with `email`."""
    row = (
        f"ch_3OZ1aaaaaaaaaaaaaaaaaaaa,Coffee club,Payment complete.,2024-01-20 10:00:00,24.00,0.00,usd,24.00,0.00,"
        f"1.00,0.00,usd,Live,Paid,BLUEBIRD,{customer},,{email},true,card_1,4242,Visa,credit,4,2027,Ann Lee,US,US,,,pi_1"
    )
    path = folder / "stripe_payments.csv"
    path.write_text(STRIPE_HEADER + "\n" + row + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("file", "vendor_object"),
    [
        ("hubspot_contacts.csv", "hubspot.contacts"),
        ("hubspot_companies.csv", "hubspot.companies"),
        ("hubspot_deals.csv", "hubspot.deals"),
        ("fivetran_hubspot/contact_data.csv", "hubspot.contact"),
        ("fivetran_hubspot/deal_data.csv", "hubspot.deal"),
        ("fivetran_hubspot/deal_contact_data.csv", "hubspot.deal_contact"),
        ("fivetran_hubspot/deal_pipeline_stage_data.csv", "hubspot.deal_pipeline_stage"),
        ("fivetran_hubspot/email_campaign_data.csv", "hubspot.email_campaign"),
        ("fivetran_hubspot/email_event_data.csv", "hubspot.email_event"),
        ("fivetran_hubspot/email_event_open_data.csv", "hubspot.email_event_open"),
        ("fivetran_hubspot/email_event_click_data.csv", "hubspot.email_event_click"),
    ],
)
def test_each_hubspot_file_is_detected_as_its_object(request, file, vendor_object):
    path = CRM / file if "/" not in file else request.getfixturevalue("reference_data") / file
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    detection = detect(list(frame.columns), frame, None)
    assert detection is not None and detection.vendor_object == vendor_object


@pytest.mark.parametrize(
    ("contact_id", "email", "name", "company", "stage", "lead_status", "lead_source", "created_at"),
    [
        (
            "hubspot:101",
            "ann.lee@example.com",
            "Ann Lee",
            "Lee Roasters",
            "customer",
            "Connected",
            "Organic Search",
            datetime(2024, 1, 15, 14, 32),
        ),
        (
            "hubspot:102",
            "bob@example.org",
            "Bob",
            None,
            "marketingqualifiedlead",
            "New",
            "Paid Social",
            datetime(2024, 2, 3, 9, 5),
        ),
        (
            "hubspot:103",
            "cara+news@gmail.com",
            "Cara Diaz",
            None,
            "subscriber",
            None,
            "Direct Traffic",
            datetime(2024, 2, 10, 23, 59),
        ),
        (
            "hubspot:104",
            "dan@ng.io",
            "Dan Ng",
            "Ng Ltd",
            "salesqualifiedlead",
            "In Progress",
            "Referrals",
            datetime(2024, 3, 1),
        ),
        (
            "hubspot:105",
            "eve@ray.net",
            "Eve Ray",
            None,
            "opportunity",
            "Open Deal",
            "Offline Sources",
            datetime(2024, 3, 5, 12),
        ),
        ("hubspot:107", "gil@ant.com", "Gil Ant", None, "other", None, "Other", datetime(2024, 3, 8, 8, 15)),
    ],
)
def test_contacts_export_lands_exact_values(
    exports, contact_id, email, name, company, stage, lead_status, lead_source, created_at
):
    row = record(exports, "contacts", "contact_id", contact_id)
    assert (
        row["source"],
        row["email"],
        row["name"],
        row["company"],
        row["lifecycle_stage"],
        row["lead_status"],
        row["lead_source"],
        row["created_at"],
    ) == ("hubspot", email, name, company, stage, lead_status, lead_source, created_at)
    assert row["customer_id"] is not None


@pytest.mark.parametrize(
    ("shown", "stage"),
    [
        ("Subscriber", "subscriber"),
        ("Lead", "lead"),
        ("Marketing Qualified Lead", "marketingqualifiedlead"),
        ("Sales Qualified Lead", "salesqualifiedlead"),
        ("Opportunity", "opportunity"),
        ("Customer", "customer"),
        ("Evangelist", "evangelist"),
        ("marketingqualifiedlead", "marketingqualifiedlead"),
        ("MQL", "marketingqualifiedlead"),
        (" customer ", "customer"),
        ("Partner", "other"),
        (None, None),
    ],
)
def test_lifecycle_display_names_become_hubspot_internal_ids(shown, stage):
    got = (
        duckdb.connect()
        .execute(f"SELECT {lifecycle('x')} FROM (SELECT CAST(? AS VARCHAR) AS x)", [shown])
        .fetchone()[0]
    )
    assert got == stage


@pytest.mark.parametrize("hubspot_first", [True, False])
def test_stripe_customer_id_links_a_contact_to_the_stripe_customer_with_another_email(con, tmp_path, hubspot_first):
    stripe_file = stripe_payment(tmp_path, "cus_Pa1", "ann.personal@gmail.com")
    for f in ["hubspot_contacts.csv", stripe_file] if hubspot_first else [stripe_file, "hubspot_contacts.csv"]:
        load(con, f)
    contact = record(con, "contacts", "contact_id", "hubspot:101")
    [(paid_by,)] = query(con, "SELECT customer_id FROM core.payments")
    assert contact["customer_id"] == paid_by
    others = query(
        con, "SELECT count(*) FROM core.contacts WHERE customer_id = ? AND contact_id <> 'hubspot:101'", [paid_by]
    )
    assert others == [(0,)]


@pytest.mark.parametrize(
    ("deal_id", "amount", "stage", "is_closed", "won", "closed_at", "contact_id"),
    [
        ("hubspot:9001", Decimal("1200.00"), "Closed Won", True, True, datetime(2024, 2, 20), "hubspot:101"),
        ("hubspot:9002", Decimal("450.00"), "Closed Lost", True, False, datetime(2024, 3, 15), "hubspot:104"),
        ("hubspot:9003", Decimal("2500.50"), "Contract Sent", False, None, None, None),
    ],
)
def test_deals_export_lands_exact_values(exports, deal_id, amount, stage, is_closed, won, closed_at, contact_id):
    row = record(exports, "deals", "deal_id", deal_id)
    assert (
        row["amount"],
        row["stage"],
        row["is_closed"],
        row["won"],
        row["closed_at"],
        row["contact_id"],
        row["pipeline"],
    ) == (amount, stage, is_closed, won, closed_at, contact_id, "Sales Pipeline")


def test_deal_belongs_to_the_customer_of_its_associated_contact(exports):
    deal, contact = (
        record(exports, "deals", "deal_id", "hubspot:9001"),
        record(exports, "contacts", "contact_id", "hubspot:101"),
    )
    assert deal["customer_id"] == contact["customer_id"]


def test_won_deal_in_the_first_export_has_an_open_version_until_its_close_date(exports):
    versions = query(
        exports,
        "SELECT stage, is_closed, valid_from, valid_to, is_current FROM core.deals "
        "WHERE deal_id = 'hubspot:9001' ORDER BY valid_from",
    )
    assert versions == [
        ("open", False, datetime(2024, 1, 20, 10), datetime(2024, 2, 20), False),
        ("Closed Won", True, datetime(2024, 2, 20), None, True),
    ]


def test_a_later_export_that_moves_a_deal_adds_a_version_and_keeps_the_old_one(con, tmp_path):
    load(con, "hubspot_deals.csv")
    later = (
        (CRM / "hubspot_deals.csv")
        .read_text(encoding="utf-8")
        .replace(
            "9003,Ray wholesale,Contract Sent,$2500.50,2024-04-30 00:00",
            "9003,Ray wholesale,Closed Won,$2500.50,2024-04-02 00:00",
        )
    )
    (tmp_path / "hubspot_deals_april.csv").write_text(later, encoding="utf-8")
    load(con, tmp_path / "hubspot_deals_april.csv")
    versions = query(
        con, "SELECT stage, won, valid_to IS NULL FROM core.deals WHERE deal_id = 'hubspot:9003' ORDER BY valid_from"
    )
    assert versions == [("Contract Sent", None, False), ("Closed Won", True, True)]
    assert query(con, "SELECT count(*) FROM core.deals WHERE deal_id = 'hubspot:9001'") == [
        (2,)
    ]  # unchanged: nothing new


def test_companies_export_stays_in_raw(con):
    result = load(con, "hubspot_companies.csv")
    assert query(con, "SELECT CAST(record_id AS VARCHAR), company_name FROM raw.hubspot_companies ORDER BY 1") == [
        ("501", "Lee Roasters"),
        ("502", "Ng Ltd"),
    ]
    assert {k: n for k, n in result.core_rows.items() if not k.startswith("_")} == {
        "customers": 0,
        "customer_identities": 0,
    }


def test_contacts_export_without_create_date_fails_naming_the_column(tmp_path):
    frame = pd.read_csv(CRM / "hubspot_contacts.csv", dtype=str).drop(columns=["Create Date"])
    with pytest.raises(AdapterError, match="missing required column: 'Create Date'"):
        detect(list(frame.columns), frame, None)


def test_unreadable_create_date_is_quarantined_and_the_rest_loads(con, tmp_path):
    text = (
        (CRM / "hubspot_contacts.csv").read_text(encoding="utf-8").replace("2024-02-03 09:05", "sometime in February")
    )
    (tmp_path / "contacts.csv").write_text(text, encoding="utf-8")
    result = load(con, tmp_path / "contacts.csv", max_quarantine_share=0.5)
    assert (
        result.core_rows["contacts"] == 6 and result.rows_quarantined == 1
    )  # counted whether the loader or the adapter caught it
    [(reason,)] = query(con, "SELECT reason FROM ops.quarantine")
    assert "Create Date" in reason and "sometime in February" in reason


# --- synced tables (reference samples) ---------------------------------------------------------------------------


def test_synced_contacts_land_with_their_properties(con, reference_data):
    result = load(con, reference_data / "fivetran_hubspot/contact_data.csv")
    assert result.core_rows["contacts"] == 22
    row = record(con, "contacts", "contact_id", "hubspot:78971951")
    assert (row["company"], row["created_at"], row["email"]) == (
        "SampleCompany",
        datetime(2021, 4, 1, 17, 32, 47),
        "fcb67ef339b691956cc85fa12be6490c",
    )


def test_synced_email_events_keep_sends_and_opens_and_leave_other_kinds_in_raw(con, reference_data):
    result = load(con, reference_data / "fivetran_hubspot/email_event_data.csv")
    assert result.rows_loaded == 100
    assert query(con, "SELECT event_type, count(*) FROM core.marketing_events GROUP BY 1 ORDER BY 1") == [
        ("open", 90),
        ("sent", 4),
    ]
    row = record(con, "marketing_events", "event_id", "hubspot:0e442bf1-26be-3f07-8b50-5c02724ad803")
    assert (row["event_type"], row["occurred_at"], row["campaign"]) == (
        "open",
        datetime(2020, 3, 16, 19, 3, 20, 357000),
        "hubspot campaign 2",
    )


def test_synced_deals_land_with_their_create_time(con, reference_data):
    result = load(con, reference_data / "fivetran_hubspot/deal_data.csv")
    assert result.core_rows["deals"] == 44
    row = record(con, "deals", "deal_id", "hubspot:1244495215")
    assert (row["created_at"], row["stage"], row["is_closed"]) == (datetime(2019, 12, 4, 12, 48, 22), "unknown", None)


def test_optional_became_a_customer_date_dates_the_customer_stage(con, tmp_path):
    (tmp_path / "contacts.csv").write_text(
        "Record ID,First Name,Last Name,Email,Lifecycle Stage,Create Date,Became a Customer Date\n"
        "201,Hal,Ek,hal@ek.se,Customer,2024-01-02 08:00,2024-02-10 12:30\n",
        encoding="utf-8",
    )
    load(con, tmp_path / "contacts.csv")
    assert query(
        con,
        "SELECT lifecycle_stage, became_customer_at, valid_from, valid_to FROM core.contacts "
        "WHERE contact_id = 'hubspot:201' ORDER BY valid_from",
    ) == [
        (None, None, datetime(2024, 1, 2, 8), datetime(2024, 2, 10, 12, 30)),
        ("customer", datetime(2024, 2, 10, 12, 30), datetime(2024, 2, 10, 12, 30), None),
    ]


# --- issue 11: companies, portal time zones, pipeline stage labels ------------------------------------------------


def test_associated_company_of_a_real_contacts_export_is_the_contacts_company(con, tmp_path):
    (tmp_path / "contacts.csv").write_text(
        "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Associated Company\n"
        "301,Ann,Lee,ann@lee.co,555-0100,Customer,2024-01-02 08:00,Lee Roasters\n"
        "302,Dan,Ng,dan@ng.io,,Lead,2024-01-03 08:00,Ng Ltd (8123)\n",
        encoding="utf-8",
    )
    load(con, tmp_path / "contacts.csv")
    assert query(con, "SELECT contact_id, company FROM core.contacts ORDER BY 1") == [
        ("hubspot:301", "Lee Roasters"),
        ("hubspot:302", "Ng Ltd"),
    ]


@pytest.mark.parametrize(
    ("zone", "created", "says"),
    [
        ("America/Chicago", datetime(2024, 1, 15, 20, 32), "read in America/Chicago"),  # 14:32 CST = 20:32 UTC
        ("Europe/Berlin", datetime(2024, 1, 15, 13, 32), "read in Europe/Berlin"),
        (None, datetime(2024, 1, 15, 14, 32), "crm.timezone is not set, so they were read as UTC"),
    ],
)
def test_export_times_are_read_in_the_portals_time_zone_and_the_report_says_which(con, zone, created, says):
    result = load_in_zone(con, CRM / "hubspot_contacts.csv", zone)
    assert record(con, "contacts", "contact_id", "hubspot:101")["created_at"] == created
    assert any(says in note for note in result.notes), result.notes


STAGES = (
    "_fivetran_deleted,_fivetran_synced,active,closed_won,is_closed,display_order,probability,stage_id,label,pipeline_id,created_at,updated_at\n"
    "false,2024-01-01 00:00:00,true,false,false,1,0.2,101,Discovery call,p1,2024-01-01 00:00:00,2024-01-01 00:00:00\n"
    "false,2024-01-01 00:00:00,true,true,true,2,1.0,102,Signed,p1,2024-01-01 00:00:00,2024-01-01 00:00:00\n"
)
DEALS = (
    "deal_id,is_deleted,deal_pipeline_id,deal_pipeline_stage_id,owner_id,portal_id,property_dealname,property_amount,property_closedate,property_createdate\n"
    "7001,false,p1,101,,1,Kiosk,500,2024-03-01 00:00:00,2024-01-10 09:00:00\n"
    "7002,false,p1,102,,1,Cafe,900,2024-02-01 00:00:00,2024-01-11 09:00:00\n"
)


@pytest.mark.parametrize("stages_first", [True, False])
def test_synced_deals_get_their_pipeline_stage_labels_whichever_table_loads_first(con, tmp_path, stages_first):
    (tmp_path / "deal_pipeline_stage.csv").write_text(STAGES, encoding="utf-8")
    (tmp_path / "deal.csv").write_text(DEALS, encoding="utf-8")
    order = ["deal_pipeline_stage.csv", "deal.csv"] if stages_first else ["deal.csv", "deal_pipeline_stage.csv"]
    for name in order:
        load(con, tmp_path / name)
    assert query(con, "SELECT deal_id, stage FROM core.deals WHERE is_current ORDER BY 1") == [
        ("hubspot:7001", "Discovery call"),
        ("hubspot:7002", "Signed"),
    ]
    if stages_first:  # the stage table says which custom stages close and win a deal
        assert query(
            con, "SELECT is_closed, won, closed_at FROM core.deals WHERE deal_id = 'hubspot:7002' AND is_current"
        ) == [(True, True, datetime(2024, 2, 1))]
