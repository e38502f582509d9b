"""`soloml models [PROJECT]`, `soloml promote PROJECT VERSION`, `soloml rollback PROJECT`: the registry."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace
from soloml.cli.recover import announce


def _render_models(rows: list[dict[str, Any]]) -> None:
    if not rows:
        console.print("No models yet. Train one with `soloml train PROJECT`.")
        return
    for r in rows:
        aliases = f" [{', '.join(r['aliases'])}]" if r["aliases"] else ""
        score = "n/a" if r["model_score"] is None else f"{r['model_score']:.3f}"
        kind = " (forecaster)" if r.get("kind") == "forecaster" else ""
        verdict = r["verdict_words"]  # words here; the code is in --json
        console.print(
            f"{r['project']} {r['version']}{kind}{aliases}: {verdict}, {r['metric']} {score}, saved {r['created_at']}",
            markup=False,
        )


def _render_change(r: dict[str, Any]) -> None:
    before = f" (was {r['previous_version']})" if r["previous_version"] else ""
    verb = "rolled back to" if r["action"] == "rollback" else "now serves"
    console.print(f"{r['project']} {r['alias']} {verb} {r['version']}{before}.", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("models")
    def models_cmd(
        project: Annotated[str | None, typer.Argument(help="Project name; all projects when left out.")] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """List saved model versions with their verdict, score and aliases (production, candidate)."""
        with handled():
            from soloml.app.models import list_models

            listed = list_models(workspace(ws_dir), project, announce=announce)
            emit(listed, as_json, lambda infos: _render_models([i.to_facts() for i in infos]))

    @app.command("promote")
    def promote_cmd(
        project: Annotated[str, typer.Argument(help="Project name.")],
        version: Annotated[str, typer.Argument(help="Version (v0003) or alias (candidate) to make live.")],
        alias: Annotated[str, typer.Option("--alias", help="Alias to move.")] = "production",
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Make VERSION the production model of PROJECT (verified first; recorded in ops.model_events)."""
        with handled():
            from soloml.app.models import promote_model

            change = promote_model(workspace(ws_dir), project, version, alias, announce=announce)
            emit(change, as_json, lambda c: _render_change(c.to_facts()))

    @app.command("rollback")
    def rollback_cmd(
        project: Annotated[str, typer.Argument(help="Project name.")],
        alias: Annotated[str, typer.Option("--alias", help="Alias to move back.")] = "production",
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Put back the model PROJECT served before the current production one."""
        with handled():
            from soloml.app.models import rollback_model

            change = rollback_model(workspace(ws_dir), project, alias, announce=announce)
            emit(change, as_json, lambda c: _render_change(c.to_facts()))
