"""Links between records of one person that no email shows: reference ids, ids a mapping declares, and which
record names the person; plus who has bought (issue 11, items 1, 7 and 12)."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from canonical.helpers import FIXTURES, load, rows, write_csv
from soloml.canonical.adapters.adapter_catalog import AdapterCatalog

SQUARE_HEADER = (FIXTURES / "square_transactions.csv").read_text().splitlines()[0]
STRIPE_CUSTOMERS = (FIXTURES / "stripe_customers.csv").read_text().splitlines()[0]
HUBSPOT = "Record ID,First Name,Last Name,Email,Lifecycle Stage,Create Date,Stripe Customer ID\n"


def square_row(txn: str, customer: str, name: str, reference: str) -> str:
    return (
        f"2024-02-01,10:00:00,UTC,$10.00,$0.00,$0.00,$10.00,$0.00,$0.00,$0.00,$0.00,$10.00,Register,$10.00,Tapped,"
        f"$0.00,$0.00,$0.00,,,-$0.30,$9.70,{txn},P{txn},Visa,1111,Front,Ann,S1,,Coffee,Payment,Main St,To Go,"
        f"{customer},{name},{reference}"
    )


def customer_of(con, payment_id: str) -> str | None:
    return rows(con, "SELECT customer_id FROM core.payments WHERE payment_id = ?", [payment_id])[0]["customer_id"]


@pytest.fixture
def linked(con, tmp_path):
    """A HubSpot contact, a Stripe customer, and Square customers whose reference ids name them."""
    write_csv(tmp_path, "contacts.csv", HUBSPOT + "5005,Sam,Otieno,sam@otieno.io,Customer,2024-01-02 08:00,\n")
    write_csv(
        tmp_path,
        "stripe_customers.csv",
        STRIPE_CUSTOMERS + "\ncus_LEE,,lee@chan.dev,Lee Chan,2024-01-03 10:00:00,false,,usd,,,,,US,,,,,,none,,0,0,0\n",
    )
    write_csv(
        tmp_path,
        "square.csv",
        SQUARE_HEADER
        + "\n"
        + "\n".join(
            [
                square_row("T1", "SQ-SAM", "Sam Otieno", "5005"),  # the CRM's Record ID
                square_row("T2", "SQ-LEE", "Lee Chan", "cus_LEE"),  # a Stripe customer id
                square_row("T3", "SQ-NEW", "Ada Byron", "no-such-id"),  # a reference nobody else has
            ]
        )
        + "\n",
    )
    return tmp_path


@pytest.mark.parametrize("square_first", [True, False])
def test_a_square_reference_id_equal_to_a_known_source_id_links_the_customer(con, linked, square_first):
    names = ["square.csv", "contacts.csv", "stripe_customers.csv"]
    for name in names if square_first else names[::-1]:
        load(con, linked / name)
    people = {
        (r["source"], r["source_id"]): (r["customer_id"], r["matched_by"])
        for r in rows(con, "SELECT * FROM core.customer_identities")
    }
    assert people[("square", "SQ-SAM")][0] == people[("hubspot", "5005")][0] == customer_of(con, "square:PT1")
    assert people[("square", "SQ-LEE")][0] == people[("stripe", "cus_LEE")][0] == customer_of(con, "square:PT2")
    assert people[("square", "SQ-SAM")][1] == people[("hubspot", "5005")][1] == "reference_id"
    assert people[("square", "SQ-NEW")][1] == "new"
    assert rows(con, "SELECT count(*) AS n FROM core.customers")[0]["n"] == 3


def test_the_identities_report_counts_people_per_source_pair_and_rule(con, linked):
    from soloml.canonical.identity_report import identity_report

    for name in ("square.csv", "contacts.csv", "stripe_customers.csv"):
        load(con, linked / name)
    links = {(link.source, link.other, link.rule): link.people for link in identity_report(con).links}
    assert links == {("hubspot", "square", "reference_id"): 1, ("square", "stripe", "reference_id"): 1}


@pytest.fixture
def pos_mapping(tmp_path):
    mapping = {
        "table": "payments",
        "source": "till",
        "match": {"headers": ["Txn", "Total", "When", "CRM ID"]},
        "columns": {
            "payment_id": "Txn",
            "amount": "Total",
            "paid_at": "When",
            "kind": "charge",
            "status": "succeeded",
            "currency": "USD",
        },
        "links": {"CRM ID": "hubspot"},
    }
    path = tmp_path / "till.yaml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    return AdapterCatalog.from_files([path])


def test_a_mapping_declares_a_column_that_holds_another_systems_id(con, tmp_path, pos_mapping):
    write_csv(tmp_path, "contacts.csv", HUBSPOT + "5005,Sam,Otieno,sam@otieno.io,Customer,2024-01-02 08:00,\n")
    till = write_csv(
        tmp_path, "till.csv", "Txn,Total,When,CRM ID\nA1,5.00,2024-02-01 10:00:00,5005\nA2,7.00,2024-02-02 10:00:00,\n"
    )
    load(con, till, catalog=pos_mapping)
    load(con, tmp_path / "contacts.csv", catalog=pos_mapping)
    (contact,) = rows(con, "SELECT customer_id FROM core.contacts")
    assert customer_of(con, "till:A1") == contact["customer_id"] is not None
    assert customer_of(con, "till:A2") is None  # no id on the row: nobody to link it to


@pytest.mark.parametrize("crm_first", [True, False])
def test_the_crm_full_name_names_the_customer_not_the_card(con, tmp_path, crm_first):
    """Issue 11, item 12: 'M BROWN' on the card, 'Maria Brown' in the CRM, whichever arrives first."""
    header = (FIXTURES / "stripe_payments.csv").read_text().splitlines()[0]
    write_csv(
        tmp_path,
        "payments.csv",
        header + "\nch_1,Order,,2024-03-01 10:00:00,10.00,0.00,usd,10.00,0.00,0.30,0.00,usd,"
        "Live,Paid,,cus_MB,,maria@brown.io,true,card_1,4242,Visa,credit,1,2027,M BROWN,US,US,,,pi_1\n",
    )
    write_csv(tmp_path, "contacts.csv", HUBSPOT + "5001,Maria,Brown,maria@brown.io,Customer,2024-01-02 08:00,\n")
    for name in ["contacts.csv", "payments.csv"] if crm_first else ["payments.csv", "contacts.csv"]:
        load(con, tmp_path / name)
    assert [r["name"] for r in rows(con, "SELECT name FROM core.customers")] == ["Maria Brown"]


def test_customers_say_whether_and_since_when_they_have_bought(con, tmp_path):
    """Issue 11, item 7: CRM leads are customers rows too (contacts link to them), flagged as never having bought."""
    write_csv(
        tmp_path,
        "contacts.csv",
        HUBSPOT + "5001,Maria,Brown,maria@brown.io,Customer,2024-01-02 08:00,cus_MB\n"
        "5002,Lena,Voss,lena@voss.org,Lead,2024-01-03 08:00,\n",
    )
    header = (FIXTURES / "stripe_payments.csv").read_text().splitlines()[0]
    row = ",Order,,{when},10.00,0.00,usd,10.00,0.00,0.30,0.00,usd,Live,{status},,cus_MB,,maria@brown.io,true,card_1,4242,Visa,credit,1,2027,,US,US,,,pi_1"
    write_csv(
        tmp_path,
        "payments.csv",
        header
        + "\n"
        + "\n".join(
            [
                "ch_0" + row.format(when="2024-02-01 09:00:00", status="Failed"),  # a failed charge is not a purchase
                "ch_1" + row.format(when="2024-03-01 10:00:00", status="Paid"),
                "ch_2" + row.format(when="2024-04-01 10:00:00", status="Paid"),
            ]
        )
        + "\n",
    )
    load(con, tmp_path / "contacts.csv")
    load(con, tmp_path / "payments.csv")
    got = {r["email"]: (r["has_purchased"], r["first_purchase_at"]) for r in rows(con, "SELECT * FROM core.customers")}
    assert got == {"maria@brown.io": (True, datetime(2024, 3, 1, 10)), "lena@voss.org": (False, None)}
