"""business_ids: the business's own id and email for each scored entity, per entity kind."""

from __future__ import annotations

from datetime import datetime

from soloml.features.ids import business_ids

from .test_recipes import spec_for

D = datetime.fromisoformat


def test_a_customer_gets_the_id_from_its_first_source_and_a_real_id_before_an_email(con, add):
    add(
        "customers",
        {"customer_id": "cus_a", "email": "ann@x.com", "created_at": D("2024-01-01"), "first_source": "shopify"},
        {"customer_id": "cus_b", "email": "bob@x.com", "created_at": D("2024-01-01"), "first_source": "mailchimp"},
    )
    add(
        "customer_identities",
        {"source": "stripe", "source_id": "cus_Q1", "customer_id": "cus_a", "email": "ann@x.com"},
        {"source": "shopify", "source_id": "7001", "customer_id": "cus_a", "email": "ann@x.com"},
        {
            "source": "mailchimp",
            "source_id": "bob@x.com",
            "customer_id": "cus_b",
            "email": "bob@x.com",
        },  # no id of its own: the email
        {"source": "stripe", "source_id": "cus_Q2", "customer_id": "cus_b", "email": "bob@x.com"},
    )
    ids = business_ids(con, spec_for("churn"), ["cus_b", "cus_a", "nobody"])
    assert ids.values.tolist() == [
        ["cus_b", "mailchimp", "bob@x.com", "bob@x.com"],  # the first source, though its id is only the email
        ["cus_a", "shopify", "7001", "ann@x.com"],
        ["nobody", None, None, None],  # unknown: empty, never invented
    ]


def test_a_contact_gets_its_crm_and_the_crms_own_id(con, add):
    add(
        "contacts",
        {"contact_id": "hubspot:501", "source": "hubspot", "email": "lee@x.com", "created_at": D("2024-01-01")},
    )
    ids = business_ids(con, spec_for("conversion"), ["hubspot:501"])
    assert ids.values.tolist() == [["hubspot:501", "hubspot", "501", "lee@x.com"]]


def test_a_table_row_gets_its_id_column_and_its_email_column(con, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text(
        "Lead ID,E-mail,visits,won\n" + "".join(f"L{i},l{i}@x.com,{i % 5},{i % 2}\n" for i in range(20)),
        encoding="utf-8",
    )
    spec = spec_for("table").model_copy(update={"entity": "row", "source_table": str(path)})
    spec = spec.model_copy(update={"label": spec.label.model_copy(update={"target": "won"})})
    assert business_ids(con, spec, ["L3"]).values.tolist() == [["L3", str(path), "L3", "l3@x.com"]]
