"""`--engine dask` on a set past this machine's memory (forced by a tiny memory figure, a setting of the engine): soloml
validates on a sample of whole entities it can hold, says so, and the cluster trains the saved model on every row,
written as partitions straight from the warehouse."""

from __future__ import annotations

import pytest

pytest.importorskip("distributed", reason="the Dask engine needs the scale extra: pip install 'soloml[scale]'")

from engine_data import accounts, accounts_workspace, local_cluster
from sklearn.metrics import roc_auc_score

from soloml.app.train import train_project
from soloml.engines.advice import SHARE_OF_MEMORY
from soloml.engines.dask import DaskEngine
from soloml.engines.partitions import in_sample
from soloml.engines.warehouse_set import SAMPLE_MARGIN, set_bytes
from soloml.features import cache
from soloml.registry import load_model

ROWS = 16_000
SHARE = 0.25  # the sample the tiny memory figure below leaves room for


@pytest.fixture(scope="module")
def client():
    with local_cluster() as c:
        yield c


def _train_both(ws, client):
    """`ws` trained locally on every row, then with dask against a memory figure that leaves room for SHARE of the set."""
    local = train_project(ws, "churn", seed=0)
    with ws.connect() as con:
        meta = cache.read_meta(con, "churn")
    memory = int(set_bytes(meta) * SHARE / (SAMPLE_MARGIN * SHARE_OF_MEMORY))
    report = train_project(ws, "churn", seed=0, engine=DaskEngine(client, ws.root / "staging", memory=memory))
    return local, report


@pytest.fixture(scope="module")
def sampled(client, tmp_path_factory):
    """The same workspace trained locally on every row (v0001) and with dask past a tiny memory figure (v0002)."""
    frame = accounts(ROWS, seed=21)
    ws = accounts_workspace(tmp_path_factory.mktemp("dask_sample") / "acme", frame)
    local, report = _train_both(ws, client)
    return ws, frame, local, report


def test_the_result_says_it_validated_on_a_sample_of_whole_entities(sampled):
    _, frame, _, report = sampled
    expected = int(in_sample(frame["account_id"], SHARE).sum())  # the md5 rule, computed here in Python
    facts = report.summary()
    sample = facts["cluster"]["sample"]
    assert (sample["entities"], sample["of_entities"], sample["of_rows"]) == (expected, ROWS, ROWS)
    assert expected == 3_923  # the figure docs/scale.md and docs/modeling.md quote
    assert facts["training"]["rows"] == sample["rows"] == expected  # judged on the sample's rows only
    (note,) = [n for n in facts["notes"] if n.startswith("Validated on")]
    assert f"Validated on {expected:,} of {ROWS:,} entities" in note
    assert "past this machine's memory" in note and "trained on all of them on the cluster" in note
    assert not any("will only be slower" in n for n in facts["notes"])


def test_the_cluster_model_was_trained_on_every_row_and_is_as_good_as_a_local_one(sampled):
    ws, _, local, report = sampled
    assert report.cluster["rows_on_cluster"] == ROWS and report.engine == "dask"
    unseen = accounts(4_000, seed=98)
    y = unseen["churned"].to_numpy()
    aucs = {}
    for version in (local.version, report.version):
        model = load_model(ws.models_dir, "churn", version)
        aucs[version] = roc_auc_score(y, model.booster.predict(model.signature.prepare(unseen)))
    assert aucs[local.version] > 0.7, aucs
    assert abs(aucs[local.version] - aucs[report.version]) < 0.01, aucs


def test_the_run_journal_counts_the_rows_trained_on(sampled):
    ws, _, _, report = sampled
    with ws.connect() as con:
        rows, details = con.execute(
            "SELECT rows, details FROM ops.runs WHERE kind = 'train' AND model_version = ?", [report.version]
        ).fetchone()
    assert rows == ROWS and '"rows_on_cluster": 16000' in details


def test_on_a_postgres_warehouse_the_same_entities_are_sampled_and_every_row_reaches_the_cluster(
    client, tmp_path, postgres_warehouse_url
):
    frame = accounts(6_000, seed=23)
    ws = accounts_workspace(tmp_path / "acme", frame, warehouse=postgres_warehouse_url)
    local, report = _train_both(ws, client)
    sample = report.cluster["sample"]
    assert sample["entities"] == int(in_sample(frame["account_id"], SHARE).sum())  # Postgres's md5 = Python's
    assert report.cluster["rows_on_cluster"] == sample["of_rows"] == 6_000
    unseen = accounts(4_000, seed=97)
    aucs = [
        roc_auc_score(unseen["churned"], m.booster.predict(m.signature.prepare(unseen)))
        for m in (load_model(ws.models_dir, "churn", v) for v in (local.version, report.version))
    ]
    assert abs(aucs[0] - aucs[1]) < 0.01, aucs


def test_a_memory_too_small_for_a_useful_sample_is_refused_in_words(client, tmp_path):
    from soloml.errors import ModelError

    ws = accounts_workspace(tmp_path / "acme", accounts(2_000, seed=5))
    with pytest.raises(ModelError, match="too few to validate on"):
        train_project(ws, "churn", engine=DaskEngine(client, ws.root / "staging", memory=10_000))


def test_a_regression_validated_on_a_sample_trains_on_every_row_with_its_label_as_numbers(client, tmp_path):
    from engine_data import churn_spec

    from soloml.projects.spec import save_spec

    frame = accounts(6_000, seed=31)
    ws = accounts_workspace(tmp_path / "acme", frame)
    spec = churn_spec().model_dump()
    spec.update(name="revenue", metric="rmse", done={"metric": "rmse", "value": 100.0})
    spec["label"] = {"definition": "revenue in the next 90 days", "target": "revenue_90d"}
    save_spec(type(churn_spec()).model_validate(spec), ws.projects_dir)
    local = train_project(ws, "revenue", seed=0)
    with ws.connect() as con:
        meta = cache.read_meta(con, "revenue")
    memory = int(set_bytes(meta) * SHARE / (SAMPLE_MARGIN * SHARE_OF_MEMORY))
    report = train_project(ws, "revenue", seed=0, engine=DaskEngine(client, ws.root / "staging", memory=memory))
    assert report.result.task == "regression" and report.cluster["rows_on_cluster"] == 6_000
    assert report.cluster["sample"]["entities"] == int(in_sample(frame["account_id"], SHARE).sum())
    unseen = accounts(2_000, seed=96)
    errors = []
    for version in (local.version, report.version):
        model = load_model(ws.models_dir, "revenue", version)
        predicted = model.booster.predict(model.signature.prepare(unseen))
        errors.append(float(((predicted - unseen["revenue_90d"]) ** 2).mean() ** 0.5))
    assert errors[1] < errors[0] * 1.05, errors  # as good as the local model on every row, give or take


def test_an_event_recipe_samples_whole_customers_every_cutoff_of_each(client, tmp_path):
    """The demo business's churn project: several rows (cutoffs) per customer; a sampled customer brings all of them."""
    import yaml

    import soloml
    from soloml.app.identities import identities
    from soloml.app.interview import write_interview
    from soloml.demo.generator import generate_bluebird
    from soloml.demo.step_project import CEO_ANSWERS
    from soloml.features.trainingset import LABEL
    from soloml.workspace import init_workspace

    bluebird = generate_bluebird(tmp_path / "bluebird", customers=300, seed=7)
    ws = init_workspace(tmp_path / "ws")
    soloml.load(ws, list(bluebird.paths))
    identities(ws)
    project = write_interview(ws, yaml.safe_load(CEO_ANSWERS)).path.stem
    local = train_project(ws, project, seed=7)
    with ws.connect() as con:
        meta = cache.read_meta(con, project)
        rows = cache.read_rows(con, project)
    labeled = rows.loc[rows[LABEL].notna()]
    memory = int(set_bytes(meta) * 0.5 / (SAMPLE_MARGIN * SHARE_OF_MEMORY))
    report = train_project(ws, project, seed=7, engine=DaskEngine(client, ws.root / "staging", memory=memory))
    kept = labeled.loc[in_sample(labeled["entity_id"], 0.5).to_numpy()]
    assert labeled.groupby("entity_id").size().max() > 1  # several cutoffs per customer
    assert report.cluster["sample"]["rows"] == report.result.training["rows"] == len(kept)
    assert report.cluster["sample"]["entities"] == kept["entity_id"].nunique()
    assert report.cluster["rows_on_cluster"] == len(labeled) == local.result.training["rows"]
    assert any(
        n.startswith(f"Validated on {kept['entity_id'].nunique():,} of ") and " customers (" in n
        for n in report.result.notes
    )


def test_a_worker_prepares_warehouse_rows_exactly_as_the_model_reads_them_locally(sampled):
    import numpy as np
    import pandas as pd

    from soloml.engines.dask import LABEL_COLUMN, prepare_partition
    from soloml.features.trainingset import LABEL
    from soloml.modeling import fit as ft

    ws, _, _, report = sampled
    with ws.connect() as con:
        rows = cache.read_rows(con, "churn")
    signature = load_model(ws.models_dir, "churn", report.version).signature
    X = signature.prepare(rows)
    categories = {c: list(X[c].cat.categories) for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)}
    assert categories  # the plan column is a category
    coding = ft.LabelCoding.learn("binary", rows[LABEL])
    worker = prepare_partition(rows, list(signature.names), categories, coding, 1.0)
    assert np.array_equal(worker[list(signature.names)].to_numpy(), signature.matrix(rows), equal_nan=True)
    assert np.array_equal(worker[LABEL_COLUMN].to_numpy(), coding.encode(rows[LABEL]))
