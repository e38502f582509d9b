"""`soloml load` into a Postgres warehouse: DuckDB types the file, the rows arrive by COPY in one transaction with
the journal; the same rows, journal, quarantine and idempotency as a DuckDB warehouse; a killed load leaves nothing."""

from __future__ import annotations

import pytest

import soloml
from crashes import killed_at
from soloml.errors import WarehouseError
from soloml.sources.postgres_load import CRASHPOINT
from soloml.warehouse.postgres import PostgresConnection
from soloml.workspace import init_workspace

ROWS = "id,name,amount,signup\n" + "".join(f"{i},n{i},{i}.50,2024-01-{i % 28 + 1:02d}\n" for i in range(1, 40))


def _journal(con) -> list[tuple]:
    return con.execute(
        "SELECT status, target_table, rows_in, rows_loaded, rows_quarantined, rows_skipped FROM ops.loads "
        "ORDER BY rows_in, status"
    ).fetchall()


def test_a_load_gives_the_same_rows_journal_quarantine_and_idempotency_as_on_duckdb(tmp_path, postgres_warehouse_url):
    first = tmp_path / "people.csv"
    first.write_text(ROWS + "40,bad,3.00,2024-13-45\n")
    more = tmp_path / "more" / "people.csv"
    more.parent.mkdir()
    more.write_text(ROWS + "40,bad,3.00,2024-13-45\n41,new,2.25,2024-02-03\n")
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        outcomes = [r.status for path in (first, first, more) for r in soloml.load(ws, [path]).results]
        with ws.connect() as con:
            assert isinstance(con, PostgresConnection) == (kind == "postgres")
            rows = con.execute("SELECT id, name, amount, signup, _source_row FROM raw.people ORDER BY id").fetchall()
            quarantine = con.execute(
                "SELECT row_number, reason FROM ops.quarantine ORDER BY row_number, reason"
            ).fetchall()
            seen[kind] = (outcomes, rows, _journal(con), quarantine)
    for got, expected in zip(seen["postgres"], seen["duckdb"], strict=True):
        assert got == expected
    outcomes, rows, journal, quarantine = seen["postgres"]
    assert outcomes == ["loaded", "unchanged", "loaded"]
    assert len(rows) == 40 and [j[0] for j in journal] == ["loaded", "loaded"]
    assert quarantine and "2024-13-45" in quarantine[0][1]


def test_a_killed_load_leaves_no_rows_and_the_next_load_journals_it_interrupted(tmp_path, postgres_warehouse_url):
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    csv = tmp_path / "people.csv"
    csv.write_text(ROWS)
    killed_at(CRASHPOINT, "load", str(csv), "--workspace", str(ws.root))
    with ws.connect() as con:
        assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'").fetchall() == [
            (0,)
        ]  # every row was copied before the kill, none committed
        assert con.execute("SELECT count(*) FROM ops.quarantine").fetchall() == [(0,)]
        assert [r[0] for r in _journal(con)] == ["running"]
    summary = soloml.load(ws, [csv])
    assert any("interrupted" in note for note in summary.cleaned)
    with ws.connect() as con:
        statuses = con.execute("SELECT status, error FROM ops.loads ORDER BY started_at, status").fetchall()
        assert sorted(s for s, _ in statuses) == ["interrupted", "loaded"]
        assert "nothing of it was written" in next(e for s, e in statuses if s == "interrupted")
        assert con.execute("SELECT count(*) FROM raw.people").fetchall() == [(39,)]


@pytest.fixture(autouse=True)
def _no_crash_env(monkeypatch):
    monkeypatch.delenv("SOLOML_PAUSE_AT", raising=False)


def test_a_load_postgres_refuses_says_which_table_changes_nothing_and_is_journaled_failed(
    tmp_path, postgres_warehouse_url
):
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    csv = tmp_path / "people.csv"
    csv.write_text(ROWS)
    soloml.load(ws, [csv])
    with ws.connect() as con:  # someone's view on the raw table: the load cannot replace the table under it
        con.execute("CREATE VIEW public.people_view AS SELECT * FROM raw.people")
    csv.write_text(ROWS + "41,new,2.25,2024-02-03\n")
    with pytest.raises(WarehouseError, match="raw.people") as info:
        soloml.load(ws, [csv])
    assert "people_view" in str(info.value) or "depend" in str(info.value)
    with ws.connect() as con:
        assert con.execute("SELECT count(*) FROM raw.people").fetchall() == [(39,)]
        assert sorted(r[0] for r in con.execute("SELECT status FROM ops.loads").fetchall()) == ["failed", "loaded"]
