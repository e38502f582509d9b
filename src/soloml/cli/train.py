"""`soloml train PROJECT` / `soloml train --table T --target C`: train, judge, and save a model."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from soloml.cli.output import (
    JsonOption,
    SchedulerOption,
    WorkspaceOption,
    console,
    emit,
    handled,
    progress_enabled,
    workspace,
)
from soloml.cli.recover import recovered
from soloml.errors import ConfigError


def _render(s: dict[str, Any]) -> None:
    from soloml.modeling.words import verdict_lines

    for line in verdict_lines(s):
        console.print(line, markup=False)
    if s.get("version"):
        console.print(
            f"Saved as {s['project']} {s['version']} (candidate). Make it live with `soloml promote {s['project']} {s['version']}`.",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        project: Annotated[str | None, typer.Argument(help="Project name (projects/NAME.yaml).")] = None,
        table: Annotated[
            str | None,
            typer.Option("--table", help="Quick path: a warehouse table (raw.accounts) or a CSV/Parquet file."),
        ] = None,
        target: Annotated[str | None, typer.Option("--target", help="Quick path: the column to predict.")] = None,
        time_column: Annotated[
            str | None,
            typer.Option(
                "--time-column",
                help="Quick path: the column dating each row, for time-ordered validation (default: the table's date column).",
            ),
        ] = None,
        random_split: Annotated[
            bool,
            typer.Option(
                "--random-split",
                help="Quick path: split dated rows at random anyway (the score is then likely optimistic).",
            ),
        ] = False,
        positive: Annotated[
            str | None,
            typer.Option(
                "--positive",
                help="Quick path: the target value that counts as the event (e.g. bad); another value than the two makes it one-vs-rest.",
            ),
        ] = None,
        test_from: Annotated[
            datetime | None,
            typer.Option(
                "--test-from",
                formats=["%Y-%m-%d"],
                help="Judge on rows dated from this day on (YYYY-MM-DD), train on the earlier ones.",
            ),
        ] = None,
        replace: Annotated[
            bool,
            typer.Option(
                "--replace",
                help="Quick path: overwrite an existing project file whose settings differ from the ones typed.",
            ),
        ] = False,
        tune: Annotated[
            int,
            typer.Option(
                "--tune", min=0, help="Run a small hyper-parameter search with this many trials (default: off)."
            ),
        ] = 0,
        seed: Annotated[int, typer.Option("--seed", help="Random seed, for reproducible models.")] = 0,
        no_save: Annotated[
            bool, typer.Option("--no-save", help="Train and judge only; do not save to the registry.")
        ] = False,
        engine: Annotated[
            str,
            typer.Option(
                "--engine",
                help="Where to train: local (this process) or dask (a Dask cluster; extra soloml[scale], docs/scale.md).",
            ),
        ] = "local",
        scheduler: SchedulerOption = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Train a LightGBM model for PROJECT against the prior and today's rule; save it as the candidate and print the verdict."""
        from soloml.app.train import train_project, train_table
        from soloml.engines import open_engine

        with handled():
            if (project is None) == (table is None):
                raise ConfigError(
                    "Give either a PROJECT or --table with --target.",
                    hint="e.g. `soloml train churn` or `soloml train --table raw.accounts --target churned`.",
                )
            if table is not None and not target:
                raise ConfigError(f"--table {table} needs --target: the column to predict.")
            quick = {
                "--time-column": time_column,
                "--random-split": random_split or None,
                "--positive": positive,
                "--replace": replace or None,
            }
            if project is not None and any(v is not None for v in quick.values()):
                typed = ", ".join(k for k, v in quick.items() if v is not None)
                raise ConfigError(
                    f"{typed} belong(s) to the quick path (--table/--target); project '{project}' takes them from its file.",
                    hint=f"Edit projects/{project}.yaml (cutoffs.time_column, label.positive), or use --table with --target.",
                )
            day = None if test_from is None else test_from.date()
            ws = workspace(ws_dir)
            recovered(ws)
            with _progress("Training"), open_engine(engine, scheduler=scheduler, staging=ws.path("staging")) as runs_on:
                if project is not None:
                    report = train_project(
                        ws, project, tune=tune, seed=seed, save=not no_save, test_from=day, engine=runs_on
                    )
                else:
                    report = train_table(
                        ws,
                        table,
                        target,
                        time_column=time_column,
                        positive=positive,
                        test_from=day,  # type: ignore[arg-type]
                        random_split=random_split,
                        replace=replace,
                        tune=tune,
                        seed=seed,
                        save=not no_save,
                        engine=runs_on,
                    )
            emit(report, as_json, lambda r: _render(r.to_facts()))


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
