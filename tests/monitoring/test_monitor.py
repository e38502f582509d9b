import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.monitoring import check, monitor_project, record

NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
SPEC = (
    "question: who will leave?\ndecision: call them\nstakeholder: CEO\nowner: me\nrecipe: churn\n"
    "label: {definition: no order in 60 days, horizon_days: 60}\nbusiness: {value_per_success: 300, capacity: 100, cycle: weekly}\n"
    "done: {metric: roc_auc, value: 0.7}\n"
)
runner = CliRunner()


def _features(rng, n, shift=0.0):
    return pd.DataFrame(
        {
            "entity_id": [f"c{i}" for i in range(n)],
            "cutoff": pd.Timestamp("2026-10-01"),
            "orders_90d": rng.poisson(4 + shift, n).astype(float),
            "spend_90d": rng.gamma(2, 40 + 20 * shift, n),
            "plan": rng.choice(["basic", "pro"], n),
        }
    )


def _workspace(ws, *, shift=0.0):
    (ws.projects_dir / "churn.yaml").write_text(SPEC)
    rng = np.random.default_rng(0)
    reference = _features(rng, 5000).assign(label=rng.integers(0, 2, 5000))
    con = ws.connect()
    con.register("ref", reference)
    con.execute("CREATE TABLE features.churn AS SELECT * FROM ref")
    con.execute('CREATE TABLE features.churn__meta AS SELECT \'["orders_90d", "spend_90d", "plan"]\'::JSON AS features')
    for run, when, scale in (("r1", NOW - timedelta(days=7), 1.0), ("r2", NOW - timedelta(days=1), 1.0 + shift)):
        con.execute(
            "INSERT INTO ops.predictions (run_id, project, model_version, entity_id, score, decision, scored_at, origin) "
            "SELECT ?, 'churn', 'v1', 'c' || i, least(1.0, random() * ?), false, ?, 'batch' FROM range(2000) t(i)",
            [run, scale, when],
        )
    con.execute(
        "INSERT INTO ops.loads (load_id, source, target_table, finished_at, status) VALUES ('L1', 'stripe.csv', 'raw.stripe_payments', ?, 'loaded')",
        [NOW - timedelta(days=1)],
    )
    con.close()
    folder = ws.root / "scoring" / "churn"
    folder.mkdir(parents=True)
    _features(np.random.default_rng(1), 2000, shift).to_parquet(folder / "features.parquet")


def test_check_and_record_write_one_row_per_check(con):
    rng = np.random.default_rng(0)
    report = check(
        "churn",
        _features(rng, 3000),
        _features(rng, 3000, shift=3.0),
        checked_at=NOW,
        features=["orders_90d", "spend_90d", "plan"],
    )
    assert report.alert and any("orders_90d shifted" in a for a in report.alerts)
    assert record(con, report) == 3
    rows = con.execute("SELECT check_name, subject, alert FROM ops.monitoring ORDER BY subject").fetchall()
    assert rows == [("drift", "orders_90d", True), ("drift", "plan", False), ("drift", "spend_90d", True)]
    record(con, report)  # re-recording the same run replaces, never duplicates
    assert con.execute("SELECT count(*) FROM ops.monitoring").fetchone() == (3,)


def test_monitor_project_is_quiet_when_nothing_moved(ws):
    _workspace(ws)
    report = monitor_project(ws, "churn", now=NOW)
    assert not report.alert, report.alerts
    assert report.model_version == "v1" and report.prediction_drift is not None
    assert [f.source for f in report.freshness] == ["raw.stripe_payments"]


def test_cli_exits_2_with_the_alerts_when_drift_is_injected(ws):
    _workspace(ws, shift=3.0)
    result = runner.invoke(app, ["monitor", "churn", "--json", "-w", str(ws.root)])
    assert result.exit_code == 2, result.output
    data = json.loads(result.stdout)
    assert data["alert"] and {d["feature"] for d in data["drift"] if d["alert"]} == {"orders_90d", "spend_90d"}
    assert data["prediction_drift"]["alert"]
    con = ws.connect(read_only=True)
    assert con.execute("SELECT count(*) FROM ops.monitoring WHERE alert").fetchone()[0] == 3
    con.close()


def test_cli_exits_0_and_prints_words_when_all_is_well(ws):
    _workspace(ws)
    result = runner.invoke(app, ["monitor", "churn", "-w", str(ws.root), "--max-age-days", "3"])
    assert result.exit_code == 0, result.output
    assert "no alerts" in result.stdout and "1 of 1 sources are fresh" in result.stdout


def test_cli_flags_a_stale_source(ws):
    _workspace(ws)
    result = runner.invoke(app, ["monitor", "churn", "-w", str(ws.root), "--max-age-days", "0.5"])
    assert result.exit_code == 2
    assert "raw.stripe_payments last loaded" in result.stderr and "STALE" in result.stderr


def test_unknown_project_is_an_error_not_an_alert(ws):
    result = runner.invoke(app, ["monitor", "nope", "-w", str(ws.root)])
    assert result.exit_code == 1 and "No project 'nope'" in result.stderr


def test_soloml_monitor_is_the_command_from_python(ws):
    import soloml

    _workspace(ws)
    stale = soloml.monitor(str(ws.root), "churn", max_age_days=0.5, now=NOW, save=False)
    fresh = soloml.monitor(ws, "churn", max_age_days=30, now=NOW, save=False)

    assert stale.alert and any("raw.stripe_payments" in a for a in stale.alerts)
    assert not fresh.alert, fresh.alerts
    con = ws.connect(read_only=True)
    assert con.execute("SELECT count(*) FROM ops.monitoring").fetchone()[0] == 0, "save=False records nothing"
    con.close()
