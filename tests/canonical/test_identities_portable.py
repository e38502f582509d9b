"""`soloml identities` on a Postgres warehouse: the same match report, suggested links and decisions as on a
DuckDB warehouse after the same loads, accented names included (strip_accents has a second form there; issue 18)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import soloml
from canonical.helpers import write_csv
from canonical.test_identity_suggest import ORDERS, STRIPE_CUSTOMERS, shop_order, stripe_customer
from soloml.cli.app import app
from soloml.workspace import init_workspace

CUSTOMERS = [
    stripe_customer("cus_ZOE", "zoe@bluebird.coffee", "Zoë Núñez", "02139"),
    stripe_customer("cus_JOSE", "jose@acme.com", "José Álvarez", "", phone="+1 (512) 555-0199"),
    stripe_customer("cus_ANN", "ann.lee@acme.com", "Ann Lee", "94110"),
    stripe_customer("cus_TOM", "t.hale@gmail.com", "Tom Hale", "02139"),
]
ORDER_ROWS = [
    shop_order(1001, "zn@work.io", "ZOE NUNEZ", "02139-4307"),
    shop_order(1002, "j.alvarez@work.mx", "Jose\u0301 Alvarez", "73301", phone="512.555.0199"),
    shop_order(1003, "annlee77@yahoo.com", "Ann Lee", "10001"),
    shop_order(1004, "tomh@work.io", "Tom Hale", "02139"),
    shop_order(1005, "T.Hale@googlemail.com", "Tom Hale", "02139"),
]


def _identities(root, *options: str) -> dict:
    result = CliRunner().invoke(app, ["identities", "--json", "--workspace", str(root), *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_identity_report_and_its_decisions_are_the_same_on_postgres_as_on_duckdb(tmp_path, postgres_warehouse_url):
    files = [
        write_csv(tmp_path, "customers.csv", STRIPE_CUSTOMERS + "\n" + "\n".join(CUSTOMERS) + "\n"),
        write_csv(tmp_path, "orders.csv", ORDERS + "\n" + "\n".join(ORDER_ROWS) + "\n"),
    ]
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, files)
        before = _identities(ws.root)
        ids = {frozenset({s["a"]["source_id"], s["b"]["source_id"]}): s["suggestion_id"] for s in before["suggestions"]}
        accept = ids[frozenset({"cus_ZOE", "zn@work.io"})]
        reject = ids[frozenset({"cus_JOSE", "j.alvarez@work.mx"})]
        after = _identities(ws.root, "--accept", accept, "--reject", reject)
        seen[kind] = (before, after)
    (duck_before, duck_after), (pg_before, pg_after) = seen["duckdb"], seen["postgres"]
    assert pg_before == duck_before
    assert pg_after == duck_after
    # the accents: Zoë Núñez / ZOE NUNEZ and a precomposed / combining José are suggested on both
    pairs = {frozenset({s["a"]["source_id"], s["b"]["source_id"]}) for s in duck_before["suggestions"]}
    assert {frozenset({"cus_ZOE", "zn@work.io"}), frozenset({"cus_JOSE", "j.alvarez@work.mx"})} <= pairs
    decided = {d["decision"]: d for d in duck_after["decisions"]}
    assert decided["accepted"]["customer_id"] and decided["rejected"]["customer_id"] is None
    assert not duck_after["suggestions"] or all(
        s["suggestion_id"] not in (accept, reject) for s in duck_after["suggestions"]
    )
