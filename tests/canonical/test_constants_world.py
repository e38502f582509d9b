"""Every fact in the generated world's truth file holds once its exports are loaded (the way the demo's _truth works)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest

from canonical.constants_world import write_world
from canonical.helpers import rows
from soloml.canonical.identity_report import identity_report
from soloml.canonical.identity_suggest import decide
from soloml.canonical.ingest import detect, route
from soloml.sources import load_paths


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from soloml.warehouse import connect

    folder = tmp_path_factory.mktemp("world")
    w = write_world(folder / "exports")
    con = connect(folder / "warehouse.duckdb")
    router = partial(route, crm_timezone=w.facts["crm_timezone"])
    results = {name: load_paths(con, [path], detector=detect, router=router)[0] for name, path in w.files.items()}
    yield w, con, results
    con.close()


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def test_every_fact_of_the_generated_world_holds(world):
    w, con, results = world
    facts, problems = w.facts, []

    def check(what: str, got, want) -> None:
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    crosswalk = {
        (r["source"], r["source_id"]): r["customer_id"] for r in rows(con, "SELECT * FROM core.customer_identities")
    }
    customers = {r["customer_id"]: r for r in rows(con, "SELECT * FROM core.customers")}
    net = {
        r["customer_id"]: r["net"]
        for r in rows(
            con, "SELECT customer_id, sum(net_settled) AS net FROM core.payments WHERE kind = 'charge' GROUP BY 1"
        )
    }
    check("customers", len(customers), facts["customers_before_decisions"])
    owner: dict[str, str] = {}
    for person in facts["people"]:
        ids = {crosswalk.get(tuple(r)) for r in person["records"]}
        check(
            f"{person['person']}: customers holding their records",
            len(ids - {None}),
            2 if person["needs_decision"] else 1,
        )
        check(f"{person['person']}: every record resolved", None in ids, False)
        for cid in ids - {None}:
            if cid in owner:
                problems.append(f"{person['person']} and {owner[cid]} share customer {cid}")
            owner[cid] = person["person"]
            check(f"{person['person']}: name", customers[cid]["name"], person["name"])
            check(f"{person['person']}: has_purchased", customers[cid]["has_purchased"], person["has_purchased"])
        check(
            f"{person['person']}: net settled revenue",
            sum((_money(net.get(c)) or Decimal(0) for c in ids - {None}), Decimal(0)),
            Decimal(person["net_settled"]),
        )
    payments = {r["payment_id"]: r for r in rows(con, "SELECT * FROM core.payments")}
    for p in facts["payments"]:
        got = payments.get(p["payment_id"], {})
        for column in ("status", "currency", "settlement_currency", "dispute_status"):
            check(f"{p['payment_id']}.{column}", got.get(column), p[column])
        for column in ("amount", "amount_settled", "net_settled"):
            check(f"{p['payment_id']}.{column}", _money(got.get(column)), Decimal(p[column]))
    for pid in facts["unlinked_payments"]:
        check(f"{pid}.customer_id", payments[pid]["customer_id"], None)
    orders = {
        r["order_id"]: r
        for r in rows(
            con,
            "SELECT order_id, order_number, status, strftime(canceled_at, '%Y-%m-%d %H:%M:%S') "
            "AS canceled_at, amount_refunded FROM core.orders",
        )
    }
    for o in facts["orders"]:
        got = orders.get(o["order_id"], {})
        for column in ("order_number", "status", "canceled_at"):
            check(f"{o['order_id']}.{column}", got.get(column), o[column])
        check(f"{o['order_id']}.amount_refunded", _money(got.get("amount_refunded")), Decimal(o["amount_refunded"]))
    contacts = {
        r["contact_id"]: r
        for r in rows(
            con,
            "SELECT contact_id, company, strftime(created_at, '%Y-%m-%d %H:%M:%S') AS created_at "
            "FROM core.contacts WHERE is_current",
        )
    }
    for c in facts["contacts"]:
        for column in ("company", "created_at"):
            check(f"{c['contact_id']}.{column}", contacts.get(c["contact_id"], {}).get(column), c[column])
    for name, n in facts["duplicate_rows"].items():
        check(f"{name}: duplicate rows reported", results[name].core_rows.get("_duplicate_rows"), n)

    report = identity_report(con)
    waiting = {frozenset({(s.a.source, s.a.source_id), (s.b.source, s.b.source_id)}): s for s in report.suggestions}
    check("suggestions", len(report.suggestions), len(facts["suggestions"]))
    for pair in facts["suggestions"]:
        key = frozenset(tuple(r) for r in pair)
        if key not in waiting:
            problems.append(f"no suggestion for {pair}")
            continue
        decided = decide(con, waiting[key].suggestion_id, accept=True)
        after = {r["source_id"]: r["customer_id"] for r in rows(con, "SELECT * FROM core.customer_identities")}
        check(f"{pair}: one customer once accepted", {after[r[1]] for r in pair}, {decided.customer_id})
    check(
        "customers after the decisions",
        len(rows(con, "SELECT * FROM core.customers")),
        facts["customers_before_decisions"] - len(facts["suggestions"]),
    )
    assert not problems, "\n".join(problems)
