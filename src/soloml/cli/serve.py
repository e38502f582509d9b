"""`soloml serve`: the real-time prediction service for every project with a production model."""

from __future__ import annotations

from typing import Annotated

import typer

from soloml.cli.output import WorkspaceOption, console, handled, workspace
from soloml.cli.recover import announce

DEFAULT_KEY_ENV = "SOLOML_API_KEY"  # soloml.deploy.runner.DEFAULT_KEY_ENV, not imported to keep `soloml --help` fast


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        host: Annotated[
            str, typer.Option(help="Address to bind. Anything but loopback requires an API key.")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        api_key_env: Annotated[
            str,
            typer.Option("--api-key-env", help="Environment variable holding the API key clients send as X-API-Key."),
        ] = DEFAULT_KEY_ENV,
        project: Annotated[
            list[str] | None,
            typer.Option(
                "--project", help="Serve only this project (repeatable; default: all with a production model)."
            ),
        ] = None,
        ws_dir: WorkspaceOption = None,
    ) -> None:
        """Serve predictions over HTTP (FastAPI): POST /v1/PROJECT/predict and /v1/experiments/NAME/assign, docs at /docs. Picks up promotions without a restart."""
        with handled():
            from soloml.app.serve import serve

            serve(
                workspace(ws_dir),
                host=host,
                port=port,
                api_key_env=api_key_env,
                projects=tuple(project) if project else None,
                announce=announce,
                starting=lambda at: console.print(
                    f"Serving soloml models from {at.models_dir} on {at.url} (docs at /docs). Ctrl+C stops."
                ),
            )
