"""`soloml forecast PROJECT` / `soloml forecast --table T --date D --value V`: backtest, choose, forecast, judge, chart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, progress_enabled, workspace
from soloml.errors import ConfigError


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
        console.print(f"Forecaster {how} {s['project']} {s['model_version']}" + ("" if s.get("reused") else
                      f" (candidate; make it the one served and scheduled: `soloml promote {s['project']} {s['model_version']}`)") + ".", markup=False)
    for o in s.get("outputs") or []:
        console.print(f"Wrote {o['rows']:,} rows to {o['target']}" + (f" (table {o['table']})" if o["table"] else "") + ".", markup=False)
    files = s.get("files") or {}
    if files:
        console.print(f"Wrote {files['csv']}, {files.get('chart_png')} and the saved forecaster in {files['forecaster']}.", markup=False)


def register(app: typer.Typer) -> None:
    @app.command("forecast")
    def forecast_cmd(
        project: Annotated[str | None, typer.Argument(help="A project with recipe: forecast (projects/NAME.yaml).")] = None,
        table: Annotated[str | None, typer.Option("--table", help="Quick path: a warehouse table (raw.sales) or a CSV/Parquet file.")] = None,
        date: Annotated[str | None, typer.Option("--date", help="Quick path: the column dating each row.")] = None,
        value: Annotated[str | None, typer.Option("--value", help="Quick path: the column to forecast (summed per period).")] = None,
        by: Annotated[list[str] | None, typer.Option("--by", help="Quick path: one series per value of this column (repeatable).")] = None,
        horizon: Annotated[int | None, typer.Option("--horizon", min=1, help="Periods ahead (default: a year of months, a quarter of weeks, 4 weeks of days).")] = None,
        frequency: Annotated[str | None, typer.Option("--frequency", help="day, week, month or quarter (default: inferred).")] = None,
        agg: Annotated[str, typer.Option("--agg", help="How rows in one period combine: sum or mean.")] = "sum",
        level: Annotated[float, typer.Option("--level", min=0.5, max=0.99, help="Coverage of the ranges.")] = 0.8,
        metric: Annotated[str, typer.Option("--metric", help="Quick path done metric: mase, wape or mape.")] = "wape",
        threshold: Annotated[float | None, typer.Option("--threshold", help="Quick path done line for --metric (e.g. 0.1 for a 10% average miss).")] = None,
        models: Annotated[str | None, typer.Option("--models", help="Comma-separated candidates, e.g. ets,theta,prophet (default: soloml's choice).")] = None,
        jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes for many series.")] = 1,
        no_save: Annotated[bool, typer.Option("--no-save", help="Forecast and judge only; write nothing.")] = False,
        use: Annotated[str | None, typer.Option("--use", help="PROJECT only: re-forecast with this registered version or alias (e.g. production) "
                                                "on the newest data, instead of choosing and registering a new one.")] = None,
        to: Annotated[list[str] | None, typer.Option("--to", help="PROJECT only: also write the forecasts to a .csv/.parquet file or a database URL "
                                                     "(table soloml_<project>_forecasts). Repeatable; adds to forecast.write_to.")] = None,
        cron: Annotated[str | None, typer.Option("--cron", help="PROJECT only: instead of forecasting, print the crontab line and systemd units that run "
                                                 "`soloml forecast PROJECT --use production` on this schedule, e.g. \"0 6 1 * *\".")] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Forecast PROJECT (or a table) against seasonal naive: the verdict, the ranges, forecast.csv and a chart."""
        from soloml.forecasting.workflow import Settings, forecast_project, forecast_table

        with handled():
            if (project is None) == (table is None):
                raise ConfigError("Give either a PROJECT or --table with --date and --value.", hint="e.g. `soloml forecast revenue` or `soloml forecast --table raw.sales --date day --value amount`.")
            if table is not None and not (date and value):
                raise ConfigError(f"--table {table} needs --date (the column dating each row) and --value (the column to forecast).")
            if project is None and (use or to or cron):
                raise ConfigError("--use, --to and --cron work with a PROJECT, not with --table.", hint="Make a forecast project (`soloml interview`) to ship it.")
            _check_choice("--frequency", frequency, ("day", "week", "month", "quarter"))
            _check_choice("--agg", agg, ("sum", "mean"))
            _check_choice("--metric", metric, ("mase", "wape", "mape"))
            ws = workspace(ws_dir)
            if cron is not None:
                emit(_schedule(ws, project, cron, use or "production", to or []), as_json, _render_schedule)  # type: ignore[arg-type]
                return
            with _progress() as progress:
                if project is not None:
                    run = forecast_project(ws, project, use=use, to=tuple(to or ()), n_jobs=jobs, progress=progress, save=not no_save)
                else:
                    settings = Settings(horizon, level, metric, threshold, models=tuple(m.strip() for m in (models or "").split(",") if m.strip()))
                    run = forecast_table(ws, table, date, value, by=tuple(by or ()), frequency=frequency, agg=agg,  # type: ignore[arg-type]
                                         settings=settings, n_jobs=jobs, progress=progress, save=not no_save)
            facts = run.to_facts()
            if run.folder is not None:
                facts["files"].update(_chart(run))
            emit(facts, as_json, _render)


def _schedule(ws: Any, project: str, cron: str, use: str, to: list[str]) -> Any:
    """The scheduled job re-forecasts with the promoted forecaster (choosing models again is a person's decision)."""
    from soloml.cli.score import executable
    from soloml.deploy.schedule import schedule
    from soloml.projects.spec import find_spec

    find_spec(ws.projects_dir, project)  # a clear error for an unknown project, now rather than at 6 a.m.
    extra = ["--use", use]
    for target in to:
        extra += ["--to", target]
    return schedule(project, cron, workspace=ws.root, executable=executable(), extra_args=tuple(extra), verb="forecast")


def _render_schedule(s: Any) -> None:
    from soloml.cli.score import _render_schedule as render

    render(s)


def _chart(run: Any) -> dict[str, str]:
    from soloml.forecasting.workflow import write_chart

    return write_chart(run)


def _check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    from soloml.errors import did_you_mean

    if value is not None and value not in allowed:
        raise ConfigError(f"{option} must be one of {', '.join(allowed)} (got {value!r}).{did_you_mean(value, allowed)}")


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
