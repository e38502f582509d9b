"""The Models page's facts: the registry per project, every version with its aliases and the alias history."""

from __future__ import annotations

from typing import Any

from soloml.warehouse.base import Connection
from soloml.web.facts import NotFound
from soloml.workspace import Workspace


def models(ws: Workspace, con: Connection) -> list[dict[str, Any]]:
    """The registry per project: every version (as `soloml models --json`), its aliases and the alias history."""
    from soloml.registry import history, list_versions
    from soloml.registry.store import projects

    out = []
    for name in projects(ws.models_dir):
        versions = [
            {
                "version": i.version,
                "aliases": list(i.aliases),
                "verdict": i.verdict,
                "metric": i.metric,
                "model_score": i.model_score,
                "threshold": i.threshold,
                "created_at": i.created_at,
            }
            for i in list_versions(ws.models_dir, name)
        ]
        events = history(con, name)
        out.append(
            {
                "project": name,
                "versions": versions,
                "history": [{k: v for k, v in e.items() if k != "project"} for e in events],
            }
        )
    return out


def model_versions(ws: Workspace, project: str) -> list[str]:
    from soloml.registry.store import projects, versions

    if project not in projects(ws.models_dir):
        raise NotFound(f"No models for project '{project}'.")
    return versions(ws.models_dir, project)
