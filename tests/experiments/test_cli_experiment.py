import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_effectsize
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.experiments.assignment import assign_many
from soloml.experiments.spec import ExperimentSpec, save_experiment

runner = CliRunner()

SPEC = {
    "name": "offer",
    "description": "The retention offer to high-risk customers",
    "salt": "nov",
    "variants": {"control": 1, "offer": 1},
    "primary": {
        "name": "retained",
        "sql": "SELECT unit_id, value FROM outcome WHERE unit_id IN (SELECT unit_id FROM ops.exposures WHERE experiment = 'offer')",
        "unit_words": "customers",
        "verb": "kept",
        "value_per_unit": 300,
    },
}


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_design_json_matches_statsmodels():
    result = run("experiment", "design", "--baseline-rate", 0.1, "--mde-relative", 0.2, "--power", 0.9, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    reference = NormalIndPower().solve_power(proportion_effectsize(0.12, 0.1), alpha=0.05, power=0.9)
    assert data["nobs1_exact"] == pytest.approx(reference, rel=1e-6)
    assert data["n_control"] == int(np.ceil(reference))


def test_design_with_a_project_takes_the_pace_from_its_capacity(ws):
    (ws.projects_dir / "churn.yaml").write_text(
        "question: who will leave?\ndecision: call them\nstakeholder: CEO\nowner: me\nrecipe: churn\n"
        "label: {definition: no order in 60 days}\nbusiness: {value_per_success: 300, capacity: 140, cycle: weekly}\n"
        "done: {value: 0.3}\n"
    )
    result = run("experiment", "design", "churn", "--baseline-rate", 0.2, "--mde", 0.05, "--json", "-w", ws.root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["units_per_day"] == pytest.approx(20.0)
    assert data["days"] == pytest.approx(data["total"] / 20.0)


def test_design_without_mde_fails_with_one_paragraph():
    result = run("experiment", "design", "--baseline-rate", 0.2)
    assert result.exit_code == 1
    assert "exactly one of --mde" in result.stderr


def _workspace_with_experiment(ws):
    save_experiment(ExperimentSpec.model_validate(SPEC), ws.experiments_dir)
    ids = [f"cus_{i}" for i in range(3000)]
    pd.DataFrame({"unit_id": ids}).to_csv(ws.root / "units.csv", index=False)
    return ids


def test_assign_from_a_file_then_analyze_in_business_words(ws):
    ids = _workspace_with_experiment(ws)
    result = run("experiment", "assign", "offer", "--units", ws.root / "units.csv", "--json", "-w", ws.root)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new_exposures"] == 3000
    spec = ExperimentSpec.model_validate(SPEC)
    variants = assign_many(spec, ids)
    rng = np.random.default_rng(0)
    value = [int(rng.random() < (0.35 if variants[u] == "offer" else 0.28)) for u in ids]
    con = ws.connect()
    con.register("df", pd.DataFrame({"unit_id": ids, "value": value}))
    con.execute("CREATE TABLE outcome AS SELECT * FROM df")
    con.close()
    human = run("experiment", "analyze", "offer", "-w", ws.root)
    assert human.exit_code == 0, human.output
    assert human.stdout.startswith("The retention offer to high-risk customers kept ")
    # a CEO reads only the words; the stable code stays in --json
    assert "Decision: roll out the retention offer to high-risk customers.\n" in human.stdout
    assert "ship offer" not in human.stdout
    data = json.loads(run("experiment", "analyze", "offer", "--json", "-w", ws.root).stdout)
    assert data["decision"] == "ship offer" and data["ci_low"] < data["absolute_lift"] < data["ci_high"]


def test_assign_from_sql_and_top_k(ws):
    _workspace_with_experiment(ws)
    con = ws.connect()
    con.execute(
        "INSERT INTO ops.predictions (run_id, project, model_version, entity_id, score, scored_at, origin) "
        "SELECT 'r1', 'churn', 'v1', 'cus_' || i, i / 1000.0, TIMESTAMP '2026-01-01', 'batch' FROM range(1000) t(i)"
    )
    con.close()
    top = run("experiment", "assign", "offer", "--top-k", "churn", 100, "--json", "-w", ws.root)
    assert top.exit_code == 0, top.output
    assert json.loads(top.stdout)["units"] == 100
    sql = run(
        "experiment",
        "assign",
        "offer",
        "--units",
        "SELECT entity_id AS unit_id FROM ops.predictions",
        "--json",
        "-w",
        ws.root,
    )
    assert json.loads(sql.stdout)["new_exposures"] == 900


def test_unknown_experiment_suggests_the_close_name(ws):
    _workspace_with_experiment(ws)
    result = run("experiment", "analyze", "ofer", "-w", ws.root)
    assert result.exit_code == 1
    assert "Did you mean 'offer'?" in result.stderr


def test_spec_errors_name_the_key(ws):
    (ws.experiments_dir / "bad.yaml").write_text(
        "salt: x\nvariants: {control: 1, offer: -1}\nprimary: {name: m, sql: select 1}\n"
    )
    result = run("experiment", "analyze", "bad", "-w", ws.root)
    assert result.exit_code == 1
    assert "key 'variants'" in result.stderr and "weight -1" in result.stderr


def test_sample_ratio_mismatch_warns_on_stderr_even_with_json(ws):
    ids = _workspace_with_experiment(ws)
    run("experiment", "assign", "offer", "--units", ws.root / "units.csv", "-w", ws.root)
    con = ws.connect()
    con.execute("DELETE FROM ops.exposures WHERE variant = 'offer' AND hash(unit_id) % 4 = 0")
    con.register("df", pd.DataFrame({"unit_id": ids, "value": 0}))
    con.execute("CREATE TABLE outcome AS SELECT * FROM df")
    con.close()
    result = run("experiment", "analyze", "offer", "--json", "-w", ws.root)
    assert result.exit_code == 0
    assert "SAMPLE RATIO MISMATCH" in result.stderr
    assert json.loads(result.stdout)["decision"] == "investigate: sample ratio mismatch"


def _given_arms(ws, ids, column="variant"):
    """Arms drawn somewhere else (not soloml's hash): every third unit is 'offer'."""
    arms = ["offer" if i % 3 == 0 else "control" for i in range(len(ids))]
    con = ws.connect()
    con.register("df", pd.DataFrame({"unit_id": ids, column: arms}))
    con.execute("CREATE TABLE given AS SELECT * FROM df")
    con.close()
    return dict(zip(ids, arms, strict=False))


def _recorded(ws):
    con = ws.connect()
    rows = dict(con.execute("SELECT unit_id, variant FROM ops.exposures WHERE experiment = 'offer'").fetchall())
    con.close()
    return rows


@pytest.mark.parametrize("column, extra", [("variant", []), ("arm", []), ("grp", ["--arm", "grp"])])
def test_assign_keeps_the_arms_a_query_already_holds(ws, column, extra):
    ids = _workspace_with_experiment(ws)[:600]
    given = _given_arms(ws, ids, column)
    result = run(
        "experiment",
        "assign",
        "offer",
        "--units",
        f"SELECT unit_id, {column} FROM given",
        *extra,
        "--json",
        "-w",
        ws.root,
    )
    assert result.exit_code == 0, result.output
    assert _recorded(ws) == given
    assert json.loads(result.stdout)["counts"] == {"control": 400, "offer": 200}


def test_assign_refuses_an_arm_the_experiment_does_not_define(ws):
    ids = _workspace_with_experiment(ws)[:10]
    _given_arms(ws, ids)
    result = run(
        "experiment",
        "assign",
        "offer",
        "--units",
        "SELECT unit_id, CASE WHEN variant = 'offer' THEN 'ofer' ELSE variant END AS variant FROM given",
        "-w",
        ws.root,
    )
    assert result.exit_code == 1
    assert "'ofer'" in result.stderr and "row 1" in result.stderr and "Did you mean 'offer'?" in result.stderr
    assert _recorded(ws) == {}


def test_assign_refuses_to_change_recorded_arms_until_told_to_reassign(ws):
    ids = _workspace_with_experiment(ws)[:600]
    assert run("experiment", "assign", "offer", "--units", ws.root / "units.csv", "-w", ws.root).exit_code == 0
    given = _given_arms(ws, ids)
    before = _recorded(ws)
    refused = run("experiment", "assign", "offer", "--units", "SELECT unit_id, variant FROM given", "-w", ws.root)
    assert refused.exit_code == 1
    assert "Experiment 'offer' already has 3,000 exposed units" in refused.stderr and "--reassign" in refused.stderr
    assert _recorded(ws) == before
    redone = run(
        "experiment",
        "assign",
        "offer",
        "--units",
        "SELECT unit_id, variant FROM given",
        "--reassign",
        "--json",
        "-w",
        ws.root,
    )
    assert redone.exit_code == 0, redone.output
    assert _recorded(ws) == given


def test_assign_after_a_salt_change_is_refused(ws):
    _workspace_with_experiment(ws)
    assert run("experiment", "assign", "offer", "--units", ws.root / "units.csv", "-w", ws.root).exit_code == 0
    save_experiment(ExperimentSpec.model_validate({**SPEC, "salt": "december"}), ws.experiments_dir)
    result = run("experiment", "assign", "offer", "--units", ws.root / "units.csv", "-w", ws.root)
    assert result.exit_code == 1
    assert "would get a different arm" in result.stderr


def test_analyze_json_has_the_relative_effect_and_its_interval_at_the_top(ws):
    ids = _workspace_with_experiment(ws)
    run("experiment", "assign", "offer", "--units", ws.root / "units.csv", "-w", ws.root)
    variants = assign_many(ExperimentSpec.model_validate(SPEC), ids)
    rng = np.random.default_rng(0)
    con = ws.connect()
    con.register(
        "df",
        pd.DataFrame(
            {"unit_id": ids, "value": [int(rng.random() < (0.35 if variants[u] == "offer" else 0.28)) for u in ids]}
        ),
    )
    con.execute("CREATE TABLE outcome AS SELECT * FROM df")
    con.close()
    data = json.loads(run("experiment", "analyze", "offer", "--json", "-w", ws.root).stdout)
    assert data["relative_ci_low"] < data["relative_lift"] < data["relative_ci_high"]
    assert data["relative_lift"] == pytest.approx(data["comparisons"][0]["relative_lift"])
