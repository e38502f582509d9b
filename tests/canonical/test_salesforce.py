"""Salesforce report exports and synced tables land in core.contacts / core.deals with exact values."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pandas as pd
import pytest

from canonical.crm_helpers import CRM, load, load_in_zone, query, record, route_text
from soloml.canonical.ingest import detect
from soloml.errors import AdapterError


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """One warehouse with every report export loaded, for the tests that only read it."""
    from soloml.warehouse import connect

    con = connect(tmp_path_factory.mktemp("salesforce") / "warehouse.duckdb")
    for name in (
        "salesforce_accounts.csv",
        "salesforce_contacts.csv",
        "salesforce_leads.csv",
        "salesforce_opportunities.csv",
    ):
        load(con, name)
    yield con
    con.close()


@pytest.mark.parametrize(
    ("file", "vendor_object"),
    [
        ("salesforce_accounts.csv", "salesforce.accounts"),
        ("salesforce_contacts.csv", "salesforce.contacts"),
        ("salesforce_leads.csv", "salesforce.leads"),
        ("salesforce_opportunities.csv", "salesforce.opportunities"),
        ("fivetran_salesforce/sf_account_data.csv", "salesforce.account"),
        ("fivetran_salesforce/sf_contact_data.csv", "salesforce.contact"),
        ("fivetran_salesforce/sf_lead_data.csv", "salesforce.lead"),
        ("fivetran_salesforce/sf_opportunity_data.csv", "salesforce.opportunity"),
        ("fivetran_salesforce/sf_opportunity_history_data.csv", "salesforce.opportunity_history"),
    ],
)
def test_each_salesforce_file_is_detected_as_its_object(request, file, vendor_object):
    path = CRM / file if "/" not in file else request.getfixturevalue("reference_data") / file
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    detection = detect(list(frame.columns), frame, None)
    assert detection is not None and detection.vendor_object == vendor_object


@pytest.mark.parametrize(
    ("contact_id", "email", "name", "company", "stage", "lead_status", "lead_source", "created_at", "changed_at"),
    [
        (
            "salesforce:0035g00000Aa111",
            "ann.lee@example.com",
            "Ann Lee",
            "Lee Roasters",
            None,
            None,
            "Web",
            datetime(2024, 1, 15),
            None,
        ),
        (
            "salesforce:00Q5g00000Xx001",
            "eve@ray.net",
            "Eve Ray",
            "Ray Wholesale",
            "lead",
            "Working - Contacted",
            "Web",
            datetime(2024, 2, 28),
            None,
        ),
        (
            "salesforce:00Q5g00000Xx002",
            "dan@ng.io",
            "Dan Ng",
            "Ng Ltd",
            "salesqualifiedlead",
            "Closed - Converted",
            "Partner Referral",
            datetime(2024, 2, 20),
            datetime(2024, 3, 1),
        ),
    ],
)
def test_contacts_and_leads_exports_land_exact_values(
    reports, contact_id, email, name, company, stage, lead_status, lead_source, created_at, changed_at
):
    row = record(reports, "contacts", "contact_id", contact_id)
    assert (
        row["source"],
        row["email"],
        row["name"],
        row["company"],
        row["lifecycle_stage"],
        row["lead_status"],
        row["lead_source"],
        row["created_at"],
        row["stage_changed_at"],
    ) == ("salesforce", email, name, company, stage, lead_status, lead_source, created_at, changed_at)


def test_converted_lead_and_its_contact_are_one_customer(reports):
    lead = record(reports, "contacts", "contact_id", "salesforce:00Q5g00000Xx002")
    contact = record(reports, "contacts", "contact_id", "salesforce:0035g00000Bb222")
    assert lead["customer_id"] == contact["customer_id"] is not None


@pytest.mark.parametrize(
    ("deal_id", "amount", "currency", "stage", "is_closed", "won", "closed_at", "created_at"),
    [
        (
            "salesforce:0065g00000Op001",
            Decimal("1200.00"),
            None,
            "Closed Won",
            True,
            True,
            datetime(2024, 2, 20),
            datetime(2024, 1, 20),
        ),
        (
            "salesforce:0065g00000Op002",
            Decimal("450.00"),
            "USD",
            "Closed Lost",
            True,
            False,
            datetime(2024, 3, 15),
            datetime(2024, 3, 2),
        ),
        (
            "salesforce:0065g00000Op003",
            Decimal("2500.50"),
            None,
            "Proposal/Price Quote",
            False,
            None,
            None,
            datetime(2024, 3, 6),
        ),
    ],
)
def test_opportunities_export_lands_exact_values(
    reports, deal_id, amount, currency, stage, is_closed, won, closed_at, created_at
):
    row = record(reports, "deals", "deal_id", deal_id)
    assert (
        row["name"] is not None,
        row["amount"],
        row["currency"],
        row["stage"],
        row["is_closed"],
        row["won"],
        row["closed_at"],
        row["created_at"],
    ) == (True, amount, currency, stage, is_closed, won, closed_at, created_at)


def test_accounts_export_stays_in_raw(reports):
    assert query(reports, "SELECT account_id, account_name FROM raw.salesforce_accounts ORDER BY 1") == [
        ("0015g00000AbCdE", "Lee Roasters"),
        ("0015g00000FgHiJ", "Ng Ltd"),
    ]


def test_opportunities_export_without_stage_fails_naming_the_column():
    frame = pd.read_csv(CRM / "salesforce_opportunities.csv", dtype=str).drop(columns=["Stage"])
    with pytest.raises(AdapterError, match="missing required column: 'Stage'"):
        detect(list(frame.columns), frame, None)


def test_unreadable_amount_is_quarantined_and_the_rest_loads(con, tmp_path):
    text = (CRM / "salesforce_opportunities.csv").read_text(encoding="utf-8").replace("USD 450.00", "four fifty")
    (tmp_path / "opps.csv").write_text(text, encoding="utf-8")
    result = load(con, tmp_path / "opps.csv", max_quarantine_share=0.5)
    assert query(con, "SELECT deal_id FROM core.deals WHERE is_current ORDER BY 1") == [
        ("salesforce:0065g00000Op001",),
        ("salesforce:0065g00000Op003",),
    ]
    assert result.rows_quarantined == 1  # counted whether the loader or the adapter caught it
    [(reason,)] = query(con, "SELECT reason FROM ops.quarantine")
    assert "four fifty" in reason


# --- synced tables (reference samples) ---------------------------------------------------------------------------


def test_synced_contacts_land_with_their_full_name(con, reference_data):
    result = route_text(
        con, reference_data / "fivetran_salesforce/sf_contact_data.csv"
    )  # 400+ columns: skip loader typing
    assert result["contacts"] == 4
    row = record(con, "contacts", "contact_id", "salesforce:0031G00000q9jPQAQ")
    assert (row["name"], row["created_at"], row["lead_source"]) == (
        "Janet Yellen",
        datetime(2019, 11, 11, 17, 23, 34),
        "oominfo",
    )


def test_synced_converted_lead_is_sales_qualified(con, reference_data):
    route_text(con, reference_data / "fivetran_salesforce/sf_lead_data.csv")
    row = record(con, "contacts", "contact_id", "salesforce:00Q1G00000nDnM5UAK")
    assert (row["email"], row["company"], row["lifecycle_stage"], row["lead_status"], row["stage_changed_at"]) == (
        "h@gmail.com",
        "Z",
        "salesqualifiedlead",
        "Converted",
        datetime(2019, 11, 11, 17, 23, 34),
    )


def test_deleted_synced_opportunities_are_dropped_and_counted(con, reference_data):
    result = load(con, reference_data / "fivetran_salesforce/sf_opportunity_data.csv")
    assert result.core_rows["_test_mode"] == 10  # every sample row is flagged is_deleted
    assert query(con, "SELECT count(*) FROM core.deals") == [(0,)]


def undeleted(reference_data, name: str, tmp_path) -> str:
    frame = pd.read_csv(reference_data / "fivetran_salesforce" / name, dtype=str, keep_default_na=False)
    frame["is_deleted"] = "false"
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_synced_opportunities_land_exact_values(con, reference_data, tmp_path):
    load(con, undeleted(reference_data, "sf_opportunity_data.csv", tmp_path))
    won = record(con, "deals", "deal_id", "salesforce:006q000000HddohAAB")
    lost = record(con, "deals", "deal_id", "salesforce:006q000000HK8jdAAD")
    open_ = record(con, "deals", "deal_id", "salesforce:006q000000HdOhuAAF")
    assert (won["name"], won["amount"], won["won"], won["closed_at"]) == (
        "$1m deal",
        Decimal("24120000.00"),
        True,
        datetime(2018, 12, 19),
    )
    assert (lost["amount"], lost["won"], lost["is_closed"]) == (Decimal("200000.00"), False, True)
    assert (open_["is_closed"], open_["won"], open_["closed_at"]) == (False, None, None)


def test_opportunity_history_keeps_the_latest_version_of_each_deal(con, reference_data, tmp_path):
    result = load(con, undeleted(reference_data, "sf_opportunity_history_data.csv", tmp_path))
    assert query(con, "SELECT count(DISTINCT deal_id), count(*) FILTER (WHERE is_current) FROM core.deals") == [
        (10, 10)
    ]
    assert result.rows_loaded == 10


def test_opportunity_history_lands_the_latest_version_whatever_the_row_order(con, reference_data, tmp_path):
    frame = pd.read_csv(
        reference_data / "fivetran_salesforce/sf_opportunity_history_data.csv", dtype=str, keep_default_na=False
    )
    frame["is_deleted"] = "false"
    deal = frame[frame["id"] == "006q000000HdOhuAAF"].copy()
    earlier = deal.assign(_fivetran_start="2018-12-18 17:56:05", stage_name="Prospecting", _fivetran_active="false")
    path = tmp_path / "sf_opportunity_history_data.csv"
    pd.concat([deal, earlier]).to_csv(path, index=False)  # the later version first
    load(con, path)
    assert query(con, "SELECT stage, is_current FROM core.deals WHERE deal_id = 'salesforce:006q000000HdOhuAAF'") == [
        ("9RN9J3tlxr89gDctReax5w==", True)
    ]


@pytest.mark.parametrize(
    ("zone", "created", "converted"),
    [
        ("America/Los_Angeles", datetime(2024, 2, 20, 8), datetime(2024, 3, 1, 8)),  # midnight PST = 08:00 UTC
        ("Asia/Tokyo", datetime(2024, 2, 19, 15), datetime(2024, 2, 29, 15)),
        (None, datetime(2024, 2, 20), datetime(2024, 3, 1)),
    ],
)
def test_report_dates_are_read_in_the_orgs_time_zone(con, zone, created, converted):
    """Issue 11, item 11: Salesforce writes report times in the org's (user's) zone, not UTC."""
    result = load_in_zone(con, CRM / "salesforce_leads.csv", zone)
    row = record(con, "contacts", "contact_id", "salesforce:00Q5g00000Xx002")
    assert (row["created_at"], row["stage_changed_at"]) == (created, converted)
    assert any((f"read in {zone}" if zone else "read as UTC") in n for n in result.notes), result.notes
