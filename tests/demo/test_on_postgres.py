"""The demo business's cycle on a Postgres warehouse equals the one on a DuckDB file (issue 18).

Bluebird Coffee (300 customers) is loaded into a DuckDB workspace and into a Postgres one (a database of its
own), then each goes through what a user runs: `soloml load`, `soloml interview --answers` (the CEO's churn
project), `soloml features`, `soloml train`, `soloml promote`, `soloml score`, `soloml monitor` (their use
cases in soloml.app), then `soloml forecast` of the demo's revenue project. Both must give the same core.* row
counts, the identical training set, the same model score and verdict, the same ops.predictions rows, the same
drift and the same forecast. Skips without SOLOML_TEST_POSTGRES_URL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pytest
import yaml

import soloml
from soloml.app.check import run_check
from soloml.app.experiment import analyze, assign
from soloml.app.features import features
from soloml.app.forecast import forecast
from soloml.app.identities import identities
from soloml.app.interview import write_interview
from soloml.app.models import promote_model
from soloml.app.monitor import monitor
from soloml.app.score import score
from soloml.app.train import train_project
from soloml.demo.generator import generate_bluebird
from soloml.demo.step_forecast import CEO_ANSWERS as FORECAST_ANSWERS
from soloml.demo.step_project import CEO_ANSWERS
from soloml.errors import DeployError
from soloml.features.cache import read_rows
from soloml.warehouse.postgres import PostgresConnection
from soloml.workspace import Workspace, init_workspace

PROJECT = "churn"
# The retention offer of the demo's impact step, measured here on a real outcome in the data: which of the
# offered customers paid at all (core.payments), so the readout has something to compare on both warehouses.
EXPERIMENT = """\
name: retention-offer
salt: bluebird-cycle
variants: {control: 1, offer: 1}
project: churn
primary:
  name: paid
  sql: >-
    SELECT customer_id AS unit_id, 1 AS value FROM core.payments WHERE status = 'succeeded'
    AND customer_id IN (SELECT unit_id FROM ops.exposures WHERE experiment = 'retention-offer') GROUP BY 1
  missing_value: 0
  unit_words: customers
  verb: kept
"""
NOW = datetime(2026, 12, 1)  # the monitor's clock: freshness is then the same on both
PREDICTION_COLUMNS = ["entity_id", "score", "rank", "decision", "source_system", "source_id", "email", "top_reasons"]


@pytest.fixture(scope="module")
def bluebird(tmp_path_factory):
    return generate_bluebird(tmp_path_factory.mktemp("bluebird_cycle"), customers=300, seed=7)


def _cycle(ws: Workspace, paths: list[Any]) -> dict[str, Any]:
    """Everything a user would run, in order; what each step left behind."""
    loaded = soloml.load(ws, paths)
    checked = run_check(ws, now=NOW).to_facts()
    checked.pop("checked_at")
    matched = identities(ws).to_facts()
    write_interview(ws, yaml.safe_load(CEO_ANSWERS))
    ready = run_check(ws, PROJECT, now=NOW, record=False).to_facts()
    ready.pop("checked_at")
    built = features(ws, PROJECT)
    trained = train_project(ws, PROJECT, seed=7)
    promote_model(ws, PROJECT, trained.version or "candidate")
    scored = score(ws, PROJECT, run_id="weekly-1")
    ws.experiments_dir.mkdir(parents=True, exist_ok=True)
    (ws.experiments_dir / "retention-offer.yaml").write_text(EXPERIMENT)
    assigned = assign(ws, "retention-offer", top_k=(PROJECT, 60)).to_facts()
    readout = analyze(ws, "retention-offer").to_facts()
    watched = monitor(ws, PROJECT, now=NOW)
    write_interview(ws, yaml.safe_load(FORECAST_ANSWERS))  # the demo's second project: next months' revenue
    forecasted = forecast(ws, "revenue").to_facts()
    with ws.connect() as con:
        core = {
            name: con.execute(f"SELECT count(*) FROM core.{name}").fetchone()[0]
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'core' ORDER BY table_name"
            ).fetchall()
        }
        training = read_rows(con, PROJECT)
        predictions = con.execute(
            "SELECT entity_id, score, rank, decision, source_system, source_id, email, CAST(top_reasons AS VARCHAR) "
            "FROM ops.predictions WHERE run_id = 'weekly-1' ORDER BY entity_id"
        ).fetchall()
        arms = sorted(
            con.execute("SELECT unit_id, variant FROM ops.exposures WHERE experiment = 'retention-offer'").fetchall()
        )
        postgres = isinstance(con, PostgresConnection)
    return {
        "postgres": postgres,
        "loaded": [(r.status, dict(r.core_rows)) for r in loaded.results],
        "core": core,
        "check": checked,
        "project_check": ready,
        "identities": matched,
        "experiment": (assigned, arms, readout),
        "features": (built.rows, tuple(built.features), [(c.cutoff, c.rows, c.base_rate) for c in built.cutoffs]),
        "training": training,
        "trained": trained.result,
        "scored": (scored.rows, scored.decided, scored.threshold, scored.as_of),
        "predictions": pd.DataFrame(predictions, columns=PREDICTION_COLUMNS),
        "monitor": watched,
        "forecast": forecasted,
    }


def test_the_whole_demo_cycle_gives_the_same_answers_on_postgres_as_on_duckdb(
    tmp_path, bluebird, postgres_warehouse_url
):
    paths = list(bluebird.paths)
    duck = _cycle(init_workspace(tmp_path / "duckdb", warehouse="warehouse.duckdb"), paths)
    pg = _cycle(init_workspace(tmp_path / "postgres", warehouse=postgres_warehouse_url), paths)
    assert (duck["postgres"], pg["postgres"]) == (False, True)

    assert pg["loaded"] == duck["loaded"]
    assert pg["core"] == duck["core"] and duck["core"]["customers"] > 0
    assert pg["check"] == duck["check"] and duck["check"]["profiles"]
    assert pg["project_check"] == duck["project_check"] and duck["project_check"]["project"] == PROJECT
    assert pg["identities"] == duck["identities"]

    assert pg["features"] == duck["features"]
    keys = ["entity_id", "cutoff"]
    d_train = duck["training"].sort_values(keys).reset_index(drop=True)
    p_train = pg["training"].sort_values(keys).reset_index(drop=True)
    assert list(p_train.columns) == list(d_train.columns)
    assert len(d_train) == duck["features"][0] > 0
    pd.testing.assert_frame_equal(p_train, d_train, check_exact=True)

    d_model, p_model = duck["trained"], pg["trained"]
    assert p_model.metric == d_model.metric
    assert p_model.model_score == d_model.model_score
    assert p_model.baseline_scores == d_model.baseline_scores
    assert p_model.verdict.decision == d_model.verdict.decision
    assert p_model.threshold == d_model.threshold

    assert pg["scored"] == duck["scored"] and duck["scored"][0] > 0
    pd.testing.assert_frame_equal(pg["predictions"], duck["predictions"], check_dtype=False)

    (d_assigned, d_arms, d_readout), (p_assigned, p_arms, p_readout) = duck["experiment"], pg["experiment"]
    assert p_assigned == d_assigned and d_assigned["new_exposures"] == 60
    assert p_arms == d_arms and {arm for _, arm in d_arms} == {"control", "offer"}
    assert p_readout == d_readout  # the readout, to the last digit
    assert sum(v["units"] for v in d_readout["variants"]) == 60

    d_watch, p_watch = duck["monitor"], pg["monitor"]
    assert p_watch.drift == d_watch.drift and d_watch.drift
    assert p_watch.prediction_drift == d_watch.prediction_drift
    assert p_watch.alerts == d_watch.alerts
    assert [f.source for f in p_watch.freshness] == [f.source for f in d_watch.freshness]

    d_fc, p_fc = duck["forecast"], pg["forecast"]
    for key in ("series", "verdict", "metric", "threshold", "baseline_model", "judged_periods"):
        assert p_fc[key] == d_fc[key], key
    assert {s: c["model"] for s, c in p_fc["choices"].items()} == {s: c["model"] for s, c in d_fc["choices"].items()}
    # the monthly sums are added in another order on each warehouse: equal to the last few bits
    assert [(f["period"], f["model"]) for f in p_fc["forecasts"]] == [
        (f["period"], f["model"]) for f in d_fc["forecasts"]
    ]
    assert [f["forecast"] for f in p_fc["forecasts"]] == pytest.approx(
        [f["forecast"] for f in d_fc["forecasts"]], rel=1e-9
    )
    assert p_fc["accuracy"]["value"] == pytest.approx(d_fc["accuracy"]["value"], rel=1e-9)


def test_a_score_the_postgres_warehouse_refuses_mid_run_is_journaled_failed_and_the_previous_predictions_stay(
    tmp_path, bluebird, postgres_warehouse_url
):
    ws = init_workspace(tmp_path / "postgres", warehouse=postgres_warehouse_url)
    soloml.load(ws, list(bluebird.paths))
    write_interview(ws, yaml.safe_load(CEO_ANSWERS))
    trained = train_project(ws, PROJECT, seed=7)
    promote_model(ws, PROJECT, trained.version or "candidate")
    csv = tmp_path / "churn_scores.csv"  # a write-back target too: it must keep the first run's rows
    first = score(ws, PROJECT, run_id="first", to=[str(csv)])
    written = csv.read_bytes()
    with ws.connect() as con:
        # a rule of the database's own (a DBA's trigger): the second run's journal row is refused as it is written
        con.execute(
            "CREATE FUNCTION ops.refuse_second() RETURNS trigger LANGUAGE plpgsql AS "
            "$f$ BEGIN IF NEW.run_id = 'second' AND NEW.status = 'publishing' THEN "
            "RAISE EXCEPTION 'refused by the warehouse'; END IF; RETURN NEW; END $f$"
        )
        con.execute(
            "CREATE TRIGGER refuse_second BEFORE INSERT ON ops.runs FOR EACH ROW EXECUTE FUNCTION ops.refuse_second()"
        )
    with pytest.raises(DeployError, match="previous predictions stay in force"):
        score(ws, PROJECT, run_id="second", to=[str(csv)])
    with ws.connect() as con:
        runs = dict(con.execute("SELECT run_id, status FROM ops.runs WHERE kind = 'score'").fetchall())
        kept = con.execute("SELECT run_id, count(*) FROM ops.predictions GROUP BY run_id").fetchall()
        error = con.execute("SELECT error FROM ops.runs WHERE run_id = 'second'").fetchone()[0]
    assert runs == {"first": "succeeded", "second": "failed"}
    assert kept == [("first", first.rows)]
    assert "refused by the warehouse" in error
    assert csv.read_bytes() == written and b"first" in written
