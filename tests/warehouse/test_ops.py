"""warehouse/ops.py: ops.* written and read by column name, whatever order a workspace's columns are in."""

from __future__ import annotations

import json
from datetime import datetime

import psycopg
import pyarrow as pa
import pytest

from soloml.deploy.batch import _record_failure
from soloml.errors import DeployError, WarehouseError
from soloml.warehouse import connect, open_warehouse, ops
from soloml.warehouse.postgres import PostgresConnection, PostgresWarehouse

WHEN = datetime(2026, 11, 2, 6, 0)


def test_every_ops_table_of_the_workspace_is_in_the_one_schema(target):
    con = connect(target)
    present = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'ops'").fetchall()
    }
    assert present == set(ops.SCHEMA)
    for name, spec in ops.SCHEMA.items():
        cols = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = ? "
                "ORDER BY ordinal_position",
                [name],
            ).fetchall()
        ]
        assert cols == list(spec.names)


def test_a_column_name_the_table_lacks_is_refused_before_anything_is_written(target):
    con = connect(target)
    with pytest.raises(WarehouseError, match="ops.runs has no column 'stauts'") as info:
        ops.insert(con, "runs", run_id="r1", kind="train", stauts="succeeded")
    assert "run_id" in info.value.hint
    with pytest.raises(WarehouseError, match="no table ops.run"):
        ops.insert(con, "run", run_id="r1")
    assert con.execute("SELECT count(*) FROM ops.runs").fetchone() == (0,)


def test_a_failed_score_is_recorded_by_name_even_when_the_columns_are_in_another_order(target):
    """batch.py wrote `INSERT INTO ops.runs VALUES (...)` by position: on a workspace whose ops.runs gained `error`
    after `details` (a column added by migration goes last), the error text landed in `details`."""
    con = connect(target)
    con.execute("DROP TABLE ops.runs")
    con.execute(
        "CREATE TABLE ops.runs (run_id VARCHAR PRIMARY KEY, project VARCHAR, kind VARCHAR NOT NULL, model_version VARCHAR, "
        "started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR NOT NULL, rows BIGINT, details JSON, error VARCHAR)"
    )
    _record_failure(con, "score-1", "churn", "v0001", WHEN, lambda: WHEN, DeployError("the model file is missing"))
    row = ops.select(con, "runs", ["status", "rows", "error", "details"], run_id="score-1")
    assert row == [{"status": "failed", "rows": 0, "error": "the model file is missing", "details": None}]


def test_record_run_replaces_a_rerecorded_run_and_keeps_json_readable(target):
    con = connect(target)
    ops.record_run(
        con,
        run_id="r1",
        kind="score",
        status="publishing",
        project="churn",
        started_at=WHEN,
        details={"staged": {"a": "b"}},
    )
    ops.record_run(
        con,
        run_id="r1",
        kind="score",
        status="publishing",
        project="churn",
        started_at=WHEN,
        details={"staged": {}},
        replace=True,
    )
    ops.finish_run(con, "r1", status="succeeded", finished_at=WHEN, details={"decided": 3, "when": WHEN})
    [row] = ops.select(con, "runs", ["status", "finished_at", "details"], run_id="r1")
    assert row["status"] == "succeeded" and row["finished_at"] == WHEN
    assert json.loads(row["details"]) == {"decided": 3, "when": str(WHEN)}


def test_a_frame_is_appended_in_one_statement_with_expressions_for_what_it_lacks(target):
    con = connect(target)
    batch = pa.table(
        {
            "run_id": ["s1", "s1"],
            "project": ["churn"] * 2,
            "model_version": ["v0001"] * 2,
            "entity_id": ["a", "b"],
            "score": [0.9, 0.1],
            "top_reasons": ['[{"feature": "x"}]', "[]"],
            "scored_at": [WHEN, WHEN],
        }
    )
    assert (
        ops.insert_frame(con, "predictions", batch, exprs={"top_reasons": '"top_reasons"::JSON', "origin": "'service'"})
        == 2
    )
    rows = ops.select(con, "predictions", ["entity_id", "origin", "top_reasons"], order_by="entity_id")
    assert rows == [
        {"entity_id": "a", "origin": "service", "top_reasons": '[{"feature": "x"}]'},
        {"entity_id": "b", "origin": "service", "top_reasons": "[]"},
    ]
    with pytest.raises(WarehouseError, match="no column 'probability'"):
        ops.insert_frame(con, "predictions", pa.table({"run_id": ["s2"], "probability": [0.5]}))


def test_a_postgres_url_opens_a_migrated_postgres_warehouse(postgres_warehouse_url):
    for target in (postgres_warehouse_url, postgres_warehouse_url.replace("postgresql://", "postgres://", 1)):
        con = connect(target)
        assert isinstance(con, PostgresConnection)
        assert con.execute("SELECT count(*) FROM ops.schema_version").fetchone()[0] >= 1
        assert con.execute("SELECT count(*) FROM ops.loads").fetchall() == [(0,)]
        con.close()
    wh = open_warehouse(postgres_warehouse_url)
    assert isinstance(wh, PostgresWarehouse) and wh.schemas() == ["ops"] and "ops.runs" in wh.tables("ops")
    wh.close()
    ro = connect(postgres_warehouse_url, read_only=True)
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        ro.execute("CREATE TABLE raw.nope (x INTEGER)")
    ro.close()


def test_an_unknown_warehouse_url_says_which_ones_work(tmp_path):
    with pytest.raises(WarehouseError, match="'mysql' is not a warehouse soloml knows") as info:
        connect("mysql://soloml@db.example.com/warehouse")
    assert "postgresql://" in info.value.hint and "warehouse.duckdb" in info.value.hint
    con = connect(f"duckdb:///{tmp_path / 'w.duckdb'}")
    assert con.execute("SELECT count(*) FROM ops.schema_version").fetchone()[0] >= 1
    assert (tmp_path / "w.duckdb").exists()
