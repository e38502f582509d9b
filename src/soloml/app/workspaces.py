"""How a use case accepts its workspace (a `Workspace`, or its folder as text or a path: soloml.workspace.as_workspace), and `soloml init`'s."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from soloml.facts import JSON
from soloml.workspace import Workspace, WorkspaceLike, as_workspace

__all__ = ["CreatedWorkspace", "WorkspaceLike", "as_workspace", "create"]


@dataclass(frozen=True)
class CreatedWorkspace:
    """A workspace `soloml init` made: its folder and its warehouse."""

    workspace: Workspace

    def to_facts(self) -> dict[str, JSON]:
        """`{"workspace": folder, "warehouse": url}`, as `soloml init --json` prints it."""
        return {"workspace": str(self.workspace.root), "warehouse": self.workspace.warehouse_url}


def create(directory: str | Path, *, name: str | None = None) -> CreatedWorkspace:
    """Create a workspace in `directory`: soloml.yaml, the warehouse, projects/, features/, models/, reports/, board.csv."""
    from soloml.workspace import init_workspace

    return CreatedWorkspace(init_workspace(directory, name=name))
