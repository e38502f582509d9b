"""`soloml interview`'s use case: answers turned into a project spec and its plain-words contract, written to projects/."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.facts import JSON, jsonable

if TYPE_CHECKING:
    from soloml.projects.contract import Contract


@dataclass(frozen=True)
class ProjectWritten:
    """The contract the stakeholder agreed, and the project file written from it."""

    contract: Contract
    path: Path

    def to_facts(self) -> dict[str, JSON]:
        """The project, its file, the break-even precision, the contract's lines and the spec (`soloml interview --json`)."""
        return {
            "project": self.contract.spec.name,
            "path": str(self.path),
            "break_even_precision": jsonable(self.contract.break_even),
            "contract": list(self.contract.lines),
            "spec": jsonable(self.contract.spec),
        }


def write_interview(workspace: WorkspaceLike, answers: Mapping[str, Any], *, force: bool = False) -> ProjectWritten:
    """Write projects/<name>.yaml from the interview's answers (an existing different spec needs `force`)."""
    from soloml.projects.contract import write_project

    contract, path = write_project(dict(answers), as_workspace(workspace).projects_dir, force=force)
    return ProjectWritten(contract, path)
