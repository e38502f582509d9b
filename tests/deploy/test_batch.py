"""`soloml score`: batch predictions for the current population, written atomically and idempotently."""

from __future__ import annotations

import json
import secrets

import httpx
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.deploy import score_project
from soloml.deploy.runner import app_for_workspace, running
from soloml.errors import DeployError
from soloml.registry import load_model


def stored(ws, sql: str, params: list | None = None) -> list[tuple]:
    con = ws.connect(read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def predictions(ws, run_id: str) -> pd.DataFrame:
    con = ws.connect(read_only=True)
    try:
        return con.execute("SELECT * FROM ops.predictions WHERE run_id = ? ORDER BY rank", [run_id]).fetchdf()
    finally:
        con.close()


def test_every_account_is_scored_ranked_and_decided_by_the_model_threshold(trained_ws):
    result = score_project(trained_ws, "churn", run_id="run-1")
    model = load_model(trained_ws.models_dir, "churn")
    frame = stored(trained_ws, "SELECT * FROM raw.accounts ORDER BY account_id")
    rows = predictions(trained_ws, "run-1")
    assert result.rows == len(rows) == len(frame) == 800
    assert rows["rank"].tolist() == list(range(1, 801))
    assert rows["score"].is_monotonic_decreasing
    accounts = pd.DataFrame(
        frame,
        columns=[
            "account_id",
            "plan",
            "orders_90d",
            "failed_payments_30d",
            "email_opens_30d",
            "revenue_90d",
            "auto_renew",
            "churned",
        ],
    )
    expected = dict(zip(accounts["account_id"], model.predict(accounts), strict=False))
    np.testing.assert_allclose(rows["score"], [expected[e] for e in rows["entity_id"]], atol=1e-12)
    assert (rows["decision"] == (rows["score"] >= model.threshold)).all()
    assert (
        result.decided == int(rows["decision"].sum())
        and set(rows["model_version"]) == {"v0001"}
        and set(rows["origin"]) == {"batch"}
    )
    reasons = json.loads(rows["top_reasons"].iloc[0])
    assert 1 <= len(reasons) <= 3 and all(": " in r for r in reasons)
    assert stored(trained_ws, "SELECT kind, status, rows, model_version FROM ops.runs WHERE run_id = 'run-1'") == [
        ("score", "succeeded", 800, "v0001")
    ]


@pytest.mark.parametrize(("reasons_for", "all_rows_explained"), [("decided", False), ("all", True)])
def test_reasons_are_written_for_the_rows_to_act_on_or_for_all(trained_ws, reasons_for: str, all_rows_explained: bool):
    score_project(trained_ws, "churn", run_id="r", capacity=40, reasons_for=reasons_for)
    rows = predictions(trained_ws, "r")
    explained = rows["top_reasons"].map(lambda text: len(json.loads(text)) > 0)
    assert explained[rows["decision"]].all()
    assert explained[~rows["decision"]].all() if all_rows_explained else not explained[~rows["decision"]].any()


def test_rerunning_the_same_run_id_replaces_instead_of_duplicating(trained_ws):
    score_project(trained_ws, "churn", run_id="weekly-2026-11-02")
    score_project(trained_ws, "churn", run_id="weekly-2026-11-02")
    assert stored(trained_ws, "SELECT count(*), count(DISTINCT entity_id) FROM ops.predictions") == [(800, 800)]
    assert stored(trained_ws, "SELECT count(*) FROM ops.runs WHERE run_id = 'weekly-2026-11-02'") == [(1,)]


@pytest.mark.parametrize("capacity", [1, 50, 799])
def test_with_a_capacity_exactly_the_top_n_are_acted_on(trained_ws, capacity: int):
    result = score_project(trained_ws, "churn", run_id="cap", capacity=capacity)
    rows = predictions(trained_ws, "cap")
    assert result.decided == capacity == int(rows["decision"].sum())
    assert rows.loc[rows["decision"], "rank"].max() == capacity


def test_csv_target_holds_the_same_rows(trained_ws, tmp_path):
    target = tmp_path / "out" / "churn_scores.csv"
    result = score_project(trained_ws, "churn", run_id="csv", to=[str(target)])
    csv = pd.read_csv(target)
    assert len(csv) == 800 and set(csv["run_id"]) == {"csv"}
    assert result.outputs[0].target == str(target.resolve())


def test_write_back_lands_in_postgres_and_a_failed_run_leaves_everything_in_force(trained_ws, postgres_url, tmp_path):
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    table = f"soloml_test_{secrets.token_hex(4)}"
    csv = tmp_path / "out" / "scores.csv"
    engine = sa.create_engine(url)
    try:
        score_project(trained_ws, "churn", run_id="good", to=[url, str(csv)], table=table)
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*), min(run_id) FROM {table}")).one() == (800, "good")
        before_csv = csv.read_bytes()
        with pytest.raises(DeployError, match="unchanged"):
            score_project(
                trained_ws,
                "churn",
                run_id="bad",
                to=[str(csv), url, "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"],
                table=table,
            )
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*), min(run_id) FROM {table}")).one() == (800, "good")
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()
    assert csv.read_bytes() == before_csv, "the CSV of the failed run was not published"
    assert stored(trained_ws, "SELECT run_id, count(*) FROM ops.predictions GROUP BY ALL") == [("good", 800)]
    runs = dict(stored(trained_ws, "SELECT run_id, status FROM ops.runs"))
    assert runs == {"good": "succeeded", "bad": "failed"}
    assert "nobody@127.0.0.1:1/nowhere" in stored(trained_ws, "SELECT error FROM ops.runs WHERE run_id = 'bad'")[0][0]
    assert [p.name for p in csv.parent.iterdir()] == ["scores.csv"], "no staged file left behind"


def test_write_back_lands_in_mariadb(trained_ws, mysql_url):
    table = f"soloml_test_{secrets.token_hex(4)}"
    engine = sa.create_engine(mysql_url)
    try:
        score_project(trained_ws, "churn", run_id="m1", to=[mysql_url], table=table)
        with engine.connect() as conn:
            assert conn.execute(sa.text(f"SELECT count(*), sum(decision) FROM {table}")).one()[0] == 800
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        engine.dispose()


def test_without_a_production_model_the_run_fails_and_is_recorded(ws):
    from deploy_helpers import churn_spec

    from soloml.projects.spec import save_spec

    save_spec(churn_spec(), ws.projects_dir)
    with pytest.raises(Exception, match="No saved models for project 'churn'"):
        score_project(ws, "churn", run_id="r")
    assert stored(ws, "SELECT status FROM ops.runs WHERE run_id = 'r'") == [("failed",)]


def test_the_service_looks_up_entities_from_the_latest_batch(trained_ws):
    score_project(trained_ws, "churn", run_id="lookup", reasons_for="all")
    batch = predictions(trained_ws, "lookup").set_index("entity_id")
    with running(app_for_workspace(trained_ws)) as svc, httpx.Client(base_url=svc.url) as client:
        body = client.post("/v1/churn/predict/acct_0007").json()
        missing = client.post("/v1/churn/predict/acct_9999")
    assert body["entity_id"] == "acct_0007" and body["model_version"] == "v0001"
    assert body["score"] == pytest.approx(batch.loc["acct_0007", "score"], abs=1e-12)
    assert body["reasons"] == json.loads(batch.loc["acct_0007", "top_reasons"])
    assert missing.status_code == 404 and "not in the latest scored population" in missing.json()["detail"]


def test_score_command_prints_json_and_fails_with_exit_1(trained_ws, tmp_path):
    runner = CliRunner()
    ok = runner.invoke(
        app,
        [
            "score",
            "churn",
            "--capacity",
            "spec",
            "--run-id",
            "cli",
            "--to",
            str(tmp_path / "s.csv"),
            "-w",
            str(trained_ws.root),
            "--json",
        ],
    )
    assert ok.exit_code == 0, ok.output
    body = json.loads(ok.output)
    assert body["rows"] == 800 and body["decided"] == 50 and body["capacity"] == 50 and body["run_id"] == "cli"
    assert body["top"][0]["rank"] == 1
    bad = runner.invoke(app, ["score", "churn", "--to", str(tmp_path / "s.xlsx"), "-w", str(trained_ws.root)])
    assert bad.exit_code == 1 and "must end in .csv or .parquet" in bad.output


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(1.0)
con.close()
"""


def test_scoring_waits_out_a_short_lock_held_by_another_process(trained_ws):
    import subprocess
    import sys

    holder = subprocess.Popen([sys.executable, "-c", HOLD, trained_ws.warehouse_url], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = score_project(trained_ws, "churn", run_id="after-lock")
    finally:
        holder.wait(10)
    assert result.rows == 800


def test_a_disk_error_mid_run_is_a_clear_error_and_keeps_the_previous_run(trained_ws):
    score_project(trained_ws, "churn", run_id="first")
    import shutil

    shutil.rmtree(trained_ws.root / "scoring")
    (trained_ws.root / "scoring").write_text("not a folder")  # the run cannot keep its look-up rows
    with pytest.raises(DeployError, match="previous predictions stay in force"):
        score_project(trained_ws, "churn", run_id="second")
    assert stored(trained_ws, "SELECT run_id, count(*) FROM ops.predictions GROUP BY ALL") == [("first", 800)]
    assert dict(stored(trained_ws, "SELECT run_id, status FROM ops.runs")) == {"first": "succeeded", "second": "failed"}


def test_scoring_a_forged_version_is_a_clear_error_without_a_traceback(trained_ws):
    from registry.forgery import forge

    forge(trained_ws.models_dir / "churn" / "v0001", lambda meta: meta.__setitem__("threshold", "abc"))
    result = CliRunner().invoke(app, ["score", "churn", "-w", str(trained_ws.root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "threshold is 'abc', not a number" in result.output
