"""Routing into core.* on a Postgres warehouse: the demo business's exports, loaded in two batches into a DuckDB
warehouse and into a Postgres one, give the same core.* tables (every table, every row, types normalised)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

import soloml
from soloml.canonical.identity_tables import IDENTITY_TABLES
from soloml.canonical.schema import TABLES
from soloml.demo.generator import generate_bluebird
from soloml.warehouse.postgres import PostgresConnection
from soloml.workspace import init_workspace

CORE = sorted(t.name for t in (*TABLES.values(), *IDENTITY_TABLES.values()))


def _value(v: Any) -> Any:
    if isinstance(v, Decimal | float):
        return round(float(v), 6)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def _core(con: Any, load_names: dict[str, str]) -> dict[str, list[tuple]]:
    """Every core.* table's rows, sorted, with load ids replaced by the file they came from (ids differ per run)."""
    present = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'core'").fetchall()
    }
    tables = {}
    for name in CORE:
        if name not in present:
            tables[name] = []
            continue
        cur = con.execute(f"SELECT * FROM core.{name}")
        columns = [d[0] for d in cur.description]
        rows = [
            tuple(
                (c, load_names.get(v, v) if c.endswith("load_id") else _value(v))
                for c, v in zip(columns, row, strict=True)
            )
            for row in cur.fetchall()
        ]
        tables[name] = sorted(rows, key=repr)
    return tables


@pytest.fixture(scope="module")
def bluebird(tmp_path_factory):
    return generate_bluebird(tmp_path_factory.mktemp("bluebird_pg"), customers=60, seed=11)


def test_the_demo_exports_give_the_same_core_tables_on_postgres_as_on_duckdb(
    tmp_path, bluebird, postgres_warehouse_url
):
    paths = list(bluebird.paths)
    batches = (paths[:2], paths[2:], paths)  # a second batch meets the first's customers; the third is unchanged
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        results = [r for batch in batches for r in soloml.load(ws, batch).results]
        with ws.connect() as con:
            assert isinstance(con, PostgresConnection) == (kind == "postgres")
            load_names = {
                r[0]: r[1].rsplit("/", 1)[-1] for r in con.execute("SELECT load_id, source FROM ops.loads").fetchall()
            }
            seen[kind] = (
                [(r.status, dict(r.core_rows)) for r in results],
                [n for r in results for n in r.notes],
                _core(con, load_names),
            )
    duck, pg = seen["duckdb"], seen["postgres"]
    assert pg[0] == duck[0]
    assert pg[1] == duck[1]  # the same notes: no "not routed" on Postgres
    assert {n: len(rows) for n, rows in pg[2].items()} == {n: len(rows) for n, rows in duck[2].items()}
    for name in CORE:
        assert pg[2][name] == duck[2][name], name
    assert len(duck[2]["customers"]) > 0 and len(duck[2]["payments"]) > 0 and len(duck[2]["orders"]) > 0
