"""`soloml forecast PROJECT` / `soloml forecast --table T --date D --value V`: backtest, choose, forecast, judge, chart.

The use case is soloml.app.forecast; this module shows a progress bar and prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, progress_enabled


def _render(s: dict[str, Any]) -> None:
    console.print(s["verdict_detail"]["headline"], markup=False)  # says the verdict in words; the code is in --json
    for line in s["words"]:
        console.print(line, markup=False)
    for note in s["notes"]:
        console.print(f"  - {note}", markup=False)
    if s["verdict"] != "DONE" and s["verdict_detail"]["next_steps"]:
        console.print("What to try next:", markup=False)
        for step in s["verdict_detail"]["next_steps"]:
            console.print(f"  - {step}", markup=False)
    if s.get("model_version"):
        how = "re-forecast with" if s.get("reused") else "registered as"
        console.print(
            f"Forecaster {how} {s['project']} {s['model_version']}"
            + (
                ""
                if s.get("reused")
                else f" (candidate; make it the one served and scheduled: `soloml promote {s['project']} {s['model_version']}`)"
            )
            + ".",
            markup=False,
        )
    for o in s.get("outputs") or []:
        console.print(
            f"Wrote {o['rows']:,} rows to {o['target']}" + (f" (table {o['table']})" if o["table"] else "") + ".",
            markup=False,
        )
    files = s.get("files") or {}
    if files:
        console.print(
            f"Wrote {files['csv']}, {files.get('chart_png')} and the saved forecaster in {files['forecaster']}.",
            markup=False,
        )


def register(app: typer.Typer) -> None:
    @app.command("forecast")
    def forecast_cmd(
        project: Annotated[
            str | None, typer.Argument(help="A project with recipe: forecast (projects/NAME.yaml).")
        ] = None,
        table: Annotated[
            str | None, typer.Option("--table", help="Quick path: a warehouse table (raw.sales) or a CSV/Parquet file.")
        ] = None,
        date: Annotated[str | None, typer.Option("--date", help="Quick path: the column dating each row.")] = None,
        value: Annotated[
            str | None, typer.Option("--value", help="Quick path: the column to forecast (summed per period).")
        ] = None,
        by: Annotated[
            list[str] | None, typer.Option("--by", help="Quick path: one series per value of this column (repeatable).")
        ] = None,
        horizon: Annotated[
            int | None,
            typer.Option(
                "--horizon",
                min=1,
                help="Periods ahead (default: a year of months, a quarter of weeks, 4 weeks of days).",
            ),
        ] = None,
        frequency: Annotated[
            str | None, typer.Option("--frequency", help="day, week, month or quarter (default: inferred).")
        ] = None,
        agg: Annotated[str, typer.Option("--agg", help="How rows in one period combine: sum or mean.")] = "sum",
        level: Annotated[float, typer.Option("--level", min=0.5, max=0.99, help="Coverage of the ranges.")] = 0.8,
        metric: Annotated[str, typer.Option("--metric", help="Quick path done metric: mase, wape or mape.")] = "wape",
        threshold: Annotated[
            float | None,
            typer.Option("--threshold", help="Quick path done line for --metric (e.g. 0.1 for a 10% average miss)."),
        ] = None,
        models: Annotated[
            str | None,
            typer.Option(
                "--models", help="Comma-separated candidates, e.g. ets,theta,prophet (default: soloml's choice)."
            ),
        ] = None,
        jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes for many series.")] = 1,
        no_save: Annotated[bool, typer.Option("--no-save", help="Forecast and judge only; write nothing.")] = False,
        use: Annotated[
            str | None,
            typer.Option(
                "--use",
                help="PROJECT only: re-forecast with this registered version or alias (e.g. production) "
                "on the newest data, instead of choosing and registering a new one.",
            ),
        ] = None,
        to: Annotated[
            list[str] | None,
            typer.Option(
                "--to",
                help="PROJECT only: also write the forecasts to a .csv/.parquet file or a database URL "
                "(table soloml_<project>_forecasts). Repeatable; adds to forecast.write_to.",
            ),
        ] = None,
        cron: Annotated[
            str | None,
            typer.Option(
                "--cron",
                help="PROJECT only: instead of forecasting, print the crontab line and systemd units that run "
                '`soloml forecast PROJECT --use production` on this schedule, e.g. "0 6 1 * *".',
            ),
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Forecast PROJECT (or a table) against seasonal naive: the verdict, the ranges, forecast.csv and a chart."""
        from soloml.app.forecast import forecast, schedule_forecast
        from soloml.errors import ConfigError

        with handled():
            if cron is not None:
                if project is None:
                    raise ConfigError(
                        "--use, --to and --cron work with a PROJECT, not with --table.",
                        hint="Make a forecast project (`soloml interview`) to ship it.",
                    )
                from soloml.cli.score import _render_schedule, executable

                emit(
                    schedule_forecast(
                        ws_dir, project, cron, executable=executable(), use=use or "production", to=to or ()
                    ),
                    as_json,
                    _render_schedule,
                )
                return
            with _progress() as progress:
                outcome = forecast(
                    ws_dir,
                    project,
                    table=table,
                    date=date,
                    value=value,
                    by=tuple(by or ()),
                    horizon=horizon,
                    frequency=frequency,
                    agg=agg,
                    level=level,
                    metric=metric,
                    threshold=threshold,
                    jobs=jobs,
                    save=not no_save,
                    progress=progress,
                    models=tuple(m.strip() for m in (models or "").split(",") if m.strip()),
                    use=use,
                    to=tuple(to or ()),
                )
            emit(outcome, as_json, lambda o: _render(o.to_facts()))


@contextmanager
def _progress() -> Iterator[Callable[[int, int], None] | None]:
    """A bar over the series on a terminal; nothing in pipes, cron and tests."""
    if not progress_enabled():
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Backtesting and fitting series", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
