"""Identity resolution: one customer per real person across sources, stable ids, links by another source's id."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from canonical.helpers import load, rows
from soloml.canonical import identity
from soloml.canonical.schema import create_core_tables

COLUMNS = [
    "source",
    "source_customer_id",
    "email",
    "customer_name",
    "customer_country",
    "linked_source",
    "linked_source_id",
    "seen_at",
]


def record(source, sid=None, email=None, *, link=None, name=None, seen="2024-01-01"):
    linked_source, linked_id = link if link else (None, None)
    return (source, sid, email, name, None, linked_source, linked_id, datetime.fromisoformat(seen))


def resolve(con, *records) -> dict[tuple[str, str], str]:
    """Run one load's identity records; returns (source, source_key) -> customer_id."""
    create_core_tables(con)
    frame = pd.DataFrame(list(records), columns=COLUMNS)
    con.register("_records", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE _records_t AS SELECT * FROM _records")
    con.unregister("_records")
    identity.resolve(con, "_records_t", load_id="test")
    return {(s, k): c for s, k, c in con.execute(f"SELECT * FROM {identity.LOOKUP}").fetchall()}


def customers(con) -> int:
    return con.execute("SELECT count(*) FROM core.customers").fetchone()[0]


@pytest.mark.parametrize(
    ("email", "key"),
    [
        ("jane@example.com", "jane@example.com"),
        ("  Jane@Example.COM ", "jane@example.com"),  # case and spaces
        ("jane+news@example.com", "jane@example.com"),  # plus tag
        ("jane.doe@example.com", "jane.doe@example.com"),  # dots matter outside gmail
        ("Jane.Doe+x@gmail.com", "janedoe@gmail.com"),  # gmail ignores dots
        ("j.a.n.e.doe@googlemail.com", "janedoe@gmail.com"),  # googlemail is gmail
        ("", None),
        (None, None),
    ],
)
def test_email_keys(email, key):
    assert identity.email_key(email) == key


@settings(max_examples=150, deadline=None)
@given(
    st.emails()
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=12)
    | st.builds(
        lambda a, b: f" {a}.{a}+{b}@GMail.com ", st.from_regex(r"[a-z]{1,5}", fullmatch=True), st.text(max_size=4)
    )
)
def test_sql_email_key_matches_python(email):
    import duckdb

    got = duckdb.execute(
        f"SELECT {identity.email_key_sql('e')} FROM (SELECT CAST(? AS VARCHAR) AS e)", [email]
    ).fetchone()[0]
    assert got == identity.email_key(email)


@pytest.mark.parametrize(
    ("first", "second", "same_person"),
    [
        (record("stripe", "cus_1", "Jane@Example.com"), record("shopify", None, " jane@example.com"), True),
        (record("stripe", "cus_1", "jane+billing@example.com"), record("shopify", "s1", "jane@example.com"), True),
        (record("stripe", "cus_1", "jane.doe@gmail.com"), record("shopify", "s1", "janedoe@googlemail.com"), True),
        (record("stripe", "cus_1", "jane.doe@example.com"), record("shopify", "s1", "janedoe@example.com"), False),
        (record("stripe", "cus_1", "a@x.com"), record("hubspot", "101", "b@y.com", link=("stripe", "cus_1")), True),
        (record("stripe", "cus_1", "a@x.com"), record("stripe", "cus_1", "b@y.com"), True),  # same source id
        (record("stripe", "cus_1", "a@x.com"), record("stripe", "cus_2", "b@y.com"), False),
    ],
)
def test_same_person_cases(con, first, second, same_person):
    ids = resolve(con, first, second)
    a = ids[(first[0], first[1] or identity.email_key(first[2]))]
    b = ids[(second[0], second[1] or identity.email_key(second[2]))]
    assert (a == b) is same_person
    assert customers(con) == (1 if same_person else 2)


def test_links_work_across_loads_in_either_order(tmp_path):
    from soloml.warehouse import connect

    stripe = record("stripe", "cus_1", "a@x.com")
    hubspot = record("hubspot", "101", "b@y.com", link=("stripe", "cus_1"))
    outcomes = []
    for order, name in (((stripe, hubspot), "one"), ((hubspot, stripe), "two")):
        con = connect(tmp_path / f"{name}.duckdb")
        resolve(con, order[0])
        resolve(con, order[1])
        outcomes.append(customers(con))
        matched = dict(con.execute("SELECT source, matched_by FROM core.customer_identities").fetchall())
        assert matched == {"stripe": "source_id", "hubspot": "source_id"}  # a later load re-rates the earlier record
        con.close()
    assert outcomes == [1, 1]


def test_customer_ids_are_stable_and_independent_of_record_order(tmp_path):
    from soloml.warehouse import connect

    records = [
        record("stripe", "cus_1", "b@x.com"),
        record("shopify", "s9", "B@X.com"),
        record("square", "sq1", "c@x.com"),
    ]
    seen = []
    for i, ordering in enumerate((records, records[::-1])):
        con = connect(tmp_path / f"{i}.duckdb")
        seen.append(sorted(set(resolve(con, *ordering).values())))
        assert sorted(set(resolve(con, *ordering).values())) == seen[-1]  # a reload keeps the ids
        con.close()
    assert seen[0] == seen[1] == sorted([identity.new_customer_id("b@x.com"), identity.new_customer_id("c@x.com")])


def test_a_link_merges_two_known_customers_everywhere(con):
    ids = resolve(
        con,
        record("stripe", "cus_1", "a@x.com", seen="2024-01-01"),
        record("shopify", "s1", "b@y.com", seen="2024-02-01"),
    )
    a, b = ids[("stripe", "cus_1")], ids[("shopify", "s1")]
    assert a != b
    con.execute(
        "INSERT INTO core.orders (order_id, source, customer_id, ordered_at, status, total, currency) VALUES ('shopify:1', 'shopify', ?, now(), 'paid', 1, 'USD')",
        [b],
    )
    resolve(con, record("hubspot", "101", "b@y.com", link=("stripe", "cus_1"), seen="2024-03-01"))
    keep = a  # the id of the smallest email, a@x.com
    assert customers(con) == 1
    assert con.execute("SELECT customer_id FROM core.customers").fetchone()[0] == keep
    assert con.execute("SELECT customer_id FROM core.orders").fetchone()[0] == keep
    assert {r[0] for r in con.execute("SELECT customer_id FROM core.customer_identities").fetchall()} == {keep}


def test_customer_keeps_the_earliest_sighting_and_first_source(con):
    resolve(con, record("shopify", None, "a@x.com", name="Ann", seen="2024-03-01"))
    resolve(con, record("stripe", "cus_1", "a@x.com", seen="2024-01-15"))
    (row,) = rows(con, "SELECT email, name, created_at, first_source FROM core.customers")
    assert row == {"email": "a@x.com", "name": "Ann", "created_at": datetime(2024, 1, 15), "first_source": "stripe"}


def test_exports_from_two_vendors_resolve_people_by_normalised_email(con):
    load(con, "stripe_customers.csv")
    load(con, "shopify_customers.csv")
    load(con, "shopify_orders.csv")
    people = {
        (r["source"], r["source_id"]): r["customer_id"]
        for r in rows(con, "SELECT source, source_id, customer_id FROM core.customer_identities")
    }
    # Shopify customer j.a.n.e.doe@gmail.com and orders by JaneDoe@gmail.com / jane.doe+shop@gmail.com: one person
    assert people[("shopify", "7012345678901")] == people[("shopify", "janedoe@gmail.com")]
    # ... who is not Stripe's jane.doe+billing@example.com (a different address as far as anyone can tell)
    assert people[("stripe", "cus_PA1")] != people[("shopify", "7012345678901")]
    assert people[("shopify", "7012345678902")] == people[("shopify", "frank@example.co.uk")]
    assert rows(con, "SELECT count(*) AS n FROM core.customers")[0]["n"] == 5


# -- issue 11: resolution is a function of the data, not of the load order --------------------------------------


def _resolved(files: dict, order) -> dict[str, list]:
    """Load the exports in `order` into a fresh warehouse; what identity resolution made of them."""
    from soloml.canonical.ingest import detect, route
    from soloml.sources import load_paths
    from soloml.warehouse import connect

    con = connect(":memory:")
    for name in order:
        load_paths(con, [files[name]], detector=detect, router=route)
    out = {
        "customers": con.execute("SELECT * EXCLUDE (_load_id) FROM core.customers ORDER BY ALL").fetchall(),
        "links": con.execute("SELECT * EXCLUDE (_load_id) FROM core.customer_identities ORDER BY ALL").fetchall(),
        "paid_by": con.execute(
            "SELECT payment_id, customer_id FROM core.payments UNION ALL "
            "SELECT order_id, customer_id FROM core.orders UNION ALL "
            "SELECT DISTINCT contact_id, customer_id FROM core.contacts ORDER BY ALL"
        ).fetchall(),
    }
    con.close()
    return out


@pytest.fixture(scope="module")
def world_files(tmp_path_factory):
    from canonical.constants_world import write_world

    files = write_world(tmp_path_factory.mktemp("world")).files
    return files, _resolved(files, list(files))


WORLD_FILES = [
    "stripe_customers.csv",
    "stripe_payments.csv",
    "shopify_orders.csv",
    "square_transactions.csv",
    "hubspot_contacts.csv",
]


@settings(max_examples=4, deadline=None)
@given(order=st.permutations(WORLD_FILES))
def test_loading_the_same_exports_in_any_order_gives_the_same_customers_and_links(world_files, order):
    files, reference = world_files
    assert _resolved(files, order) == reference


@pytest.mark.parametrize("stripe_first", [True, False])
def test_a_changed_email_under_one_stripe_id_joins_both_addresses_whatever_the_order(tmp_path, stripe_first):
    """Issue 11, item 2: the crosswalk kept one email per Stripe customer, so the other address was forgotten."""
    from soloml.warehouse import connect

    con = connect(tmp_path / "w.duckdb")
    stripe = [
        record("stripe", "cus_1", "old@x.com", seen="2024-01-01"),
        record("stripe", "cus_1", "new@x.com", seen="2024-03-01"),
    ]
    shop = [record("shopify", None, "new@x.com", seen="2024-04-01")]
    crm = [record("hubspot", "101", "old@x.com", seen="2023-12-01")]
    for batch in [stripe, shop, crm] if stripe_first else [shop, crm, stripe]:
        resolve(con, *batch)
    assert customers(con) == 1
    con.close()


def test_a_warehouse_resolved_before_the_evidence_table_keeps_its_people(con):
    """An older warehouse has a crosswalk but no core.identity_evidence: its people are carried over, not forgotten."""
    create_core_tables(con)
    con.execute(
        "INSERT INTO core.customers (customer_id, email, name, created_at, first_source) VALUES ('cus_old', 'ann@x.com', 'Ann Lee', '2023-05-01', 'stripe')"
    )
    con.execute(
        "INSERT INTO core.customer_identities VALUES ('stripe', 'cus_1', 'ann@x.com', 'cus_old', 'new', 'old'), "
        "('shopify', 'ann@x.com', 'ann@x.com', 'cus_old', 'email', 'old')"
    )
    ids = resolve(con, record("stripe", "cus_1", "ann.lee@work.com", seen="2024-06-01"))
    (row,) = rows(con, "SELECT customer_id, name, created_at FROM core.customers")
    assert ids[("stripe", "cus_1")] == row["customer_id"] == identity.new_customer_id("ann.lee@work.com")
    assert (row["name"], row["created_at"]) == ("Ann Lee", datetime(2023, 5, 1))
    people = {r["source"]: r["customer_id"] for r in rows(con, "SELECT * FROM core.customer_identities")}
    assert people["shopify"] == people["stripe"]
