"""`soloml score --engine dask` past this process's memory: the population's features are built into a warehouse table,
written as partitions by the warehouse and predicted on the workers of a real LocalCluster; this process never builds
the pandas frame of every feature row, and the predictions (rows, scores, ranks, decisions, reasons) are the ones local
scoring gives, on DuckDB and on Postgres."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("distributed", reason="the Dask engine needs the scale extra: pip install 'soloml[scale]'")

from engine_data import accounts, accounts_workspace, local_cluster

import soloml.features
from soloml.app.train import train_project
from soloml.deploy import score_project
from soloml.deploy.frame import feature_matrix
from soloml.engines.dask import DaskEngine
from soloml.registry import load_model, promote

ROWS = 2_500
COLUMNS = "entity_id, score, decision, rank, CAST(top_reasons AS VARCHAR) AS top_reasons"


@pytest.fixture(scope="module")
def client():
    with local_cluster() as c:
        yield c


def _trained(root, *, warehouse=None):
    ws = accounts_workspace(root, accounts(ROWS, seed=31), warehouse=warehouse)
    version = train_project(ws, "churn", seed=0).version
    with ws.connect() as con:
        promote(con, ws.models_dir, "churn", version)
    return ws


def _predictions(ws, run_id: str) -> pd.DataFrame:
    with ws.connect(read_only=True) as con:
        return con.execute(
            f"SELECT {COLUMNS} FROM ops.predictions WHERE run_id = ? ORDER BY entity_id", [run_id]
        ).fetchdf()


def _no_frame_of_every_row(*args, **kwargs):
    raise AssertionError("the dask path must not build the scoring frame in this process")


def _score_both(ws, client, monkeypatch, **options):
    local = score_project(ws, "churn", to=[str(ws.root / "local.csv")], run_id="local", **options)
    shutil.copy(ws.root / "scoring" / "churn" / "features.parquet", ws.root / "local-features.parquet")
    with monkeypatch.context() as m:
        m.setattr(soloml.features, "build_scoring_frame", _no_frame_of_every_row)
        dask = score_project(
            ws,
            "churn",
            to=[str(ws.root / "dask.csv")],
            run_id="dask",
            engine=DaskEngine(client, ws.root / "staging"),
            **options,
        )
    return local, dask


def _assert_same(ws, local, dask):
    assert dask.engine == "dask" and dask.rows == local.rows == ROWS
    assert dask.decided == local.decided > 0 and dask.as_of == local.as_of
    before, after = _predictions(ws, "local"), _predictions(ws, "dask")
    pd.testing.assert_frame_equal(before, after, check_exact=True)
    assert (after["top_reasons"] != "[]").sum() == dask.decided, "reasons for the decided rows, and only those"
    csv = {
        name: pd.read_csv(ws.root / name).sort_values("entity_id", ignore_index=True)
        for name in ("local.csv", "dask.csv")
    }
    pd.testing.assert_frame_equal(
        csv["local.csv"].drop(columns=["run_id", "scored_at"]), csv["dask.csv"].drop(columns=["run_id", "scored_at"])
    )
    model = load_model(ws.models_dir, "churn", "production")
    lookups = [
        pd.read_parquet(path).assign(entity_id=lambda f: f["entity_id"].astype(str)).sort_values("entity_id")
        for path in (ws.root / "local-features.parquet", ws.root / "scoring" / "churn" / "features.parquet")
    ]
    assert lookups[1]["entity_id"].tolist() == sorted(before["entity_id"]), "the serve look-up holds every row"
    matrices = [feature_matrix(model.signature, f) for f in lookups]
    np.testing.assert_array_equal(*matrices)  # `soloml serve` reads the same feature rows for every id
    assert not any((ws.root / "staging").iterdir()), "partitions and the features file are gone after the run"
    with ws.connect(read_only=True) as con:
        left = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'churn%scoring%'")
        assert left.fetchone()[0] == 0, "the scoring table is dropped after the run"


def test_dask_scoring_from_the_warehouse_gives_local_predictions_on_duckdb(client, tmp_path, monkeypatch):
    ws = _trained(tmp_path / "acme")
    local, dask = _score_both(ws, client, monkeypatch)
    _assert_same(ws, local, dask)


def test_with_a_capacity_the_top_rows_and_their_reasons_are_local_ones(client, tmp_path, monkeypatch):
    ws = _trained(tmp_path / "acme")
    local, dask = _score_both(ws, client, monkeypatch, capacity=40)
    assert dask.decided == 40 and dask.top == local.top
    _assert_same(ws, local, dask)


def test_dask_scoring_from_the_warehouse_gives_local_predictions_on_postgres(
    client, tmp_path, monkeypatch, postgres_warehouse_url
):
    ws = _trained(tmp_path / "acme", warehouse=postgres_warehouse_url)
    local, dask = _score_both(ws, client, monkeypatch)
    _assert_same(ws, local, dask)


def test_an_event_recipe_scores_as_of_its_cutoff_with_the_business_ids_as_locally(client, tmp_path, monkeypatch):
    """The demo business's churn project: the population as of the latest data, customers with their own ids and email."""
    import yaml

    import soloml
    from soloml.app.identities import identities
    from soloml.app.interview import write_interview
    from soloml.demo.generator import generate_bluebird
    from soloml.demo.step_project import CEO_ANSWERS
    from soloml.workspace import init_workspace

    bluebird = generate_bluebird(tmp_path / "bluebird", customers=300, seed=7)
    ws = init_workspace(tmp_path / "ws")
    soloml.load(ws, list(bluebird.paths))
    identities(ws)
    project = write_interview(ws, yaml.safe_load(CEO_ANSWERS)).path.stem
    version = train_project(ws, project, seed=7).version
    with ws.connect() as con:
        promote(con, ws.models_dir, project, version)
    local = score_project(ws, project, to=[str(ws.root / "local.csv")], run_id="local", capacity=25)
    with monkeypatch.context() as m:
        m.setattr(soloml.features, "build_scoring_frame", _no_frame_of_every_row)
        dask = score_project(
            ws,
            project,
            to=[str(ws.root / "dask.csv")],
            run_id="dask",
            capacity=25,
            engine=DaskEngine(client, ws.root / "staging"),
        )
    assert dask.as_of == local.as_of is not None and dask.rows == local.rows > 0 and dask.top == local.top
    pd.testing.assert_frame_equal(_predictions(ws, "local"), _predictions(ws, "dask"), check_exact=True)
    csv = [
        pd.read_csv(ws.root / name).drop(columns=["run_id", "scored_at"]).sort_values("entity_id", ignore_index=True)
        for name in ("local.csv", "dask.csv")
    ]
    assert csv[0]["email"].notna().any()
    pd.testing.assert_frame_equal(*csv)
