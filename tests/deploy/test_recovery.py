"""Every command first settles what interrupted commands left behind, and says what it did (on stderr).

The real-kill cases SIGKILL a `soloml train` or `soloml promote` process at a named point (soloml/crashpoints.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid

import pytest
from deploy_helpers import train_version
from typer.testing import CliRunner

from crashes import SOLOML, killed_at
from soloml.cli.app import app
from soloml.registry import history

GONE = 999_999_999  # a pid no process has


def leave_leftovers(ws) -> tuple[str, str]:
    """A half-written version and a staged scoring file of processes that are gone."""
    staging = ws.models_dir / "churn" / f".staging-{GONE}-{uuid.uuid4().hex}"
    staging.mkdir()
    (staging / "model.txt").write_text("tree\n")
    scoring = ws.root / "scoring" / "churn"
    scoring.mkdir(parents=True, exist_ok=True)
    temp = scoring / f".features.parquet.tmp-{GONE}-abc123"
    temp.write_bytes(b"PAR1")
    return f"models/churn/{staging.name}", f"scoring/churn/{temp.name}"


@pytest.mark.parametrize(
    "command",
    [["models", "churn"], ["promote", "churn", "v0001"], ["rollback", "churn"], ["score", "churn"], ["train", "churn"]],
    ids=lambda c: c[0],
)
def test_every_command_first_cleans_what_interrupted_commands_left_and_says_so(trained_ws, command: list[str]):
    staging, temp = leave_leftovers(trained_ws)
    result = CliRunner().invoke(app, [*command, "-w", str(trained_ws.root)])
    assert (
        f"Recovered: Removed {staging}: a model version left half-written by an interrupted `soloml train`."
        in result.stderr
    )
    assert f"Recovered: Removed {temp}: a staged file of an interrupted `soloml score churn`." in result.stderr
    assert not (trained_ws.root / staging).exists() and not (trained_ws.root / temp).exists()
    assert result.exit_code == (1 if command[0] == "rollback" else 0), result.output  # nothing earlier to roll back to


def test_serve_runs_the_recovery_step_before_it_listens(trained_ws):
    staging, _ = leave_leftovers(trained_ws)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [SOLOML, "serve", "--port", "0", "-w", str(trained_ws.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        serving = proc.stdout.readline()  # printed just before it listens
    finally:
        proc.terminate()
        _, said = proc.communicate(timeout=30)
    assert serving.startswith("Serving soloml models"), serving + said
    assert f"Recovered: Removed {staging}" in said


def test_a_train_killed_before_registering_its_version_is_registered_by_the_next_command(trained_ws):
    killed_at("train.saved", "train", "churn", "-w", str(trained_ws.root))
    assert (trained_ws.models_dir / "churn" / "v0002" / "checksums.json").is_file()
    listed = CliRunner().invoke(app, ["models", "churn", "-w", str(trained_ws.root), "--json"])
    assert listed.exit_code == 0, listed.output
    assert "Recovered: Registered churn v0002 as the candidate" in listed.stderr
    assert [(m["version"], m["aliases"]) for m in json.loads(listed.stdout)] == [
        ("v0001", ["production"]),
        ("v0002", ["candidate"]),
    ]


def test_a_promotion_killed_before_it_was_recorded_is_recorded_so_rollback_walks_back(trained_ws):
    train_version(trained_ws, params={"num_threads": 1, "num_leaves": 4}, promote_it=False)
    killed_at("registry.aliases_written", "promote", "churn", "v0002", "-w", str(trained_ws.root))
    back = CliRunner().invoke(app, ["rollback", "churn", "-w", str(trained_ws.root)])
    assert back.exit_code == 0, back.output
    assert "Recovered: Recorded in ops.model_events that churn production is v0002" in back.stderr
    assert "churn production rolled back to v0001 (was v0002)." in back.stdout
    with trained_ws.connect() as con:
        assert [e["action"] for e in history(con, "churn")] == ["promote", "recover", "rollback"]


HOLD_LOCK = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
sys.stdin.read()
"""


def test_a_dead_runs_staged_partitions_are_removed_even_when_the_warehouse_cannot_be_opened(tmp_path):
    """The staging folders need no warehouse: with its lock held by another process, recovery still removes a
    gone process's Dask partitions folder (and keeps a live one's), and says what it skipped."""
    import sys

    from soloml.deploy.recovery import recover
    from soloml.deploy.scratch import owner_token
    from soloml.workspace import init_workspace

    ws = init_workspace(tmp_path / "acme", name="Acme")
    machine = owner_token().split("_")[0]
    dead = ws.root / "staging" / f"dask-score-{machine}_{GONE}_0badc0de"
    live = ws.root / "staging" / f"dask-train-{owner_token()}"
    for folder in (dead, live):
        (folder / "in").mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, ws.warehouse_url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        done = recover(ws, lock_timeout=0.5)
    finally:
        holder.stdin.close()
        holder.wait(10)
        holder.stdout.close()
    assert done.skipped and "could not be opened" in done.skipped
    assert not dead.exists() and live.is_dir()
    assert (
        f"Removed staging/{dead.name}: the partitions of an interrupted `soloml score --engine dask`." in done.actions
    )
