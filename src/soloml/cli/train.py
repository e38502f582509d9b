"""`soloml train PROJECT` / `soloml train --table T --target C`: train, judge, and save a model."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, progress_enabled, workspace
from soloml.cli.recover import recovered
from soloml.errors import ConfigError


def _render(s: dict[str, Any]) -> None:
    from soloml.modeling.words import verdict_lines
    for line in verdict_lines(s):
        console.print(line, markup=False)
    if s.get("version"):
        console.print(f"Saved as {s['project']} {s['version']} (candidate). Make it live with `soloml promote {s['project']} {s['version']}`.", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        project: Annotated[str | None, typer.Argument(help="Project name (projects/NAME.yaml).")] = None,
        table: Annotated[str | None, typer.Option("--table", help="Quick path: a warehouse table (raw.accounts) or a CSV/Parquet file.")] = None,
        target: Annotated[str | None, typer.Option("--target", help="Quick path: the column to predict.")] = None,
        time_column: Annotated[str | None, typer.Option("--time-column", help="Quick path: the column dating each row, for time-ordered validation.")] = None,
        tune: Annotated[int, typer.Option("--tune", min=0, help="Run a small hyper-parameter search with this many trials (default: off).")] = 0,
        seed: Annotated[int, typer.Option("--seed", help="Random seed, for reproducible models.")] = 0,
        no_save: Annotated[bool, typer.Option("--no-save", help="Train and judge only; do not save to the registry.")] = False,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Train a LightGBM model for PROJECT against the prior and today's rule; save it as the candidate and print the verdict."""
        from soloml.modeling.workflow import train_project, train_table

        with handled():
            if (project is None) == (table is None):
                raise ConfigError("Give either a PROJECT or --table with --target.", hint="e.g. `soloml train churn` or `soloml train --table raw.accounts --target churned`.")
            if table is not None and not target:
                raise ConfigError(f"--table {table} needs --target: the column to predict.")
            ws = workspace(ws_dir)
            recovered(ws)
            with _progress("Training"):
                if project is not None:
                    report = train_project(ws, project, tune=tune, seed=seed, save=not no_save)
                else:
                    report = train_table(ws, table, target, time_column=time_column, tune=tune, seed=seed, save=not no_save)  # type: ignore[arg-type]
            summary = report.summary()
            if report.spec_path is not None:
                summary["spec_path"] = str(report.spec_path)
            emit(summary, as_json, _render)


class _progress:
    """A spinner on a terminal; nothing in pipes, cron and tests."""

    def __init__(self, text: str) -> None:
        self.status = console.status(text) if progress_enabled() else None

    def __enter__(self) -> None:
        if self.status is not None:
            self.status.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.status is not None:
            self.status.__exit__(*exc)
