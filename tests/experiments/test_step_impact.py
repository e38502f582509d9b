"""The demo's impact step: a simulated retention test with a known truth, analysed, then the monitor."""

import math

import pandas as pd
import pytest

from soloml.demo import step_impact, step_load, step_project
from soloml.demo.walkthrough import STEP_MODULES, run_demo


def test_impact_is_the_last_demo_step():
    assert STEP_MODULES[-1] == "step_impact"


@pytest.mark.slow
def test_demo_experiment_recovers_the_planted_effect_and_runs_the_monitor(tmp_path):
    summary = run_demo(
        tmp_path / "demo", customers=300, json=True, steps=(step_load.run, step_project.run, step_impact.run)
    )
    impact = summary.steps[-1]
    data = impact.data
    assert data["covered"] is True
    assert math.isfinite(data["experiment"]["ci_low"]) and data["experiment"]["ci_low"] < data["experiment"]["ci_high"]
    assert data["experiment"]["srm_mismatch"] is False
    assert any(line.startswith("The retention offer to high-risk customers") for line in impact.lines)
    assert data["monitor"] is not None and data["monitor"]["project"] == "churn"
    outcome = pd.read_csv(tmp_path / "demo" / step_impact.OUTCOME_FILE)
    assert set(outcome.columns) == {"unit_id", "value", "covariate"}
    _live_performance_uses_labels_matured_since_an_old_scoring_run(tmp_path / "demo")


def _live_performance_uses_labels_matured_since_an_old_scoring_run(root):
    """A scoring run 90 days before the data ends has matured 60-day labels: the monitor scores it."""
    from datetime import timedelta

    from soloml.features.cutoffs import data_end
    from soloml.features.frame_sql import frame_query
    from soloml.monitoring.gather import matured_performance
    from soloml.projects.spec import find_spec
    from soloml.workspace import open_workspace

    ws = open_workspace(root)
    spec = find_spec(ws.projects_dir, "churn")
    con = ws.connect()
    try:
        cutoff = data_end(con).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=90)
        labels = con.execute(frame_query(con, spec, [cutoff], with_label=True).sql).df()
        con.execute(
            "INSERT INTO ops.runs (run_id, project, kind, started_at, status, details) VALUES ('old', 'churn', 'score', ?, 'succeeded', ?)",
            [cutoff, f'{{"as_of": "{cutoff.isoformat()}"}}'],
        )
        # a perfect ranking: the true label plus a little noise
        con.register("lab", labels.assign(score=labels["label"].astype(float) * 0.5 + 0.25))
        con.execute(
            "INSERT INTO ops.predictions (run_id, project, model_version, entity_id, score, decision, scored_at, origin) "
            "SELECT 'old', 'churn', 'v0', entity_id::VARCHAR, score, score > 0.5, ?, 'batch' FROM lab",
            [cutoff],
        )
        perf = matured_performance(con, spec)
    finally:
        con.close()
    assert perf is not None and perf.run_id == "old"
    assert perf.matched == len(labels)
    top = min(spec.business.capacity, len(labels))
    assert perf.metric == "precision_at_capacity"
    assert perf.value == min(1.0, labels["label"].sum() / top)  # a perfect ranking puts every churner first
