"""Two soloml processes at once on a Postgres warehouse (issue 18): a scheduled `soloml score` and a person's
`soloml train` of the same project do not lock each other out. Each is paused mid-run, its connection open
(soloml/crashpoints.py), while the other runs to the end in its own process. On a DuckDB file the second one
could not even open the warehouse: one process writes a file at a time. Skips without SOLOML_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest
import yaml

import soloml
from crashes import SOLOML, kill, paused_at
from soloml.app.interview import write_interview
from soloml.app.models import promote_model
from soloml.app.score import score
from soloml.app.serve import service_routers
from soloml.app.train import train_project
from soloml.demo.generator import generate_bluebird
from soloml.demo.step_project import CEO_ANSWERS
from soloml.deploy.runner import app_for_workspace, running
from soloml.workspace import init_workspace

PROJECT = "churn"


@pytest.fixture
def trained(tmp_path, postgres_warehouse_url):
    """Bluebird (300 customers) in a Postgres warehouse, its churn model trained and in production."""
    exports = generate_bluebird(tmp_path / "bluebird", customers=300, seed=7)
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    soloml.load(ws, list(exports.paths))
    write_interview(ws, yaml.safe_load(CEO_ANSWERS))
    promote_model(ws, PROJECT, train_project(ws, PROJECT, seed=7).version or "candidate")
    return ws


def _run(*args: str) -> dict:
    done = subprocess.run([SOLOML, *args, "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    return json.loads(done.stdout)


def test_a_train_runs_to_the_end_while_a_scheduled_score_is_mid_run(trained):
    root = str(trained.root)
    scoring = paused_at("score.staged", "score", PROJECT, "-w", root)  # its run journaled, its rows staged
    try:
        result = _run("train", PROJECT, "-w", root)
    finally:
        kill(scoring)
    assert result["version"] == "v0002" and result["verdict"] in ("DONE", "KEEP_GOING", "NOT_WORTH_IT")


def test_a_score_runs_to_the_end_while_a_train_is_mid_run(trained):
    root = str(trained.root)
    training = paused_at("train.saved", "train", PROJECT, "-w", root)  # its model saved, not yet registered
    try:
        result = _run("score", PROJECT, "-w", root)
    finally:
        kill(training)
    assert result["rows"] > 0 and result["model_version"] == "v0001"  # the paused train has not registered v0002
    with trained.connect() as con:
        scored = con.execute("SELECT count(*) FROM ops.predictions WHERE run_id = ?", [result["run_id"]]).fetchone()[0]
        status = con.execute("SELECT status FROM ops.runs WHERE run_id = ?", [result["run_id"]]).fetchone()[0]
    assert (scored, status) == (result["rows"], "succeeded")


def test_the_service_answers_and_logs_its_predictions_to_the_postgres_warehouse_while_a_score_runs(trained):
    """`soloml serve` on a Postgres warehouse: look-ups by id from the latest score, each answer logged to
    ops.predictions there (origin 'service'; the log was off for a warehouse URL), with a scheduled score paused
    mid-run meanwhile."""
    first = score(trained, PROJECT, run_id="weekly")
    with trained.connect() as con:
        ids = [r[0] for r in con.execute("SELECT entity_id FROM ops.predictions ORDER BY entity_id LIMIT 5").fetchall()]
    scoring = paused_at("score.staged", "score", PROJECT, "-w", str(trained.root))
    try:
        with (
            running(app_for_workspace(trained, routers=service_routers(trained))) as svc,
            httpx.Client(base_url=svc.url) as client,
        ):
            answers = [client.post(f"/v1/{PROJECT}/predict/{i}") for i in ids]
    finally:
        kill(scoring)
    assert [a.status_code for a in answers] == [200] * 5, answers[0].text
    with trained.connect() as con:
        logged = con.execute(
            "SELECT entity_id, model_version FROM ops.predictions WHERE origin = 'service' ORDER BY entity_id"
        ).fetchall()
    assert logged == [(i, "v0001") for i in ids] and first.rows > 5
