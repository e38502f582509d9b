"""`soloml ui [--port 8050] [--host 127.0.0.1] [--dir WS]`: the local dashboard for the people the data person reports to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soloml.cli.output import console, handled, workspace

DEFAULT_KEY_ENV = "SOLOML_API_KEY"  # soloml.deploy.runner.DEFAULT_KEY_ENV, not imported to keep `soloml --help` fast


def register(app: typer.Typer) -> None:
    @app.command("ui")
    def ui_cmd(
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
        host: Annotated[
            str, typer.Option(help="Address to bind. Anything but loopback requires an API key.")
        ] = "127.0.0.1",
        api_key_env: Annotated[
            str, typer.Option("--api-key-env", help="Environment variable holding the API key (asked for at /login).")
        ] = DEFAULT_KEY_ENV,
        ws_dir: Annotated[
            Path | None,
            typer.Option(
                "--dir",
                "--workspace",
                "-w",
                help="Workspace folder (default: $SOLOML_WORKSPACE, then the current folder upward).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Open the dashboard: the board, each project, the data, the models (promote, roll back) and the experiments."""
        with handled():
            from soloml.deploy.runner import api_key_for
            from soloml.web import serve_ui

            ws = workspace(ws_dir)
            api_key_for(host, api_key_env)  # refuse a public bind without a key before saying anything else
            console.print(
                f"soloml dashboard for {ws.settings.name}: http://{host}:{port}/  (Ctrl+C stops)", markup=False
            )
            serve_ui(ws, host=host, port=port, api_key_env=api_key_env)
