"""`soloml identities`: match rates per source pair and the unmatched, as text or JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from canonical.helpers import FIXTURES
from soloml.cli.app import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_identities_reports_match_rates_and_unmatched(ws):
    for name in ("stripe_customers.csv", "stripe_payments.csv", "shopify_customers.csv", "shopify_orders.csv"):
        assert run("load", str(FIXTURES / name), "-w", str(ws.root)).exit_code == 0
    # a Shopify buyer who is also a Stripe customer
    extra = ws.root / "orders.csv"
    header = (FIXTURES / "shopify_orders.csv").read_text().splitlines()[0]
    extra.write_text(
        header
        + "\n#1009,BOB@example.com,paid,,,,,USD,9.00,0.00,0.00,9.00,,0.00,,2024-03-01 10:00:00 +0000,1,Mug,9.00,,M,,,,,,,,,,,,,,,0.00,,5501009,,,,0.00,\n"
    )
    assert run("load", str(extra), "-w", str(ws.root)).exit_code == 0

    result = run("identities", "-w", str(ws.root), "--json", "--top", "3")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    pairs = {(p["source"], p["other"]): (p["customers"], p["also_in_other"]) for p in report["pairs"]}
    # Stripe knows jane, bob, carl, dora, erin; Shopify knows jane (gmail), frank, bob
    assert pairs == {("shopify", "stripe"): (3, 1), ("stripe", "shopify"): (5, 1)}
    assert report["by_source"] == {"shopify": 3, "stripe": 5}
    assert report["unmatched_total"] == 8  # 10 source records, minus Bob's two
    assert len(report["unmatched"]) == 3 and report["unmatched"][0]["source"] == "shopify"

    text = run("identities", "-w", str(ws.root))
    assert text.exit_code == 0
    assert "20.0% of stripe's 5 customers are also in shopify (1)" in text.stdout


def test_identities_on_an_empty_workspace_says_what_to_do(ws):
    result = run("identities", "-w", str(ws.root))
    assert result.exit_code == 0
    assert "soloml load" in result.stdout


def test_identities_outside_a_workspace_fails_with_one_paragraph(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOLOML_WORKSPACE", raising=False)
    result = run("identities")
    assert result.exit_code == 1
    assert "No soloml workspace found" in result.output
