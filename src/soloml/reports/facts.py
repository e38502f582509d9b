"""A project's report as plain facts, computed first from the contract, the registry and the event log.

    facts = project_facts(ws, "churn")          # cheap: reads files and the journals, trains nothing
    facts.to_facts()["verdict"]["words"]        # 'done'
    render_html(facts), render_markdown(facts)  # soloml.reports.html / .markdown, from the same facts

Nothing here parses printed text: the contract comes from projects/<name>.yaml, the model from its
metadata.json (the production version, else the latest), the data, the readiness check, the scoring
runs and the monitoring from `soloml.tracker.gather_events` (the one reader of ops.* for the people
layer), the experiment from its own analysis. A piece that does not exist yet is said in words
("not deployed yet"), never filled in. Each section is a dict with its numbers and `lines`: plain
sentences the HTML and the Markdown both print, so the two never disagree.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from soloml.projects.spec import find_spec
from soloml.reports import sections
from soloml.reports.operations import data_section, deployment_section, experiment_section, monitoring_section
from soloml.workspace import Workspace

HOW_TO_READ = (
    (
        "Baseline",
        "what you would get without the model: today's rule of thumb, or doing nothing. "
        "The model is only worth using if it clearly beats them.",
    ),
    (
        "Interval",
        "the range the true figure most likely lies in. A narrow range means we are sure; "
        "a wide one means the data cannot tell yet.",
    ),
    (
        "Chance to beat",
        "how likely it is that the new way is really better than the old one, given what the "
        "experiment saw. Above 95% is convincing; near 50% means it could go either way.",
    ),
)


@dataclass(frozen=True)
class ProjectFacts:
    """Everything the project report says, as JSON-ready sections (see the module docstring)."""

    project: str
    business: str
    generated_at: str
    recipe: str
    question: Mapping[str, Any]
    contract: Mapping[str, Any]
    data: Mapping[str, Any]
    model: Mapping[str, Any]
    verdict: Mapping[str, Any]
    drivers: Mapping[str, Any]
    deployment: Mapping[str, Any]
    experiment: Mapping[str, Any]
    monitoring: Mapping[str, Any]
    limitations: Mapping[str, Any]
    forecast: Mapping[str, Any] | None
    how_to_read: tuple[tuple[str, str], ...] = HOW_TO_READ

    def to_facts(self) -> dict[str, Any]:
        """A plain, JSON-ready dict (what `soloml report --json` prints and the dashboard reads)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["how_to_read"] = [{"term": t, "meaning": m} for t, m in self.how_to_read]
        return jsonable(out)

    def lines(self) -> list[str]:
        """Every sentence of the report, in order (for tests of the wording rules)."""
        out = []
        for name in SECTION_ORDER:
            section = getattr(self, name)
            if section:
                out += list(section.get("lines") or [])
        return out


SECTION_ORDER = (
    "question",
    "contract",
    "data",
    "model",
    "verdict",
    "drivers",
    "deployment",
    "experiment",
    "monitoring",
    "forecast",
    "limitations",
)


def project_facts(ws: Workspace, project: str, *, now: datetime | None = None, con: Any = None) -> ProjectFacts:
    """The report's facts for `project`. An unknown project raises ConfigError (with 'did you mean');
    a project with a contract but no model yet gets a report that says so in every section that needs one."""
    spec = find_spec(ws.projects_dir, project)
    own = con is None and Path(ws.warehouse_url).is_file()
    connection = ws.connect(read_only=True) if own else con
    try:
        return _facts(ws, spec, connection, now)
    finally:
        if own:
            connection.close()


def _facts(ws: Workspace, spec: Any, con: Any, now: datetime | None) -> ProjectFacts:
    """One read-only connection for the event log and the experiments' analysis."""
    from soloml.tracker.events import gather_events

    log = gather_events(ws, con=con, now=now)
    events = log.for_project(spec.name)
    meta, version, aliases = sections.model_metadata(ws.models_dir, spec.name)
    today = log.gathered_at.date()
    forecast = None
    if spec.recipe == "forecast":
        from soloml.reports.forecast_facts import forecast_section

        forecast = forecast_section(ws, spec)
    return ProjectFacts(
        project=spec.name,
        business=ws.settings.name or ws.root.name,
        generated_at=log.gathered_at.isoformat(timespec="minutes"),
        recipe=spec.recipe,
        question=sections.question_section(spec),
        contract=sections.contract_section(spec),
        data=data_section(log, events, meta, spec, forecast),
        model=sections.model_section(spec, meta, version, forecast),
        verdict=sections.verdict_section(spec, meta, forecast),
        drivers=sections.drivers_section(meta, forecast),
        deployment=deployment_section(spec, events, version, aliases, meta, forecast),
        experiment=experiment_section(ws, spec, con, today),
        monitoring=monitoring_section(events, meta),
        limitations=sections.limitations_section(spec, meta, forecast),
        forecast=forecast,
    )


def jsonable(value: Any) -> Any:
    """Plain JSON types only: dates as ISO text, tuples as lists, NaN and infinity as None (said in words elsewhere)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return jsonable(value.item())
    return json.loads(json.dumps(value, default=str))
