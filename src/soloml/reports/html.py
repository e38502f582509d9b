"""The project report as ONE self-contained HTML file: inline CSS, inline SVG charts, no script, no network.

    html = render_html(project_facts(ws, "churn"))     # or from the JSON facts (`to_facts()`, also read back)

Everything printed comes from the facts (soloml.reports.facts); the template only lays them out. The
SVGs are drawn by reports.charts / reports.comparison_chart and stripped of matplotlib's metadata block
and comments, so the file names no outside address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
MAX_BYTES = 500_000  # the promise in docs/reports.md: the file mails and opens anywhere


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def facts_dict(facts: Any) -> dict[str, Any]:
    """A ProjectFacts or its `to_facts()` dict, as the dict."""
    return dict(facts) if isinstance(facts, Mapping) else facts.to_facts()


def render_html(facts: Any) -> str:
    f = facts_dict(facts)
    return environment().get_template("report.html.j2").render(f=f, charts=charts(f), sections=section_list(f))


def section_list(f: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(anchor, heading, section) in reading order; the forecast only for forecast projects."""
    out = [
        ("question", "The question", f["question"]),
        ("contract", "What we agreed", f["contract"]),
        ("data", "The data and its readiness", f["data"]),
        ("model", "The model against today's way", f["model"]),
        ("verdict", "The verdict", f["verdict"]),
    ]
    if f.get("forecast"):
        out.append(("forecast", "The forecast", f["forecast"]))
    out += [
        ("drivers", "What drives the predictions", f["drivers"]),
        ("deployment", "How it is used", f["deployment"]),
        ("experiment", "The experiment that proves it", f["experiment"]),
        ("monitoring", "What monitoring says", f["monitoring"]),
        ("limitations", "Limitations and what it must not be used for", f["limitations"]),
    ]
    return out


def charts(f: Mapping[str, Any]) -> dict[str, Markup]:
    """Inline SVG per section anchor (only where there is something to draw)."""
    from soloml.reports.comparison_chart import comparison_svg

    out: dict[str, Markup] = {}
    model = f["model"]
    money = bool(f["contract"].get("value_agreed"))
    cycle = {"daily": "day", "weekly": "week", "monthly": "month"}.get(str(f["contract"].get("cycle")), "cycle")
    currency = f["contract"].get("currency") or "USD"
    label = f"expected value per {cycle} ({currency})" if money else f"right picks per {cycle}"
    drawn = comparison_svg(model.get("comparison") or [], money=money, axis_label=label)
    if drawn:
        out["model"] = Markup(clean_svg(drawn))
    forecast = f.get("forecast") or {}
    if forecast.get("panels"):
        from soloml.reports.charts import forecast_chart, svg

        out["forecast"] = Markup(clean_svg(svg(forecast_chart(forecast["panels"]))))
    return out


def clean_svg(text: str) -> str:
    """Drop matplotlib's RDF metadata and comments (they carry outside addresses); the drawing is unchanged."""
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)
    return re.sub(r'\s+xmlns:(?:dc|cc|rdf)="[^"]*"', "", text)
