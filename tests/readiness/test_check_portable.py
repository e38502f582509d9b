"""`soloml check` on a Postgres warehouse: the demo business loaded into a DuckDB and into a Postgres warehouse
gives the same readiness report (`--json` equal but for the time it was checked; issue 18)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from typer.testing import CliRunner

import soloml
from soloml.cli.app import app
from soloml.demo.generator import generate_bluebird
from soloml.readiness.profile import DATE_SHAPE, NUMBER_SHAPE, profile_table
from soloml.workspace import init_workspace
from warehouse.backends import BACKENDS, fresh


def _check_json(root) -> dict:
    result = CliRunner().invoke(app, ["check", "--json", "--workspace", str(root)])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    facts.pop("checked_at")
    return facts


def test_the_demo_business_gives_the_same_check_report_on_postgres_as_on_duckdb(tmp_path, postgres_warehouse_url):
    bluebird = generate_bluebird(tmp_path / "bluebird", customers=40, seed=5)
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, list(bluebird.paths))
        seen[kind] = _check_json(ws.root)
    duck, pg = seen["duckdb"], seen["postgres"]
    assert [p["table"] for p in pg["profiles"]] == [p["table"] for p in duck["profiles"]]
    for mine, theirs in zip(pg["profiles"], duck["profiles"], strict=True):
        assert mine == theirs, mine["table"]
    assert pg == duck
    assert {f["check"] for f in duck["findings"]} >= {"routing", "identity"}
    types = {c["type"] for p in pg["profiles"] for c in p["columns"]}
    assert "VARCHAR" in types and "text" not in types  # types named as DuckDB names them on both


@pytest.mark.parametrize("backend", BACKENDS)
def test_booleans_and_a_sampled_text_column_profile_the_same_on_each_backend(backend: str) -> None:
    """min/max of a boolean (Postgres has no min(boolean)) and the text shares of a table larger than the sample:
    the sample is the same rows on both (an md5 of the text, not an engine's random sampler)."""
    with fresh(backend) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.t (flag BOOLEAN, code VARCHAR)")
        for i in range(60):
            code = f"{i * 7 % 23}.5" if i % 3 else f"2024-01-{1 + i % 28:02d}" if i % 2 else f"x{i}"
            con.execute("INSERT INTO raw.t VALUES (?, ?)", [i % 4 == 0, code])
        p = profile_table(con, "raw.t", sample_rows=25)
    flag, code = p.column("flag"), p.column("code")
    assert (flag.minimum, flag.maximum, flag.distinct, flag.kind) == (False, True, 2, "boolean")
    assert p.sampled_rows == 25
    # the 25 rows whose code has the smallest md5 (worked out in Python: hashlib.md5 of the text, hex, sorted)
    assert (code.numbers_share, code.dates_share) == _expected_shares(25)


def _expected_shares(n: int) -> tuple[float, float]:
    codes = [f"{i * 7 % 23}.5" if i % 3 else f"2024-01-{1 + i % 28:02d}" if i % 2 else f"x{i}" for i in range(60)]
    sample = sorted(codes, key=lambda c: hashlib.md5(c.encode()).hexdigest())[:n]
    numbers = sum(1 for c in sample if re.search(NUMBER_SHAPE, c))
    dates = sum(1 for c in sample if re.search(DATE_SHAPE, c))
    return numbers / n, dates / n
