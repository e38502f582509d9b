"""A forecast project's report: the saved forecast, its range and its chart, inline; the same rules as every report."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from report_helpers import numbers, read_html, visible_text
from typer.testing import CliRunner

from forecasting.helpers import insert
from soloml.cli.app import app
from soloml.reports.facts import project_facts
from soloml.reports.project_report import write_report
from soloml.reports.wording import wording_problems

SPEC = """
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


@pytest.fixture
def revenue_ws(ws):
    """Three years of daily payments with a yearly season, and the revenue project's spec (not forecast yet)."""
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
    (ws.projects_dir / "revenue.yaml").write_text(SPEC, encoding="utf-8")
    return ws


def test_before_the_forecast_the_report_says_none_was_made(revenue_ws):
    f = project_facts(revenue_ws, "revenue")
    assert f.forecast is not None and f.forecast["made"] is False
    assert f.forecast["lines"] == ["No forecast has been made yet."]
    assert f.verdict["lines"][0].startswith("No verdict yet")


def test_the_report_shows_the_saved_forecast_and_its_chart_inline(revenue_ws, tmp_path):
    made = CliRunner().invoke(app, ["forecast", "revenue", "--workspace", str(revenue_ws.root), "--json"])
    assert made.exit_code == 0, made.output
    written = write_report(revenue_ws, "revenue", out_dir=tmp_path)
    f = written.facts
    assert f.forecast["made"] and f.forecast["horizon"] == 3 and len(f.forecast["forecasts"]) == 3
    assert any(line.startswith("Next month's revenue: $") for line in f.forecast["lines"])
    html = written.html.read_text(encoding="utf-8")
    assert '<section id="forecast">' in html and html.count("<svg") == 1 and written.size < 500_000
    assert [a for a in read_html(html).addresses if not a.startswith("#")] == []
    text, md = visible_text(html), written.markdown.read_text(encoding="utf-8")
    assert numbers(text) == numbers(md)
    assert [p.words() for p in wording_problems(text)] == []
