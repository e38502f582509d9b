"""Run the dashboard with uvicorn, refusing a public address without an API key (the rule `soloml serve` follows)."""

from __future__ import annotations

from soloml.deploy.runner import DEFAULT_KEY_ENV, api_key_for, uvicorn_options
from soloml.workspace import Workspace


def serve_ui(ws: Workspace, *, host: str = "127.0.0.1", port: int = 8050, api_key_env: str = DEFAULT_KEY_ENV) -> None:
    """Serve the dashboard until Ctrl+C. A non-loopback `host` needs a 16+ character key in $`api_key_env`."""
    import uvicorn

    from soloml.web.app import create_ui

    key = api_key_for(host, api_key_env)  # DeployError before anything listens
    uvicorn.run(create_ui(ws, api_key=key), host=host, port=port, **uvicorn_options())
