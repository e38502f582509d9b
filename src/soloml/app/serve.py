"""`soloml serve`'s use case: the real-time prediction service, with the experiments' assignment routes.

The order matters and is kept here: refuse a public bind without a key before anything else, run the
recovery step with a short lock timeout (a busy warehouse must not keep the service from starting), say
where it serves (`starting`), then serve until interrupted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soloml.app.recovery import Announce, recover_first
from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.facts import JSON

DEFAULT_KEY_ENV = "SOLOML_API_KEY"  # soloml.deploy.runner.DEFAULT_KEY_ENV, not imported to keep `soloml --help` fast
RECOVERY_LOCK_TIMEOUT = 2.0


@dataclass(frozen=True)
class Serving:
    """Where the service is about to listen, and the models it serves from."""

    host: str
    port: int
    models_dir: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def to_facts(self) -> dict[str, JSON]:
        """`{"url", "host", "port", "models_dir"}`."""
        return {"url": self.url, "host": self.host, "port": self.port, "models_dir": str(self.models_dir)}


def serve(
    workspace: WorkspaceLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key_env: str = DEFAULT_KEY_ENV,
    projects: tuple[str, ...] | None = None,
    announce: Announce | None = None,
    starting: Callable[[Serving], None] | None = None,
) -> None:
    """Serve every project with a production model (or only `projects`) over HTTP until interrupted (blocking)."""
    from soloml.deploy import serve as run_service
    from soloml.deploy.runner import api_key_for

    ws = as_workspace(workspace)
    api_key_for(host, api_key_env)  # refuse a public bind without a key before saying anything else
    recover_first(ws, lock_timeout=RECOVERY_LOCK_TIMEOUT, announce=announce)
    if starting is not None:
        starting(Serving(host, port, ws.models_dir))
    run_service(ws, host=host, port=port, api_key_env=api_key_env, projects=projects, routers=service_routers(ws))


def service_routers(workspace: WorkspaceLike) -> tuple[Any, ...]:
    """The routes the service adds to the models': experiments' assign (its exposures logged to the workspace's
    warehouse, a DuckDB file or a Postgres URL alike) and the forecasts."""
    from soloml.experiments.http import experiment_router
    from soloml.forecasting.http import forecast_router

    ws = as_workspace(workspace)
    return (experiment_router(ws.experiments_dir, ws.warehouse_url), forecast_router(ws.models_dir, ws.root))
