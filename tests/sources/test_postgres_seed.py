"""What a load into a Postgres warehouse copies into its local DuckDB: what the load touches, not the warehouse.
The statements are those a real connection sent to the real server, recorded as they went."""

from __future__ import annotations

import re
from typing import Any

import psycopg
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


STAGES = (
    "_fivetran_deleted,_fivetran_synced,active,closed_won,is_closed,display_order,probability,stage_id,label,"
    "pipeline_id,created_at,updated_at\n"
    "false,2024-01-01 00:00:00,true,false,false,1,0.2,101,Discovery call,p1,2024-01-01 00:00:00,2024-01-01 00:00:00\n"
    "false,2024-01-01 00:00:00,true,true,true,2,1.0,102,Signed,p1,2024-01-01 00:00:00,2024-01-01 00:00:00\n"
)
DEALS = (
    "deal_id,is_deleted,deal_pipeline_id,deal_pipeline_stage_id,owner_id,portal_id,property_dealname,"
    "property_amount,property_closedate,property_createdate\n"
    "7001,false,p1,101,,1,Kiosk,500,2024-03-01 00:00:00,2024-01-10 09:00:00\n"
    "7002,false,p1,102,,1,Cafe,900,2024-02-01 00:00:00,2024-01-11 09:00:00\n"
)


def test_an_adapter_meets_the_raw_table_it_looks_up_loaded_by_an_earlier_load(tmp_path, postgres_warehouse_url):
    """Synced HubSpot deals read raw.hubspot_deal_pipeline_stage for their stage labels: a load of deals alone
    must still find the stages an earlier load brought."""
    (tmp_path / "deal_pipeline_stage.csv").write_text(STAGES, encoding="utf-8")
    (tmp_path / "deal.csv").write_text(DEALS, encoding="utf-8")
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    soloml.load(ws, [tmp_path / "deal_pipeline_stage.csv"])
    soloml.load(ws, [tmp_path / "deal.csv"])
    with ws.connect() as con:
        assert con.execute("SELECT deal_id, stage FROM core.deals WHERE is_current ORDER BY 1").fetchall() == [
            ("hubspot:7001", "Discovery call"),
            ("hubspot:7002", "Signed"),
        ]


def test_a_routed_file_copies_only_the_raw_tables_raw_reads_names(tmp_path, postgres_warehouse_url):
    first, second = generate_bluebird(tmp_path / "bluebird", customers=40, seed=5).paths[:2]
    connect(postgres_warehouse_url).close()
    visits = tmp_path / "visits.csv"
    visits.write_text(ROWS)
    options = {"detector": ingest.detect, "router": ingest.route, "core_tables": create_core_tables}
    assert _load(postgres_warehouse_url, [first, visits], tmp_path, **options)[1] == ["loaded", "loaded"]
    read, statuses = _load(postgres_warehouse_url, [second], tmp_path, raw_reads=lambda detection: (), **options)
    assert statuses == ["loaded"] and not {t for t in read if t.startswith("raw.")}
    assert {t for t in read if t.startswith("core.")}  # the customers and identities it meets


class DropsOneRead(Recording):
    """A real connection whose first read of raw.people fails as a dropped connection would."""

    failed = False

    def execute(self, sql: str, params: Any = None) -> PostgresConnection:
        if not self.failed and sql.startswith("SELECT * FROM raw.") and "people" in sql:
            self.failed = True
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return super().execute(sql, params)


def test_a_failed_copy_of_a_raw_table_is_made_again_for_the_next_file_not_taken_as_whole(
    tmp_path, postgres_warehouse_url
):
    connect(postgres_warehouse_url).close()
    first, a, b = tmp_path / "p.csv", tmp_path / "a" / "p.csv", tmp_path / "b" / "p.csv"
    first.write_text(ROWS)
    for path, row in ((a, "41,a,1.00\n"), (b, "42,b,2.00\n")):
        path.parent.mkdir()
        path.write_text("id,name,amount\n" + row)
    con = Recording(postgres_warehouse_url)
    try:
        load_into_postgres(con, [LoadRequest(str(first), "people")], temp_dir=tmp_path)
    finally:
        con.close()
    con = DropsOneRead(postgres_warehouse_url)
    try:
        summary = load_into_postgres(
            con, [LoadRequest(str(a), "people"), LoadRequest(str(b), "people")], temp_dir=tmp_path
        )
    finally:
        con.close()
    assert [r.status for r in summary.results] == ["failed", "loaded"]
    with connect(postgres_warehouse_url) as pg:  # the first load's 39 rows and b's one, not b's alone
        assert pg.execute("SELECT count(*), max(id) FROM raw.people").fetchall() == [(40, 42)]
