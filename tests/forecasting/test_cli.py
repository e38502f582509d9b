"""`soloml forecast` end to end on a real DuckDB workspace: the quick path and a forecast project."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from soloml.cli.app import app

from .helpers import insert

runner = CliRunner()


def run(ws, *args):
    return runner.invoke(app, [*args, "--workspace", str(ws.root)])


@pytest.fixture
def sales(ws):
    """Four years of daily sales in two shops with a yearly season and growth, the last month only half there."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2020-01-01", "2023-12-15", freq="D")
    t = np.arange(len(days))
    base = 100 * (1 + 0.3 * np.sin(2 * np.pi * days.dayofyear / 365.25)) * (1 + t / 2000)
    rows = pd.DataFrame(  # noqa: F841 - read by name in the SQL below
        {
            "sold_on": np.repeat(days, 2),
            "shop": ["north", "south"] * len(days),
            "amount": np.repeat(base, 2) * np.tile([1.0, 0.6], len(days)) + rng.normal(0, 5, 2 * len(days)),
        }
    )
    with ws.connect() as con:
        con.execute("CREATE TABLE raw.sales AS SELECT * FROM rows")
    return ws


def test_quick_path_prints_point_forecasts_and_intervals_per_period_as_json(sales):
    result = run(
        sales,
        "forecast",
        "--table",
        "raw.sales",
        "--date",
        "sold_on",
        "--value",
        "amount",
        "--by",
        "shop",
        "--frequency",
        "month",
        "--horizon",
        "6",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["verdict"] in ("DONE", "KEEP_GOING", "NOT_WORTH_IT") and out["frequency"] == "month"
    assert {r["series"] for r in out["forecasts"]} == {"north", "south"}
    first = [r for r in out["forecasts"] if r["series"] == "north"]
    assert [r["period"] for r in first] == ["2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert all(r["lower"] <= r["forecast"] <= r["upper"] for r in first)
    assert any("last month (2023-12) is partial" in n for n in out["series"]["notes"])
    assert out["accuracy"]["baseline_wape"] is not None and out["backtest"]
    files = out["files"]
    for key in ("csv", "backtest", "chart_png", "chart_svg"):
        assert Path(files[key]).read_bytes()[:4]
    assert Path(files["chart_svg"]).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    csv = pd.read_csv(files["csv"])
    assert (
        list(csv.columns) == ["series", "period", "step", "forecast", "lower", "upper", "level", "model"]
        and len(csv) == 12
    )
    with sales.connect() as con:
        assert con.execute("SELECT count(*), min(period), max(level) FROM ops.forecasts").fetchone() == (
            12,
            datetime(2023, 12, 1).date(),
            0.8,
        )
        assert con.execute("SELECT kind, status, project FROM ops.runs").fetchall() == [
            ("forecast", "succeeded", "sales_amount")
        ]


def test_quick_path_speaks_in_the_business_words(sales):
    result = run(
        sales,
        "forecast",
        "--table",
        "raw.sales",
        "--date",
        "sold_on",
        "--value",
        "amount",
        "--frequency",
        "month",
        "--threshold",
        "0.2",
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Next month's amount:" in text and "most likely" in text
    assert "Over the last 12 months" in text and "'same month last year'" in text
    assert "Wrote " in text and "forecast.csv" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--table", "raw.sales", "--value", "amount"), "needs --date"),
        (
            ("--table", "raw.sales", "--date", "sold_on", "--value", "amount", "--frequency", "monthly"),
            "--frequency must be one of day, week, month, quarter",
        ),
        (("--table", "raw.sales", "--date", "sold_on", "--value", "amout"), "no column 'amout'.*Did you mean 'amount'"),
        (("--table", "raw.nope", "--date", "d", "--value", "v"), "Cannot read table 'raw.nope'"),
        ((), "Give either a PROJECT or --table"),
    ],
)
def test_bad_input_is_one_paragraph_and_exit_1_with_nothing_written(sales, args, message):
    import re

    result = run(sales, "forecast", *args)
    assert result.exit_code == 1
    assert re.search(message, " ".join(result.output.split()))
    assert not (sales.root / "forecasts").exists()


FORECAST_SPEC = """
name: revenue
question: What will revenue be each month for the next quarter?
decision: Plan stock and staff for the coming months.
stakeholder: CEO
owner: the data person
recipe: forecast
entity: series
label: {definition: revenue per month, horizon_days: 90}
business: {value_per_success: 1, capacity: 1, currency: USD}
done: {metric: wape, value: 0.15}
forecast: {series: revenue, frequency: month, horizon: 3, level: 0.8}
"""


def test_a_forecast_project_forecasts_revenue_from_the_core_tables(ws):
    rng = np.random.default_rng(1)
    start, rows = datetime(2021, 1, 1), []
    for day in range(36 * 30 + 20):
        when = start + timedelta(days=day, hours=10)
        for k in range(rng.poisson(3 + 2 * np.sin(2 * np.pi * day / 365))):
            rows.append(
                {
                    "payment_id": f"p{day}-{k}",
                    "kind": "charge",
                    "status": "succeeded",
                    "amount": round(float(rng.gamma(2, 15)), 2),
                    "currency": "USD",
                    "paid_at": when,
                    "source": "stripe",
                }
            )
    with ws.connect() as con:
        insert(con, "payments", rows)
    (ws.projects_dir / "revenue.yaml").write_text(FORECAST_SPEC, encoding="utf-8")
    result = run(ws, "forecast", "revenue", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["project"] == "revenue" and out["metric"] == "wape" and out["threshold"] == 0.15 and out["horizon"] == 3
    assert out["series"]["unit"] == "money" and len(out["forecasts"]) == 3
    assert out["words"][0].startswith("Next month's revenue: $")
    assert (ws.root / "forecasts" / "revenue" / "forecaster" / "forecaster.json").is_file()
    trained = run(ws, "train", "revenue")
    assert trained.exit_code == 1 and "soloml forecast revenue" in " ".join(trained.output.split())
