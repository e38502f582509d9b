"""Running the service: the bind rules (an API key off loopback), uvicorn settings, and a server in a thread.

>>> is_loopback("127.0.0.1"), is_loopback("0.0.0.0")
(True, False)
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from soloml.errors import DeployError
from soloml.workspace import WorkspaceLike, as_workspace

DEFAULT_KEY_ENV = "SOLOML_API_KEY"


def is_loopback(host: str) -> bool:
    """True only for addresses nobody else can reach: 127.0.0.0/8, ::1 and 'localhost'."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to a public address


def api_key_for(host: str, api_key_env: str = DEFAULT_KEY_ENV, env: dict[str, str] | None = None) -> str | None:
    """The API key from $api_key_env; refuses (DeployError) a non-loopback bind without one."""
    env = dict(os.environ) if env is None else env
    key = env.get(api_key_env) or None
    if key is not None and len(key) < 16:
        raise DeployError(
            f"The API key in ${api_key_env} is {len(key)} characters long; use at least 16.",
            hint=f'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(32))" and export {api_key_env}=...',
        )
    if key is None and not is_loopback(host):
        raise DeployError(
            f"Refusing to serve on {host} without an API key: anyone who can reach this address could call the models.",
            hint=f"Set ${api_key_env} to a secret of 16+ characters (clients send it as the X-API-Key header), "
            "choose another variable with --api-key-env, or bind to 127.0.0.1.",
        )
    return key


def uvicorn_options() -> dict[str, Any]:
    """The fastest parser and loop installed (httptools, uvloop), else uvicorn's pure-Python defaults."""
    return {
        "http": "httptools" if importlib.util.find_spec("httptools") else "h11",
        "loop": "uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        "access_log": False,
        "log_level": "warning",
    }


@dataclass(frozen=True)
class RunningService:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def running(app: Any, *, host: str = "127.0.0.1", port: int = 0, timeout: float = 20.0) -> Iterator[RunningService]:
    """Run `app` under a real uvicorn server in a background thread (port 0 = a free port); stop it on exit."""
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, lifespan="on", **uvicorn_options())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="soloml-service", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise DeployError(
                f"The prediction service did not start on {host}:{port} within {timeout:.0f} s.",
                hint="Is the port taken? Try another with --port.",
            )
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningService(host=host, port=int(bound))
    finally:
        server.should_exit = True
        thread.join(timeout)


def app_for_workspace(
    ws: Any,
    *,
    api_key: str | None = None,
    projects: tuple[str, ...] | None = None,
    watch_seconds: float = 0.5,
    routers: tuple[Any, ...] = (),
) -> Any:
    """The service app over a workspace: its models/, its latest scored rows, and its warehouse for the log."""
    from soloml.deploy.service import create_app

    url = ws.warehouse_url
    logged = url.startswith(("duckdb:", "postgresql://", "postgres://")) or "://" not in url
    warehouse = url if logged else None  # a DuckDB file or a Postgres warehouse
    return create_app(
        ws.models_dir,
        root=ws.root,
        warehouse=warehouse,
        api_key=api_key,
        projects=projects,
        watch_seconds=watch_seconds,
        routers=routers,
    )


def serve(
    workspace: WorkspaceLike,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key_env: str = DEFAULT_KEY_ENV,
    projects: tuple[str, ...] | None = None,
    env: dict[str, str] | None = None,
    routers: tuple[Any, ...] = (),
) -> None:
    """Serve the workspace's (a Workspace or its folder) production models until interrupted (blocking). Refuses a public bind without a key."""
    import uvicorn

    ws = as_workspace(workspace)
    key = api_key_for(host, api_key_env, env)
    app = app_for_workspace(ws, api_key=key, projects=projects, routers=routers)
    uvicorn.run(app, host=host, port=port, **uvicorn_options())
