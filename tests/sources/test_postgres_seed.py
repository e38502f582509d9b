"""What a load into a Postgres warehouse copies into its local DuckDB: what the load touches, not the warehouse.
The statements are those a real connection sent to the real server, recorded as they went."""

from __future__ import annotations

import re
from typing import Any

import pytest

import soloml
from soloml.canonical import ingest
from soloml.canonical.schema import create_core_tables
from soloml.demo.generator import generate_bluebird
from soloml.sources import LoadRequest
from soloml.sources.postgres_load import load_into_postgres
from soloml.warehouse.connection import connect
from soloml.warehouse.postgres import PostgresConnection
from soloml.workspace import init_workspace

ROWS = "id,name,amount\n" + "".join(f"{i},n{i},{i}.50\n" for i in range(1, 40))
READS = re.compile(r"\bFROM\s+(raw|core)\.\"?(\w+)", re.IGNORECASE)


class Recording(PostgresConnection):
    """A Postgres connection that keeps the text of every statement it sends."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.statements: list[str] = []

    def execute(self, sql: str, params: Any = None) -> PostgresConnection:
        self.statements.append(sql)
        return super().execute(sql, params)


def _read(con: Recording) -> set[str]:
    """The raw and core tables the load read from Postgres (the quarantine read per raw table is named too)."""
    tables = {f"{m[0]}.{m[1]}" for sql in con.statements for m in READS.findall(sql)}
    tables |= {"ops.quarantine" for sql in con.statements if "FROM ops.quarantine" in sql}
    return tables


def _load(url: str, paths: list[Any], tmp_path, **options: Any) -> tuple[set[str], list[str]]:
    con = Recording(url)
    try:
        summary = load_into_postgres(con, [LoadRequest(str(p)) for p in paths], temp_dir=tmp_path, **options)
        return _read(con), [r.status for r in summary.results]
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _no_crash_env(monkeypatch):
    monkeypatch.delenv("SOLOML_PAUSE_AT", raising=False)


def test_an_unchanged_reload_copies_no_table_and_a_changed_file_only_its_own(tmp_path, postgres_warehouse_url):
    connect(postgres_warehouse_url).close()  # the warehouse's schemas and journal
    people, orders = tmp_path / "people.csv", tmp_path / "orders.csv"
    people.write_text(ROWS + "40,bad,x\n")
    orders.write_text(ROWS.replace("name", "item"))
    assert _load(postgres_warehouse_url, [people, orders], tmp_path)[1] == ["loaded", "loaded"]
    read, statuses = _load(postgres_warehouse_url, [people, orders], tmp_path)
    assert statuses == ["unchanged", "unchanged"] and read == set()
    people.write_text(ROWS + "40,bad,x\n41,new,2.25\n")
    read, statuses = _load(postgres_warehouse_url, [people, orders], tmp_path)
    assert statuses == ["loaded", "unchanged"] and read == {"raw.people", "ops.quarantine"}
    with connect(postgres_warehouse_url) as pg:
        assert pg.execute("SELECT count(*) FROM raw.people").fetchall() == [(40,)]  # 39 + the new row
        assert pg.execute("SELECT count(*) FROM raw.orders").fetchall() == [(39,)]  # untouched
        # row 40, quarantined by each load that read it (as on DuckDB)
        assert pg.execute("SELECT count(*) FROM ops.quarantine").fetchall() == [(2,)]


def test_an_unchanged_routed_reload_copies_no_core_table(tmp_path, postgres_warehouse_url):
    paths = generate_bluebird(tmp_path / "bluebird", customers=40, seed=5).paths[:2]
    connect(postgres_warehouse_url).close()
    options = {"detector": ingest.detect, "router": ingest.route, "core_tables": create_core_tables}
    assert set(_load(postgres_warehouse_url, paths, tmp_path, **options)[1]) == {"loaded"}
    read, statuses = _load(postgres_warehouse_url, paths, tmp_path, **options)
    assert set(statuses) == {"unchanged"} and read == set()


def test_a_failed_file_before_a_good_one_into_the_same_table_keeps_its_earlier_rows_as_on_duckdb(
    tmp_path, postgres_warehouse_url
):
    """The raw table is copied once, outside the failed file's transaction: the next file still meets its rows."""
    first, bad, more = tmp_path / "a" / "p.csv", tmp_path / "b" / "p.csv", tmp_path / "c" / "p.csv"
    bad_rows = "".join(f"{i},x,bad\n" for i in range(50, 90))  # half the rows unreadable: the file fails
    for path, text in ((first, ROWS), (bad, ROWS + bad_rows), (more, ROWS + "41,new,2.25\n")):
        path.parent.mkdir()
        path.write_text(text)
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, [first], as_name="people")
        summary = soloml.load(ws, [bad, more], as_name="people", check=False)
        with ws.connect() as con:
            rows = con.execute("SELECT id, name, amount, _source_row FROM raw.people ORDER BY id").fetchall()
            statuses = sorted(r[0] for r in con.execute("SELECT status FROM ops.loads").fetchall())
        seen[kind] = ([r.status for r in summary.results], rows, statuses)
    assert seen["postgres"] == seen["duckdb"]
    assert seen["postgres"][0] == ["failed", "loaded"] and len(seen["postgres"][1]) == 40


def test_a_file_no_adapter_knows_copies_no_core_table_though_the_load_routes(tmp_path, postgres_warehouse_url):
    paths = generate_bluebird(tmp_path / "bluebird", customers=40, seed=5).paths[:1]
    connect(postgres_warehouse_url).close()
    options = {"detector": ingest.detect, "router": ingest.route, "core_tables": create_core_tables}
    assert _load(postgres_warehouse_url, paths, tmp_path, **options)[1] == ["loaded"]
    visits = tmp_path / "visits.csv"
    visits.write_text(ROWS)
    read, statuses = _load(postgres_warehouse_url, [visits], tmp_path, **options)
    assert statuses == ["loaded"] and read == set()  # a new raw table, nothing of core
    with connect(postgres_warehouse_url) as pg:
        assert pg.execute("SELECT count(*) FROM raw.visits").fetchall() == [(39,)]
        assert pg.execute("SELECT count(*) FROM core.customers").fetchall()[0][0] > 0
