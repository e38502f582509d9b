"""The dashboard caches experiment analyses per process; it must never show a stale result.

A real workspace (DuckDB file), a real uvicorn on 127.0.0.1: after the outcome file changes, or new exposures are
logged, the Experiments page shows what `soloml experiment analyze --json` says now, not what it said before.
"""

from __future__ import annotations

import json
import re

import httpx
import markupsafe
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.deploy.runner import running
from soloml.experiments import result_cache
from soloml.experiments.assignment import assign_many
from soloml.experiments.spec import ExperimentSpec, save_experiment
from soloml.web import create_ui

SPEC = {
    "name": "offer",
    "description": "The retention offer",
    "salt": "nov",
    "variants": {"control": 1, "offer": 1},
    "primary": {"name": "retained", "csv": "outcome.csv", "unit_words": "customers", "verb": "kept"},
}


def cli(ws, *args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def write_outcome(ws, ids: list[str], variants: dict[str, str], offer_keeps: int) -> None:
    """Offer customers kept when (index % 10) < offer_keeps, control ones when index % 10 < 3."""
    lines = ["unit_id,value"]
    for i, u in enumerate(ids):
        keeps = offer_keeps if variants[u] == "offer" else 3
        lines.append(f"{u},{int(i % 10 < keeps)}")
    (ws.root / "outcome.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def units_shown(html: str) -> list[int]:
    return [int(n.replace(",", "")) for n in re.findall(r'class="units" data-value="(\d+)"', html)]


def headline_shown(html: str) -> str:
    return re.search(r'<p class="headline">(.*?)</p>', html, re.S).group(1)


def assign(ws, ids: list[str]) -> None:
    (ws.root / "units.csv").write_text("unit_id\n" + "\n".join(ids) + "\n", encoding="utf-8")
    cli(ws, "experiment", "assign", "offer", "--units", str(ws.root / "units.csv"))


def test_the_page_shows_the_new_result_after_the_outcome_file_or_the_exposures_change(ws):
    result_cache.clear()
    spec = ExperimentSpec.model_validate(SPEC)
    save_experiment(spec, ws.experiments_dir)
    ids = [f"cus_{i}" for i in range(400)]
    variants = assign_many(spec, ids)
    assign(ws, ids[:200])
    write_outcome(ws, ids[:200], variants, offer_keeps=3)

    with running(create_ui(ws)) as service, httpx.Client(base_url=service.url, timeout=30) as client:
        first = client.get("/experiments").text
        again = client.get("/experiments").text  # served from the cache: the same numbers
        before = cli(ws, "experiment", "analyze", "offer")
        assert headline_shown(first) == headline_shown(again) == str(markupsafe.escape(before["headline"]))
        assert sum(units_shown(first)) == 200

        write_outcome(ws, ids[:200], variants, offer_keeps=9)  # the outcome file changes
        changed = cli(ws, "experiment", "analyze", "offer")
        assert changed["headline"] != before["headline"]
        assert headline_shown(client.get("/experiments").text) == str(markupsafe.escape(changed["headline"]))

        assign(ws, ids)  # 200 more exposures logged by another process; outcome file unchanged (none kept yet)
        grown = cli(ws, "experiment", "analyze", "offer")
        page = client.get("/experiments").text
        assert sum(units_shown(page)) == 400
        assert headline_shown(page) == str(markupsafe.escape(grown["headline"]))
        assert grown["headline"] != changed["headline"]


def identities_shown(html: str) -> tuple[int, int]:
    m = re.search(r'<strong id="customers">([\d,]+)</strong> customers from ([\d,]+) source records', html)
    return int(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def test_the_data_page_shows_new_identity_numbers_after_a_write_to_the_warehouse(ws):
    from soloml.canonical.schema import create_core_tables
    from soloml.warehouse.stamp import warehouse_stamp

    con = ws.connect()
    create_core_tables(con)
    con.execute(
        "INSERT INTO core.customer_identities (source, source_id, email, customer_id, matched_by) "
        "SELECT 'stripe', 'cus_' || i, 'p' || i || '@example.com', 'c' || i, 'new' FROM range(5) t(i)"
    )
    con.close()
    with running(create_ui(ws)) as service, httpx.Client(base_url=service.url, timeout=30) as client:
        stamp = warehouse_stamp(ws.warehouse_url)
        first = identities_shown(client.get("/data").text)
        again = identities_shown(client.get("/data").text)
        assert warehouse_stamp(ws.warehouse_url) == stamp  # viewing pages does not change the stamp
        cli_before = cli(ws, "identities")
        assert first == again == (cli_before["customers"], cli_before["identities"])

        con = ws.connect()  # another writer: three more records
        con.execute(
            "INSERT INTO core.customer_identities (source, source_id, email, customer_id, matched_by) "
            "SELECT 'shopify', 'sh_' || i, 'p' || i || '@example.com', 'c' || i, 'email' FROM range(3) t(i)"
        )
        con.close()
        cli_after = cli(ws, "identities")
        assert cli_after["identities"] == cli_before["identities"] + 3
        assert identities_shown(client.get("/data").text) == (cli_after["customers"], cli_after["identities"])
