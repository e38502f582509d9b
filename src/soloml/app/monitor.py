"""`soloml monitor`'s use case: drift, source freshness and live performance of one project, recorded in ops.monitoring.

The result's `alert` is what the CLI turns into exit code 2 (for cron); the checks themselves are monitoring's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from soloml.app.workspaces import WorkspaceLike, as_workspace

if TYPE_CHECKING:
    from soloml.monitoring.monitor import MonitorReport

DEFAULT_MAX_AGE_DAYS = 7.0


def monitor(
    workspace: WorkspaceLike,
    project: str,
    *,
    max_age_days: float = DEFAULT_MAX_AGE_DAYS,
    now: datetime | None = None,
    save: bool = True,
) -> MonitorReport:
    """Run every check for `project`; a source is stale when its last good load is older than `max_age_days`."""
    from soloml.monitoring import monitor_project

    return monitor_project(as_workspace(workspace), project, now=now, max_age=timedelta(days=max_age_days), save=save)
