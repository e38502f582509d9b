"""`soloml score --engine dask` killed with SIGKILL after it built its scoring table, or after the warehouse wrote its
partitions to staging/: the next command's recovery step drops that table, the staged features file and the
partitions folder, and says so; a live run's table and folder are left alone.
Real processes, a real kill, a real LocalCluster; on DuckDB and on the real Postgres."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("distributed", reason="the Dask engine needs the scale extra: pip install 'soloml[scale]'")

from engine_data import accounts, accounts_workspace, local_cluster

from crashes import killed_at
from soloml.app.train import train_project
from soloml.deploy.recovery import recover
from soloml.deploy.scratch import SCORING_TABLE_MARK, owner_token
from soloml.registry import promote


@pytest.fixture(scope="module")
def client():
    with local_cluster() as c:
        yield c


def _scoring_tables(ws) -> list[str]:
    with ws.connect(read_only=True) as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'features' AND table_name LIKE ?",
            [f"%{SCORING_TABLE_MARK}%"],
        ).fetchall()
    return sorted(str(name) for (name,) in rows if SCORING_TABLE_MARK in str(name))


def _killed_mid_score(ws, client, at: str = "score.scoring_table") -> None:
    version = train_project(ws, "churn", seed=0).version
    with ws.connect() as con:
        promote(con, ws.models_dir, "churn", version)
    killed_at(
        at,
        *("score", "churn", "--engine", "dask", "--scheduler", client.scheduler.address, "-w", str(ws.root)),
    )


@pytest.mark.parametrize("on", ["duckdb", "postgres"])
def test_a_killed_dask_score_leaves_nothing_after_the_next_recovery(client, tmp_path, on, request):
    warehouse = request.getfixturevalue("postgres_warehouse_url") if on == "postgres" else None
    ws = accounts_workspace(tmp_path / "acme", accounts(600, seed=5), warehouse=warehouse)
    _killed_mid_score(ws, client)
    left = _scoring_tables(ws)
    assert len(left) == 1 and left[0].startswith("churn__scoring_"), left  # what the kill left behind
    killed = left[0].rpartition(SCORING_TABLE_MARK)[2]
    staged = ws.root / "staging" / f"features-{killed}.parquet"  # as a kill after predicting leaves it
    staged.write_bytes(b"PAR1")

    with ws.connect() as con:  # a live run's scratch (this process's) is not recovery's to drop
        live = f"churn{SCORING_TABLE_MARK}{owner_token()}"
        con.execute(f'CREATE TABLE features."{live}" AS SELECT 1 AS x')
    done = recover(ws)

    assert _scoring_tables(ws) == [live]
    assert not staged.exists()
    assert f"Dropped features.{left[0]}: the scoring table of an interrupted `soloml score churn`." in done.actions
    assert f"Removed staging/{staged.name}: the features file of an interrupted `soloml score`." in done.actions
    assert os.getpid() == int(live.split("_")[-2]) and str(os.getpid()) not in killed


def test_a_dask_score_killed_with_its_partitions_staged_leaves_no_folder_after_the_next_recovery(client, tmp_path):
    ws = accounts_workspace(tmp_path / "acme", accounts(600, seed=5))
    _killed_mid_score(ws, client, at="dask.score.staged")
    staging = ws.root / "staging"
    [dead] = [p.name for p in staging.glob("dask-score-*")]  # the partitions the kill left behind
    assert any((staging / dead).rglob("*.parquet"))
    live = staging / f"dask-train-{owner_token()}"  # a live run's (this process's) is not recovery's to remove
    live.mkdir()

    done = recover(ws)

    assert sorted(p.name for p in staging.glob("dask-*")) == [live.name]
    assert f"Removed staging/{dead}: the partitions of an interrupted `soloml score --engine dask`." in done.actions
    assert _scoring_tables(ws) == []
