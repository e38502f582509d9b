"""Events from the project files (projects/<name>.yaml): a contract agreed, or one that no longer reads."""

from __future__ import annotations

from typing import Any

from soloml.errors import SolomlError
from soloml.tracker.event_log import Event, modified_at
from soloml.workspace import Workspace


def contract_events(ws: Workspace) -> list[Event]:
    from soloml.projects.spec import load_spec

    out = []
    for path in sorted(ws.projects_dir.glob("*.yaml")):
        try:
            spec = load_spec(path)
        except SolomlError as exc:
            out.append(Event("contract_invalid", modified_at(path), path.stem, path.name, {"error": exc.message}))
            continue
        out.append(Event("project_agreed", modified_at(path), spec.name, path.name, contract_facts(spec)))
    return out


def contract_facts(spec: Any) -> dict[str, Any]:
    """The contract's terms the board, the priorities and the update need, as plain values."""
    from soloml.modeling.metrics import HIGHER_IS_BETTER

    b = spec.business
    return {
        "question": spec.question,
        "decision": spec.decision,
        "stakeholder": spec.stakeholder,
        "owner": spec.owner,
        "recipe": spec.recipe,
        "entity": spec.entity,
        "metric": spec.done.metric,
        "done_value": spec.done.value,
        "higher_is_better": HIGHER_IS_BETTER.get(spec.done.metric, True),
        **b.model_dump(),  # value_per_success, cost_per_action, capacity, cycle, success_rate, currency
        "deadline": spec.deadline.isoformat() if spec.deadline else None,
        "spec_hash": spec.spec_hash(),
    }
