"""A forecast project's page draws its latest forecast (ops.forecasts) as an inline SVG line inside its range."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import httpx
import pandas as pd

from soloml.deploy.runner import running
from soloml.forecasting.journal import write_forecasts
from soloml.web import create_ui

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


def _run(con, run_id: str, made_at: datetime, values: list[float]) -> None:
    frame = pd.DataFrame(
        {
            "unique_id": "revenue",
            "ds": pd.date_range("2027-01-01", periods=len(values), freq="MS"),
            "step": range(1, len(values) + 1),
            "forecast": values,
            "lower": [v * 0.9 for v in values],
            "upper": [v * 1.1 for v in values],
            "model": "ets",
        }
    )
    write_forecasts(con, frame, run_id=run_id, project="revenue", frequency="month", level=0.8, made_at=made_at)


def test_the_latest_forecast_run_is_drawn_with_its_range(ws):
    (ws.projects_dir / "revenue.yaml").write_text(SPEC, encoding="utf-8")
    con = ws.connect()
    try:
        _run(con, "old", datetime(2026, 11, 1), [1.0, 2.0, 3.0])
        _run(con, "new", datetime(2026, 12, 1), [12_000.0, 13_500.0, 12_800.0])
    finally:
        con.close()
    with running(create_ui(ws)) as service:
        page = httpx.get(service.url + "/projects/revenue", timeout=20).text
    section = page[page.index('<section id="forecast">') :]
    section = section[: section.index("</section>")]
    assert "Run new" in section and "80% range" in section
    svg = ET.fromstring(section[section.index("<svg") : section.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.find(f"{ns}polyline").get("points").split()) == 3
    labels = [t.text for t in svg.iter(f"{ns}text")]
    assert "10,800" in labels and "14,850" in labels  # the range's low and high: 0.9 x 12,000 and 1.1 x 13,500
    assert "2027-01-01" in labels and "2027-03-01" in labels


def test_the_project_page_links_the_html_report_once_it_exists(ws):
    (ws.projects_dir / "revenue.yaml").write_text(SPEC, encoding="utf-8")
    with running(create_ui(ws)) as service, httpx.Client(base_url=service.url, timeout=20) as client:
        assert "No HTML report yet" in client.get("/projects/revenue").text
        assert client.get("/reports/revenue.html").status_code == 404
        (ws.reports_dir / "revenue.html").write_text(
            "<html><body><h1>Revenue, in plain words</h1></body></html>", encoding="utf-8"
        )
        assert 'href="/reports/revenue.html"' in client.get("/projects/revenue").text
        report = client.get("/reports/revenue.html")
        assert report.status_code == 200 and "Revenue, in plain words" in report.text
        assert client.get("/reports/soloml.yaml").status_code == 404  # only reports/<project>.html files are served
