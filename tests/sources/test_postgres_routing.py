"""Routing into core.* on a Postgres warehouse: the demo business's exports, loaded in two batches into a DuckDB
warehouse and into a Postgres one, give the same core.* tables (every table, every row, types normalised)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

import soloml
from crashes import killed_at
from soloml.canonical.identity_tables import IDENTITY_TABLES
from soloml.canonical.schema import TABLES
from soloml.demo.generator import generate_bluebird
from soloml.sources.postgres_load import CRASHPOINT
from soloml.warehouse.postgres import PostgresConnection
from soloml.workspace import init_workspace

CORE = sorted(t.name for t in (*TABLES.values(), *IDENTITY_TABLES.values()))


def _value(v: Any) -> Any:
    if isinstance(v, Decimal | float):
        return round(float(v), 6)
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def _core(con: Any, load_names: dict[str, str], since: datetime | None = None) -> dict[str, list[tuple]]:
    """Every core.* table's rows, sorted, with load ids replaced by the file they came from (ids differ per run)
    and times from `since` on (a load's own clock: history versions closed by it) by their rank among them."""
    present = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'core'").fetchall()
    }
    raw: dict[str, tuple[list[str], list[tuple]]] = {}
    for name in CORE:
        if name in present:
            cur = con.execute(f"SELECT * FROM core.{name}")
            raw[name] = ([d[0] for d in cur.description], cur.fetchall())
    clock = sorted(
        {v for _, rows in raw.values() for row in rows for v in row if isinstance(v, datetime) and since and v >= since}
    )
    ranks = {v: f"load clock {i}" for i, v in enumerate(clock)}
    tables = {}
    for name in CORE:
        columns, rows = raw.get(name, ([], []))
        tables[name] = sorted(
            (
                tuple(
                    (c, load_names.get(v, v) if c.endswith("load_id") else ranks.get(v) or _value(v))
                    for c, v in zip(columns, row, strict=True)
                )
                for row in rows
            ),
            key=repr,
        )
    return tables


@pytest.fixture(autouse=True)
def _no_crash_env(monkeypatch):
    monkeypatch.delenv("SOLOML_PAUSE_AT", raising=False)


@pytest.fixture(scope="module")
def bluebird(tmp_path_factory):
    return generate_bluebird(tmp_path_factory.mktemp("bluebird_pg"), customers=60, seed=11)


def test_the_demo_exports_give_the_same_core_tables_on_postgres_as_on_duckdb(
    tmp_path, bluebird, postgres_warehouse_url
):
    paths = list(bluebird.paths)
    later = generate_bluebird(tmp_path / "later", customers=60, seed=11, end_date=date(2026, 12, 1)).paths
    # a second batch meets the first's customers; the third is unchanged; the fourth, a month later, changes rows
    batches = (paths[:2], paths[2:], paths, later)
    seen = {}
    # after every date in the exports, before every load's clock
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5)
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
                _core(con, load_names, since),
            )
    duck, pg = seen["duckdb"], seen["postgres"]
    assert pg[0] == duck[0]
    assert pg[1] == duck[1]  # the same notes: no "not routed" on Postgres
    assert {n: len(rows) for n, rows in pg[2].items()} == {n: len(rows) for n, rows in duck[2].items()}
    for name in CORE:
        assert pg[2][name] == duck[2][name], name
    assert len(duck[2]["customers"]) > 0 and len(duck[2]["payments"]) > 0 and len(duck[2]["orders"]) > 0
    closed = [row for row in duck[2]["subscriptions"] if dict(row)["valid_to"] is not None]
    assert closed  # the later export closed history versions, the same ones on Postgres


def _counts(con: Any) -> dict[str, int]:
    return {n: len(rows) for n, rows in _core(con, {}).items()}


def test_a_load_killed_before_its_commit_leaves_core_as_it_was_and_the_next_one_routes_it(
    tmp_path, bluebird, postgres_warehouse_url
):
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    first, rest = bluebird.paths[0], [str(p) for p in bluebird.paths[1:]]
    soloml.load(ws, [first])
    with ws.connect() as con:
        before = _core(con, {})
    killed_at(CRASHPOINT, "load", *rest, "--workspace", str(ws.root))
    with ws.connect() as con:
        assert _core(con, {}) == before  # the core rows were copied, none committed
    soloml.load(ws, rest)
    with ws.connect() as con:
        after = _counts(con)
    assert after["payments"] > 0 and after["orders"] > 0 and after["customers"] > len(before["customers"])


def test_a_view_on_a_core_table_stays_and_shows_the_new_rows(tmp_path, bluebird, postgres_warehouse_url):
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    soloml.load(ws, [bluebird.paths[0]])
    with ws.connect() as con:  # someone's report on core.customers: the load changes its rows, not the table
        con.execute("CREATE VIEW public.buyers AS SELECT customer_id FROM core.customers")
        first = con.execute("SELECT count(*) FROM public.buyers").fetchall()[0][0]
    soloml.load(ws, bluebird.paths[1:])
    with ws.connect() as con:
        assert con.execute("SELECT count(*) FROM public.buyers").fetchall()[0][0] > first > 0


def test_a_router_given_without_core_tables_still_meets_the_rows_core_already_holds(
    tmp_path, bluebird, postgres_warehouse_url
):
    from soloml.canonical import ingest
    from soloml.sources import LoadRequest
    from soloml.sources.postgres_load import load_into_postgres
    from soloml.warehouse.connection import connect

    pg = connect(postgres_warehouse_url)
    try:
        for path in bluebird.paths[:2]:  # subscriptions, then payments: the second must keep the first's rows
            load_into_postgres(
                pg, [LoadRequest(str(path))], detector=ingest.detect, router=ingest.route, temp_dir=tmp_path
            )
        counts = _counts(pg)
    finally:
        pg.close()
    assert counts["subscriptions"] > 0 and counts["payments"] > 0
