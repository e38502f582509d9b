"""Name + phone or postal code is only a suggestion; a name alone links nobody; you decide (issue 11, item 1)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from canonical.helpers import FIXTURES, load, rows, write_csv
from soloml.canonical.identity_suggest import decide, suggestions
from soloml.cli.app import app
from soloml.errors import IdentityError

STRIPE_CUSTOMERS = (FIXTURES / "stripe_customers.csv").read_text().splitlines()[0]
ORDERS = (FIXTURES / "shopify_orders.csv").read_text().splitlines()[0]


def stripe_customer(cid: str, email: str, name: str, zip_code: str, phone: str = "") -> str:
    return f"{cid},,{email},{name},2024-01-03 10:00:00,false,,usd,,,,,US,{zip_code},,,,,none,{phone},0,0,0"


def shop_order(number: int, email: str, billing: str, zip_code: str, phone: str = "") -> str:
    return (
        f"#{number},{email},paid,,,,,USD,10.00,0.00,0.00,10.00,,0.00,,2024-03-01 12:00:00 -0500,1,Beans,10.00,,B,,,,"
        f"{billing},Boston,{zip_code},US,,,,,,,,0.00,,55{number},,,,0.00,{phone}"
    )


@pytest.fixture
def people(con, tmp_path):
    """Tom Hale twice (same postal code), Ann Lee twice (different postal codes), Ana Ruiz twice (same phone)."""
    load(
        con,
        write_csv(
            tmp_path,
            "customers.csv",
            STRIPE_CUSTOMERS
            + "\n"
            + "\n".join(
                [
                    stripe_customer("cus_TOM", "t.hale@gmail.com", "Tom Hale", "02139"),
                    stripe_customer("cus_ANN", "ann.lee@acme.com", "Ann Lee", "94110"),
                    stripe_customer("cus_ANA", "ana@ruiz.mx", "Ana Ruiz", "", phone="+1 (512) 555-0199"),
                ]
            )
            + "\n",
        ),
    )
    load(
        con,
        write_csv(
            tmp_path,
            "orders.csv",
            ORDERS
            + "\n"
            + "\n".join(
                [
                    shop_order(1001, "tomh@work.io", "Tom Hale", "02139-4307"),
                    shop_order(1002, "annlee77@yahoo.com", "Ann Lee", "10001"),
                    shop_order(1003, "a.ruiz@work.mx", "ANA RUIZ", "73301", phone="512.555.0199"),
                ]
            )
            + "\n",
        ),
    )
    return con


def test_same_name_and_postal_code_or_phone_is_suggested_never_applied(people):
    found = {
        frozenset({(s.a.source, s.a.source_id), (s.b.source, s.b.source_id)}): s.reason for s in suggestions(people)
    }
    assert set(found) == {
        frozenset({("stripe", "cus_TOM"), ("shopify", "tomh@work.io")}),
        frozenset({("stripe", "cus_ANA"), ("shopify", "a.ruiz@work.mx")}),
    }
    assert any("postal code 02139" in r for r in found.values()) and any(
        "phone 5125550199" in r for r in found.values()
    )
    assert rows(people, "SELECT count(*) AS n FROM core.customers")[0]["n"] == 6  # nothing merged on its own


def test_two_different_people_with_the_same_name_stay_two(people):
    ann = {
        r["source_id"]: r["customer_id"]
        for r in rows(people, "SELECT * FROM core.customer_identities WHERE source_id ILIKE '%ann%'")
    }
    assert len(ann) == 2 and len(set(ann.values())) == 2


def test_an_accepted_suggestion_joins_the_two_customers_and_a_rejected_one_is_not_asked_again(people):
    tom, ana = sorted(suggestions(people), key=lambda s: s.a.name)[::-1]
    decided = decide(people, tom.suggestion_id, accept=True)
    crosswalk = {
        r["source_id"]: (r["customer_id"], r["matched_by"])
        for r in rows(people, "SELECT * FROM core.customer_identities")
    }
    assert crosswalk["cus_TOM"] == crosswalk["tomh@work.io"] == (decided.customer_id, "accepted")
    (order,) = rows(people, "SELECT customer_id FROM core.orders WHERE order_number = '#1001'")
    assert order["customer_id"] == decided.customer_id
    decide(people, ana.suggestion_id, accept=False)
    assert suggestions(people) == ()
    with pytest.raises(IdentityError, match="already rejected"):
        decide(people, ana.suggestion_id, accept=True)
    with pytest.raises(IdentityError, match="no suggested link 'sg_nope'"):
        decide(people, "sg_nope", accept=True)


def test_identities_lists_suggestions_and_takes_decisions(ws, tmp_path):
    runner = CliRunner()
    con = ws.connect()
    try:
        load(
            con,
            write_csv(
                tmp_path,
                "customers.csv",
                STRIPE_CUSTOMERS + "\n" + stripe_customer("cus_TOM", "t.hale@gmail.com", "Tom Hale", "02139") + "\n",
            ),
        )
        load(
            con,
            write_csv(
                tmp_path, "orders.csv", ORDERS + "\n" + shop_order(1001, "tomh@work.io", "Tom Hale", "02139") + "\n"
            ),
        )
    finally:
        con.close()
    listed = runner.invoke(app, ["identities", "-w", str(ws.root), "--json"])
    assert listed.exit_code == 0, listed.output
    (waiting,) = json.loads(listed.stdout)["suggestions"]
    text = runner.invoke(app, ["identities", "-w", str(ws.root)]).stdout
    assert waiting["suggestion_id"] in text and "soloml identities --accept ID" in text
    accepted = runner.invoke(app, ["identities", "-w", str(ws.root), "--accept", waiting["suggestion_id"], "--json"])
    assert accepted.exit_code == 0, accepted.output
    facts = json.loads(accepted.stdout)
    assert facts["customers"] == 1 and facts["suggestions"] == [] and facts["decisions"][0]["decision"] == "accepted"
    assert {(link["source"], link["other"], link["rule"]) for link in facts["links"]} == {
        ("shopify", "stripe", "accepted")
    }
    again = runner.invoke(app, ["identities", "-w", str(ws.root), "--accept", waiting["suggestion_id"]])
    assert again.exit_code == 1 and "already accepted" in again.output
