"""The Experiments page's facts: each experiment's design, units exposed against the plan, and its result."""

from __future__ import annotations

from typing import Any

from soloml.errors import SolomlError
from soloml.warehouse.base import Connection
from soloml.workspace import Workspace


def experiments(ws: Workspace, con: Connection) -> list[dict[str, Any]]:
    """Every experiment file: its design, units exposed against the planned sample, and the result with its decision."""
    from soloml.experiments.paragraph import plain_paragraph
    from soloml.experiments.result_cache import cached_analysis
    from soloml.experiments.spec import load_experiment

    out = []
    for path in sorted(ws.experiments_dir.glob("*.yaml")):
        try:
            spec = load_experiment(path)
        except SolomlError as exc:
            out.append({"name": path.stem, "project": None, "error": exc.message})
            continue
        counts = dict(
            con.execute(
                "SELECT variant, count(*) FROM ops.exposures WHERE experiment = ? GROUP BY 1 ORDER BY 1", [spec.name]
            ).fetchall()
        )
        planned = spec.planned_units_per_arm
        per_arm = min((counts.get(v, 0) for v in spec.variants), default=0)
        item: dict[str, Any] = {
            "name": spec.name,
            "project": spec.project,
            "description": spec.description,
            "decision_under_test": spec.decision,
            "unit": spec.unit,
            "variants": {
                v: {"weight": w, "label": spec.label(v), "units": int(counts.get(v, 0))}
                for v, w in spec.variants.items()
            },
            "primary": spec.primary.name,
            "guardrails": [g.name for g in spec.guardrails],
            "start": spec.start,
            "end": spec.end,
            "planned_per_arm": planned,
            "per_arm": per_arm,
            "progress": None if not planned else min(per_arm / planned, 1.0),
            "result": None,
            "paragraph": None,
            "error": None,
        }
        if counts:
            try:
                result = cached_analysis(con, spec, root=ws.root, warehouse=ws.warehouse_url)
                facts = result.to_facts()
                item["result"] = {
                    "headline": facts.get("headline"),
                    "decision": facts.get("decision"),
                    "decision_words": facts.get("decision_words"),
                    "final": result.final,
                    "warnings": facts.get("warnings") or [],
                }
                item["paragraph"] = plain_paragraph(facts)
            except SolomlError as exc:
                item["error"] = exc.message
        out.append(item)
    return out
