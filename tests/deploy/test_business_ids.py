"""The scored list carries the business's own ids next to soloml's entity_id: the source system, that
system's id and the email, in ops.predictions, the CSV/Parquet files and database write-back tables."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from features.cdnow import load_cdnow
from soloml.app.train import train_project
from soloml.deploy import score_project
from soloml.deploy.writeback import COLUMNS
from soloml.projects.spec import ProjectSpec, save_spec
from soloml.registry import promote
from soloml.workspace import init_workspace

AGAIN = {
    "name": "again",
    "question": "Who buys again within 90 days?",
    "decision": "send a coupon",
    "stakeholder": "CEO",
    "owner": "data",
    "recipe": "buy_again",
    "label": {"definition": "a purchase within 90 days", "horizon_days": 90},
    "population": {"active_within_days": 180},
    "cutoffs": {"lookback_months": 8},
    "business": {"value_per_success": 20, "cost_per_action": 1, "capacity": 100},
    "done": {"value": 0.3},
}


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """CDNOW (with a made-up email per customer number) loaded through a mapping, buy_again trained, promoted and scored."""
    root = tmp_path_factory.mktemp("ids")
    ws = init_workspace(root / "ws", name="CDNOW")
    log = load_cdnow(ws, emails=True)
    save_spec(ProjectSpec.model_validate(AGAIN), ws.projects_dir)
    report = train_project(ws, "again")
    with ws.connect() as con:
        promote(con, ws.models_dir, "again", report.version)
    targets = (root / "list.csv", root / "list.parquet", root / "crm.duckdb")
    result = score_project(ws, "again", run_id="ids-1", to=[str(t) for t in targets], table="scores")
    with ws.connect() as con:
        stored = con.execute("SELECT * FROM ops.predictions WHERE run_id = 'ids-1'").fetchdf()
        # who each soloml id is in the log, through the orders soloml loaded (order id 'cdnow:<line>'), not the crosswalk
        owner = con.execute(
            "SELECT DISTINCT customer_id, CAST(split_part(order_id, ':', 2) AS INTEGER) AS line FROM core.orders"
        ).fetchdf()
    truth = (
        owner.merge(log[["line", "customer", "email"]], on="line")
        .drop_duplicates("customer_id")
        .set_index("customer_id")
    )
    return result, stored, targets, truth


def test_every_scored_customer_carries_the_source_systems_id_and_email(scored):
    result, stored, _, truth = scored
    assert len(stored) == result.rows > 100
    assert set(stored["source_system"]) == {"cdnow"}
    expected = truth.loc[stored["entity_id"]]
    assert (
        stored["source_id"].tolist() == expected["customer"].tolist()
    )  # CDNOW's own customer number, zero-padded as in the file
    assert stored["email"].tolist() == expected["email"].tolist()
    assert all(t["source_id"] == truth.loc[t["entity_id"], "customer"] for t in result.top)


def test_files_and_write_back_tables_carry_the_same_ids_next_to_the_entity_id(scored):
    _, stored, (csv, parquet, crm), _ = scored
    assert list(COLUMNS[3:7]) == ["entity_id", "source_system", "source_id", "email"]
    want = (
        stored.loc[:, ["entity_id", "source_system", "source_id", "email"]]
        .sort_values("entity_id")
        .reset_index(drop=True)
    )
    with duckdb.connect(str(crm), read_only=True) as con:
        table = con.execute("SELECT * FROM scores").fetchdf()
    for frame in (pd.read_csv(csv, dtype={"source_id": str}), pd.read_parquet(parquet), table):
        assert list(frame.columns) == list(COLUMNS)
        got = frame.loc[:, want.columns].sort_values("entity_id").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_a_table_without_its_own_email_column_gives_its_id_and_no_email(trained_ws):
    score_project(trained_ws, "churn", run_id="t-1")
    with trained_ws.connect() as con:
        rows = con.execute(
            "SELECT entity_id, source_system, source_id, email FROM ops.predictions WHERE run_id = 't-1'"
        ).fetchall()
    assert len(rows) == 800
    assert all(
        system == "raw.accounts" and source_id == entity and email is None for entity, system, source_id, email in rows
    )


def test_a_warehouse_made_before_the_business_ids_gains_their_columns_and_keeps_its_rows(tmp_path):
    from soloml.warehouse import connect

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:
        old.execute("CREATE SCHEMA ops")
        old.execute(
            "CREATE TABLE ops.predictions (run_id VARCHAR NOT NULL, project VARCHAR NOT NULL, model_version VARCHAR NOT NULL, "
            "entity_id VARCHAR, score DOUBLE, decision BOOLEAN, rank INTEGER, top_reasons JSON, scored_at TIMESTAMP NOT NULL, origin VARCHAR)"
        )
        old.execute(
            "INSERT INTO ops.predictions VALUES ('r0', 'churn', 'v0001', 'cus_1', 0.5, true, 1, '[]', TIMESTAMP '2026-01-01', 'batch')"
        )
    with connect(path) as con:
        rows = con.execute("SELECT entity_id, source_system, source_id, email FROM ops.predictions").fetchall()
    assert rows == [("cus_1", None, None, None)]
