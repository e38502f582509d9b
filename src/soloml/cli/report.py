"""`soloml report PROJECT [--open] [--out DIR]`: the stakeholder's report, reports/<project>.html and .md."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace


def _render(facts: dict[str, Any]) -> None:
    f = facts["facts"]
    console.print(f"{f['project']}: {f['verdict']['words']}.", markup=False, highlight=False)
    console.print(
        f"Wrote {facts['html']} ({facts['html_bytes'] / 1000:,.0f} KB, opens in any browser, no internet needed) "
        f"and its Markdown twin {facts['markdown']}.",
        markup=False,
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(
        project: Annotated[str, typer.Argument(help="The project (projects/<name>.yaml).")],
        open_it: Annotated[
            bool, typer.Option("--open", help="Open the HTML report in the default browser afterwards.")
        ] = False,
        out: Annotated[
            Path | None, typer.Option("--out", help="Folder to write into (default: the workspace's reports/).")
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Write the project report for the stakeholder: one self-contained HTML file plus a Markdown twin.

        A project with no model yet still gets a report that says what is missing; --json prints the facts.
        """
        with handled():
            from soloml.reports.project_report import write_report

            written = write_report(workspace(ws_dir), project, out_dir=out)
            emit(written, as_json, lambda w: _render(w.to_facts()))
            if open_it:
                import webbrowser

                webbrowser.open(written.html.resolve().as_uri())
