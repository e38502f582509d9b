"""`soloml score --engine dask`: partition-wise prediction on a real LocalCluster of 2 worker processes gives the very
predictions local scoring gives, and a worker killed mid-scoring publishes nothing: the previous predictions stay in force."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the Dask engine needs the scale extra: pip install 'soloml[scale]'")

from engine_data import accounts, accounts_workspace, local_cluster
from typer.testing import CliRunner

from soloml.app.train import train_project
from soloml.cli.app import app
from soloml.deploy import score_project
from soloml.registry import promote

SOLOML = str(Path(sys.executable).with_name("soloml"))
WAIT = 180  # seconds: the longest any step below waits for the command to reach a worker, or to end (a busy CI machine is slow)


@pytest.fixture(scope="module")
def client():
    # one lost worker is enough for the scheduler to give up on its task (the default retries it 3 times)
    with local_cluster(**{"distributed.scheduler.allowed-failures": 0}) as c:
        yield c


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    """A workspace whose churn model v0001 is in production and has been scored locally once (run 'local', to crm.csv)."""
    ws = accounts_workspace(tmp_path_factory.mktemp("dask_score") / "acme", accounts(3_000, seed=5))
    version = train_project(ws, "churn", seed=0).version
    con = ws.connect()
    try:
        promote(con, ws.models_dir, "churn", version)
    finally:
        con.close()
    score_project(ws, "churn", to=[str(ws.root / "crm.csv")], run_id="local")
    return ws


def predictions(ws, run_id: str) -> pd.DataFrame:
    con = ws.connect(read_only=True)
    try:
        return con.execute(
            "SELECT entity_id, score, decision, rank FROM ops.predictions WHERE run_id = ? ORDER BY entity_id", [run_id]
        ).fetchdf()
    finally:
        con.close()


def run_status(ws, run_id: str) -> tuple[str, str | None]:
    con = ws.connect(read_only=True)
    try:
        return con.execute("SELECT status, error FROM ops.runs WHERE run_id = ?", [run_id]).fetchone()
    finally:
        con.close()


def test_dask_scoring_gives_the_predictions_local_scoring_gives(ws, client):
    out = CliRunner().invoke(
        app,
        [
            "score",
            "churn",
            "--engine",
            "dask",
            "--scheduler",
            client.scheduler.address,
            "--run-id",
            "dask",
            "--to",
            str(ws.root / "crm.csv"),
            "-w",
            str(ws.root),
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    facts = json.loads(out.output)
    assert facts["engine"] == "dask" and facts["rows"] == 3_000
    local, dask = predictions(ws, "local"), predictions(ws, "dask")
    assert len(local) == 3_000
    pd.testing.assert_frame_equal(local, dask, check_exact=True)
    assert not any((ws.root / "staging").glob("dask-*")), "the partitions are removed after the run"


def test_a_worker_killed_mid_scoring_leaves_the_previous_predictions_in_force(ws, client):
    crm = ws.root / "crm.csv"
    before = crm.read_bytes()
    client.run(
        lambda: os.environ.__setitem__("SOLOML_PAUSE_AT", "dask.partition.0")
    )  # partition 0 sleeps on its worker
    proc = subprocess.Popen(
        [
            SOLOML,
            "score",
            "churn",
            "--engine",
            "dask",
            "--scheduler",
            client.scheduler.address,
            "--run-id",
            "killed",
            "--to",
            str(crm),
            "-w",
            str(ws.root),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        worker = _worker_running(client, "soloml-score-part-0-", proc)
        os.kill(client.run(os.getpid)[worker], signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=WAIT)
    finally:
        proc.kill()
        proc.communicate()
    assert proc.returncode == 1, stdout + stderr
    words = " ".join((stdout + stderr).split())
    assert "a worker died while scoring" in words and "the previous predictions stay in force" in words, words
    assert crm.read_bytes() == before, "the CSV target still holds the previous run"
    assert len(predictions(ws, "killed")) == 0 and len(predictions(ws, "local")) == 3_000
    status, error = run_status(ws, "killed")
    assert status == "failed" and "worker died" in error
    assert not any((ws.root / "staging").glob("dask-*"))


def _worker_running(client, key_prefix: str, proc: subprocess.Popen) -> str:
    """The address of the worker executing a task whose key starts with `key_prefix` (waits at most WAIT seconds)."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"soloml score ended before the worker could be killed: {proc.communicate()}"
        running = client.run(lambda dask_worker: [str(t.key) for t in dask_worker.state.executing])
        for address, keys in running.items():
            if any(k.startswith(key_prefix) for k in keys):
                return address
        time.sleep(0.2)
    raise AssertionError(f"no worker started {key_prefix}* within {WAIT} s")
