"""`soloml models`, `soloml promote`, `soloml rollback`'s use cases: the registry's versions and its aliases.

Each runs the recovery step first (an interrupted train or alias change is settled before anything is listed
or moved); an alias change is verified and recorded in ops.model_events by the registry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from soloml.app.recovery import Announce, recover_first
from soloml.app.workspaces import WorkspaceLike, as_workspace

if TYPE_CHECKING:
    from soloml.registry.aliases import AliasChange, ModelInfo


def list_models(
    workspace: WorkspaceLike, project: str | None = None, *, announce: Announce | None = None
) -> list[ModelInfo]:
    """Every saved version of `project` (all projects when None), oldest first, with verdict, score and aliases."""
    from soloml.registry import list_versions
    from soloml.registry.store import projects

    ws = as_workspace(workspace)
    recover_first(ws, announce=announce)
    names = [project] if project else projects(ws.models_dir)
    return [info for name in names for info in list_versions(ws.models_dir, name)]


def promote_model(
    workspace: WorkspaceLike,
    project: str,
    version: str,
    alias: str = "production",
    *,
    announce: Announce | None = None,
) -> AliasChange:
    """Make `version` (or an alias such as 'candidate') the `alias` model of `project`, verified first."""
    from soloml.registry import promote

    ws = as_workspace(workspace)
    with ws.connect() as con:
        recover_first(ws, con, announce=announce)
        return promote(con, ws.models_dir, project, version, alias)


def rollback_model(
    workspace: WorkspaceLike, project: str, alias: str = "production", *, announce: Announce | None = None
) -> AliasChange:
    """Put back the version `project`'s `alias` served before the current one."""
    from soloml.registry import rollback

    ws = as_workspace(workspace)
    with ws.connect() as con:
        recover_first(ws, con, announce=announce)
        return rollback(con, ws.models_dir, project, alias)
