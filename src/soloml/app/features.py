"""`soloml features`'s use case: build (or reuse) a project's training set and describe it; optionally audit leakage."""

from __future__ import annotations

from datetime import datetime

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.features.summary import FeaturesReport


def features(
    workspace: WorkspaceLike,
    project: str,
    *,
    audit: bool = False,
    as_of: datetime | None = None,
    use_cache: bool = True,
) -> FeaturesReport:
    """Rows and base rate per cutoff and each feature's missing share; with `audit`, whether any feature reads the future."""
    from soloml.features.summary import summarise_features
    from soloml.projects.spec import find_spec

    ws = as_workspace(workspace)
    spec = find_spec(ws.projects_dir, project)
    with ws.connect() as con:
        return summarise_features(
            con, spec, features_dir=ws.features_dir, audit=audit, as_of=as_of, use_cache=use_cache
        )
