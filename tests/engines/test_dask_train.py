"""`soloml train --engine dask`: LightGBM's Dask interface on a real LocalCluster of 2 worker processes trains a model as
good as local training on the same data, judged and saved exactly as a local one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the Dask engine needs the scale extra: pip install 'soloml[scale]'")

from engine_data import accounts, accounts_workspace, local_cluster
from sklearn.metrics import roc_auc_score
from typer.testing import CliRunner

from soloml.app.train import train_project
from soloml.cli.app import app
from soloml.engines.dask import DaskEngine
from soloml.errors import ConfigError
from soloml.registry import load_model

ROWS = 5_000


@pytest.fixture(scope="module")
def client():
    with local_cluster() as c:
        yield c


@pytest.fixture(scope="module")
def trained(client, tmp_path_factory):
    """The same workspace trained locally (v0001) and on the cluster through the CLI (v0002)."""
    ws = accounts_workspace(tmp_path_factory.mktemp("dask_train") / "acme", accounts(ROWS, seed=11))
    local = train_project(ws, "churn", seed=0)
    address = client.scheduler.address
    out = CliRunner().invoke(
        app, ["train", "churn", "--engine", "dask", "--scheduler", address, "-w", str(ws.root), "--json"]
    )
    assert out.exit_code == 0, out.output
    return ws, local, json.loads(out.output)


def test_dask_model_is_within_half_a_point_of_auc_of_local_training(trained):
    ws, local, dask_summary = trained
    unseen = accounts(4_000, seed=99)
    y = unseen["churned"].to_numpy()
    aucs = {}
    for version in (local.version, dask_summary["version"]):
        model = load_model(ws.models_dir, "churn", version)
        aucs[version] = roc_auc_score(y, model.booster.predict(model.signature.prepare(unseen)))
    assert aucs[local.version] > 0.7, aucs
    assert abs(aucs[local.version] - aucs[dask_summary["version"]]) < 0.005, aucs


def test_dask_training_is_judged_and_saved_like_local_training(trained):
    ws, local, dask_summary = trained
    facts = local.summary()
    assert (facts["engine"], dask_summary["engine"]) == ("local", "dask")
    # validation, baselines and the verdict are computed the same way, on the same rows
    for key in (
        "model_score",
        "baseline_scores",
        "verdict",
        "metric",
        "threshold",
        "validation",
        "training",
        "n_rounds",
    ):
        assert dask_summary[key] == facts[key], key
    saved = load_model(ws.models_dir, "churn", dask_summary["version"])
    text = (ws.models_dir / "churn" / dask_summary["version"] / "model.txt").read_text()
    assert text.startswith("tree\n") and "pandas_categorical:[[" in text  # LightGBM text, with the plan's category list
    assert saved.booster.num_trees() == local.result.booster.num_trees()  # every blend member refit on the cluster
    assert local.result.n_rounds == local.result.blend[0]["rounds"] < saved.booster.num_trees()


def test_dask_on_a_set_that_fits_says_it_will_only_be_slower(trained):
    _, local, dask_summary = trained
    assert any("will only be slower" in note for note in dask_summary["notes"]), dask_summary["notes"]
    assert not any("--engine dask" in note for note in local.summary()["notes"])


def test_an_unreachable_scheduler_fails_with_the_address_and_what_to_do(tmp_path):
    with pytest.raises(ConfigError) as caught:
        DaskEngine.connect("tcp://127.0.0.1:9", staging=tmp_path, timeout="2s")
    assert "tcp://127.0.0.1:9" in caught.value.message and "--scheduler" in str(caught.value.hint)


def test_json_output_stays_json_when_soloml_starts_its_own_local_workers(tmp_path):
    """The local workers share soloml's terminal, and LightGBM's network set-up prints there ("Trying to bind
    port ..."): that went into the middle of `soloml train --engine dask --json`'s output. A real process, so the
    workers really inherit its stdout."""
    ws = accounts_workspace(tmp_path / "acme", accounts(2_000, seed=5))
    soloml = str(Path(sys.executable).with_name("soloml"))
    done = subprocess.run(
        [soloml, "train", "churn", "--engine", "dask", "-w", str(ws.root), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)  # nothing but the JSON on stdout
    assert summary["engine"] == "dask" and summary["version"] == "v0001"
