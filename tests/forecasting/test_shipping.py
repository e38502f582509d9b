"""A forecast project shipped like any model: registered, promoted, re-forecast, written back, scheduled, served, monitored."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.deploy.runner import app_for_workspace, running
from soloml.errors import RegistryError
from soloml.forecasting.http import forecast_router
from soloml.registry import list_versions, load_model, promote, rollback
from soloml.registry.forecasters import load_forecaster_version
from soloml.reports.wording import wording_problems
from soloml.workspace import init_workspace, open_workspace

from .helpers import insert

runner = CliRunner()
KEY = "forecast-key-0123456789abcdef"

SPEC = """\
name: revenue
question: How much revenue next quarter?
decision: plan purchases
stakeholder: CEO
owner: the data person
recipe: forecast
entity: series
label: {definition: revenue per month, horizon_days: 90}
business: {capacity: 1, currency: USD}
done: {metric: wape, value: 0.25}
forecast: {series: revenue, frequency: month, horizon: 3, level: 0.8}
"""
START = datetime(2021, 1, 1)
MONTHS = 36


def run(ws, *args):
    return runner.invoke(app, [*args, "--workspace", str(ws.root)])


def payments(first_day: int, last_day: int, *, factor: float = 1.0, seed: int = 1, tag: str = "p") -> list[dict]:
    """Daily card payments with a yearly season and growth; `factor` scales what is paid (actuals far off)."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in range(first_day, last_day):
        when = START + timedelta(days=day, hours=10)
        for k in range(rng.poisson(6 * (1 + 0.3 * np.sin(2 * np.pi * day / 365)) * (1 + day / 2000))):
            rows.append(
                {
                    "payment_id": f"{tag}{day}-{k}",
                    "kind": "charge",
                    "status": "succeeded",
                    "amount": round(float(rng.gamma(4, 10)) * factor, 2),
                    "currency": "USD",
                    "paid_at": when,
                    "source": "stripe",
                }
            )
    return rows


def days_until(months: int) -> int:
    return (pd.Timestamp(START) + pd.DateOffset(months=months) - pd.Timestamp(START)).days


@pytest.fixture(scope="module")
def forecast_template(tmp_path_factory) -> Path:
    """A workspace whose 'revenue' project has been forecast once (v0001, candidate) on 36 whole months."""
    ws = init_workspace(tmp_path_factory.mktemp("ship") / "acme", name="Acme")
    with ws.connect() as con:
        insert(con, "payments", payments(0, days_until(MONTHS) + 3))  # 3 days into month 37: a partial month, left out
    (ws.projects_dir / "revenue.yaml").write_text(SPEC, encoding="utf-8")
    result = run(ws, "forecast", "revenue", "--json")
    assert result.exit_code == 0, result.output
    return ws.root


@pytest.fixture
def ws(forecast_template, tmp_path):
    target = tmp_path / "acme"
    shutil.copytree(forecast_template, target)
    return open_workspace(target)


def test_a_forecast_is_registered_as_a_forecaster_version_listed_by_soloml_models(ws):
    listed = run(ws, "models", "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["project"], r["version"], r["kind"], r["aliases"]) for r in rows] == [
        ("revenue", "v0001", "forecaster", ["candidate"])
    ]
    assert (
        rows[0]["metric"] == "wape"
        and rows[0]["threshold"] == 0.25
        and rows[0]["verdict"] in ("DONE", "KEEP_GOING", "NOT_WORTH_IT")
    )
    v = load_forecaster_version(ws.models_dir, "revenue", "candidate")
    assert (
        v.metadata["kind"] == "forecaster"
        and v.metadata["lineage"]["last_period"] == "2023-12"
        and v.metadata["spec_hash"]
    )
    sums = json.loads((v.path / "checksums.json").read_text())
    assert "metadata.json" in sums and "forecaster/forecaster.json" in sums and "forecaster/forecasts.parquet" in sums
    assert "revenue v0001 (forecaster) [candidate]" in run(ws, "models").output


def test_loading_a_forecaster_as_a_booster_is_refused_with_what_to_do(ws):
    with ws.connect() as con:
        promote(con, ws.models_dir, "revenue", "v0001")
    with pytest.raises(RegistryError, match=r"revenue v0001 is a forecaster, not a LightGBM model") as err:
        load_model(ws.models_dir, "revenue")
    assert "soloml forecast revenue --use production" in err.value.hint
    scored = run(ws, "score", "revenue")
    assert scored.exit_code != 0 and "forecast" in scored.output


def test_a_changed_forecaster_file_is_refused(ws):
    path = ws.models_dir / "revenue" / "v0001" / "forecaster" / "history.parquet"
    path.write_bytes(path.read_bytes() + b"x")
    with pytest.raises(RegistryError, match=r"history.parquet does not match its recorded SHA-256"):
        load_forecaster_version(ws.models_dir, "revenue", "v0001")


def test_promote_and_rollback_move_forecaster_versions_like_models(ws):
    again = run(ws, "forecast", "revenue", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["model_version"] == "v0002"
    with ws.connect() as con:
        promote(con, ws.models_dir, "revenue", "v0001")
        promote(con, ws.models_dir, "revenue", "v0002")
        back = rollback(con, ws.models_dir, "revenue")
    assert back.version == "v0001"
    assert {i.version: i.kind for i in list_versions(ws.models_dir, "revenue")} == {
        "v0001": "forecaster",
        "v0002": "forecaster",
    }


def test_use_production_reforecasts_from_newer_data_with_the_promoted_choices_and_registers_nothing(ws):
    assert run(ws, "promote", "revenue", "v0001").exit_code == 0
    first = load_forecaster_version(ws.models_dir, "revenue").forecasts()
    with ws.connect() as con:  # two more whole months arrive
        insert(con, "payments", payments(days_until(MONTHS) + 3, days_until(MONTHS + 2) + 2, seed=5, tag="n"))
    result = run(ws, "forecast", "revenue", "--use", "production", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["model_version"] == "v0001" and out["reused"] is True
    assert [r["period"] for r in out["forecasts"]] == ["2024-03", "2024-04", "2024-05"]
    assert str(first["ds"].min())[:7] == "2024-01"
    assert [i.version for i in list_versions(ws.models_dir, "revenue")] == ["v0001"]
    models = {c["model"] for c in out["choices"].values()}
    saved = load_forecaster_version(ws.models_dir, "revenue").metadata["choices"]
    assert models == {c["model"] for c in saved.values()}
    with ws.connect() as con:
        row = con.execute("SELECT model_version, status FROM ops.runs WHERE run_id = ?", [out["run_id"]]).fetchone()
        stored = con.execute("SELECT count(*) FROM ops.forecasts WHERE run_id = ?", [out["run_id"]]).fetchone()[0]
    assert row == ("v0001", "succeeded") and stored == 3


def test_forecasts_go_to_the_spec_write_back_targets_and_to(ws, tmp_path):
    spec = SPEC.replace("level: 0.8}", f"level: 0.8, write_to: ['{tmp_path / 'plan.csv'}']}}")
    (ws.projects_dir / "revenue.yaml").write_text(spec, encoding="utf-8")
    db = tmp_path / "crm.duckdb"
    result = run(ws, "forecast", "revenue", "--to", str(db), "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    csv = pd.read_csv(tmp_path / "plan.csv")
    assert list(csv.columns) == [
        "run_id",
        "project",
        "model_version",
        "series_id",
        "period",
        "step",
        "forecast",
        "lower",
        "upper",
        "level",
        "model",
        "made_at",
    ]
    assert len(csv) == 3 and set(csv["run_id"]) == {out["run_id"]} and set(csv["model_version"]) == {"v0002"}
    np.testing.assert_allclose(csv["forecast"], [r["forecast"] for r in out["forecasts"]])
    con = duckdb.connect(str(db))
    try:
        table = con.execute("SELECT period, forecast FROM soloml_revenue_forecasts ORDER BY period").df()
    finally:
        con.close()
    np.testing.assert_allclose(table["forecast"], csv["forecast"])
    assert {o["target"] for o in out["outputs"]} == {str((tmp_path / "plan.csv").resolve()), str(db.resolve())}


def test_cron_prints_a_schedule_that_reforecasts_with_the_promoted_forecaster(ws):
    result = run(ws, "forecast", "revenue", "--cron", "0 6 1 * *", "--to", "plan.csv", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["crontab"].startswith("0 6 1 * * cd ")
    assert " forecast revenue --workspace " in plan["command"] and plan["command"].endswith(
        "--use production --to plan.csv"
    )
    assert plan["service_name"] == "soloml-forecast-revenue" and "forecast project revenue" in plan["service_unit"]
    assert plan["on_calendar"] == ["*-*-01 06:00:00"]


def test_service_serves_the_production_forecasters_latest_forecast_with_the_key_rule(ws):
    assert run(ws, "promote", "revenue", "v0001").exit_code == 0
    with ws.connect() as con:
        insert(con, "payments", payments(days_until(MONTHS) + 3, days_until(MONTHS + 1) + 2, seed=6, tag="m"))
    svc_app = app_for_workspace(ws, api_key=KEY, watch_seconds=0.1, routers=(forecast_router(ws.models_dir, ws.root),))
    with running(svc_app) as svc, httpx.Client(base_url=svc.url, timeout=10) as client:
        assert client.get("/v1/revenue/forecast").status_code == 401
        saved = client.get("/v1/revenue/forecast", headers={"X-API-Key": KEY})
        assert saved.status_code == 200, saved.text
        body = saved.json()
        assert body["model_version"] == "v0001" and body["series"] == ["revenue"] and body["frequency"] == "month"
        assert [r["period"] for r in body["forecasts"]] == ["2024-01", "2024-02", "2024-03"]
        assert all(r["lower"] <= r["forecast"] <= r["upper"] for r in body["forecasts"])
        again = run(ws, "forecast", "revenue", "--use", "production", "--json")  # a newer forecast by the same version
        assert again.exit_code == 0, again.output
        latest = client.get("/v1/revenue/forecast", headers={"X-API-Key": KEY}).json()
        assert latest["run_id"] == json.loads(again.stdout)["run_id"] and latest["forecasts"][0]["period"] == "2024-02"
        assert client.get("/v1/nothing/forecast", headers={"X-API-Key": KEY}).status_code == 404
        ready = client.get("/ready").json()
        assert ready["forecasters"] == {"revenue": "v0001"}
        assert "/v1/revenue/forecast" in client.get("/openapi.json").json()["paths"]  # documented where mounted


def test_monitor_alerts_when_actuals_are_far_off_and_not_when_they_are_close(ws, tmp_path):
    assert run(ws, "promote", "revenue", "v0001").exit_code == 0
    close, far = ws, open_workspace(shutil.copytree(ws.root, tmp_path / "far"))
    tail = (days_until(MONTHS) + 3, days_until(MONTHS + 2) + 2)
    with close.connect() as con:
        insert(con, "payments", payments(*tail, seed=8, tag="c"))
    with far.connect() as con:
        insert(con, "payments", payments(*tail, factor=3.0, seed=8, tag="c"))
    ok = run(close, "monitor", "revenue", "--json")
    assert ok.exit_code == 0, ok.output
    report = json.loads(ok.stdout)
    assert (
        report["alert"] is False and report["performance"]["metric"] == "wape" and report["performance"]["matched"] == 2
    )
    assert report["performance"]["value"] <= 0.25 and report["model_version"] == "v0001"
    bad = run(far, "monitor", "revenue", "--json")
    assert bad.exit_code == 2, bad.output
    alarm = json.loads(bad.stdout)
    assert alarm["alert"] is True and alarm["performance"]["value"] > 0.25
    assert any("worse than the done line 25.0%" in a for a in alarm["alerts"])
    with far.connect() as con:
        recorded = con.execute(
            "SELECT alert FROM ops.monitoring WHERE run_id = ? AND check_name = 'performance'", [alarm["run_id"]]
        ).fetchone()
    assert recorded == (True,)


def test_the_horizon_total_is_a_simulated_range_in_plain_words(ws):
    result = run(ws, "forecast", "revenue", "--json")
    out = json.loads(result.stdout)
    (total,) = out["totals"]
    points = [r["forecast"] for r in out["forecasts"]]
    assert total["point"] == pytest.approx(sum(points)) and total["lower"] < total["point"] < total["upper"]
    # not the sum of the periods' bounds: misses partly cancel, so the total's range is narrower than that
    assert total["upper"] - total["lower"] < sum(r["upper"] - r["lower"] for r in out["forecasts"])
    line = next(w for w in out["words"] if "in total" in w)
    assert line.strip().startswith("Next quarter's revenue: $") and " to $" in line and "most likely $" in line
    comparison = next(w for w in out["words"] if w.startswith("Over "))
    assert "missed by" in comparison and "for 'same month last year'" in comparison
    text = "\n".join(out["words"])
    assert wording_problems(text) == []
