"""`soloml monitor PROJECT`: drift, freshness and live performance; exit code 2 when an alert fires (for cron)."""

from __future__ import annotations

from typing import Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, err_console, handled, workspace

ALERT_EXIT_CODE = 2


def _render(report: dict) -> None:
    if report["alert"]:
        err_console.print(f"[bold red]ALERT[/] for project '{report['project']}':", markup=True, highlight=False)
        for line in report["alerts"]:
            err_console.print(f"  - {line}", markup=False, highlight=False)
    else:
        console.print(f"Project '{report['project']}': no alerts.")
    for line in report["lines"]:
        console.print(line, markup=False)
    console.print(f"Recorded as {report['run_id']} in ops.monitoring.")


def register(app: typer.Typer) -> None:
    @app.command("monitor")
    def monitor_cmd(
        project: Annotated[str, typer.Argument(help="The project to check (projects/<name>.yaml).")],
        max_age_days: Annotated[
            float, typer.Option(help="A source is stale when its last successful load is older than this.")
        ] = 7.0,
        ws_path: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Check drift (features and predictions), source freshness and live performance; exit 2 on an alert."""
        from soloml.app.monitor import monitor

        with handled():
            report = monitor(workspace(ws_path), project, max_age_days=max_age_days)
            emit(report, as_json, lambda r: _render(r.to_facts()))
        if report.alert:
            raise typer.Exit(ALERT_EXIT_CODE)
