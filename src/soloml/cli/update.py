"""`soloml update [--since DATE] [--send]`: the weekly update as Markdown and plain text under reports/, optionally e-mailed."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace


def _render(facts: dict[str, Any]) -> None:
    console.print(facts["text"], markup=False)
    console.print(
        f"Wrote {facts['markdown_path']} and {facts['text_path']}; the board is {facts['board_path']}.", markup=False
    )
    if facts["sent"]:
        console.print(
            f"Sent to {', '.join(facts['sent']['to'])} through {facts['sent']['host']}:{facts['sent']['port']}.",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    @app.command("update")
    def update_cmd(
        since: Annotated[
            str | None, typer.Option("--since", help="First day the update covers (YYYY-MM-DD; default: 7 days ago).")
        ] = None,
        send: Annotated[
            bool,
            typer.Option(
                "--send", help="E-mail it (soloml.yaml smtp: / SOLOML_SMTP_*; password in SOLOML_SMTP_PASSWORD)."
            ),
        ] = False,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Write the weekly update: what happened, what is next, when each project will be done, risks and decisions."""
        with handled():
            from soloml.app.tracking import update as write_update

            update = write_update(workspace(ws_dir), since=since, send=send)
            emit(update, as_json, lambda u: _render(u.to_facts()))
