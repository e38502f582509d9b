"""`soloml forecast`'s use case: a project (or the quick path over a table) forecast, judged, saved and charted.

The options are checked here (so the CLI, the dashboard and Python refuse the same things); the forecast
itself is soloml.forecasting.workflow's, and the chart (forecast.png/.svg next to forecast.csv) is drawn here
because reports come after forecasting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.deploy.schedule import Schedule
from soloml.errors import ConfigError, did_you_mean
from soloml.forecasting.calendar import Frequency
from soloml.forecasting.workflow import ForecastRun

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ForecastOutcome:
    """A forecast run and the chart files drawn for it (none when nothing was saved)."""

    run: ForecastRun
    charts: dict[str, str] = field(default_factory=dict)  # chart_png, chart_svg

    def to_facts(self) -> dict[str, Any]:
        """The run's facts (`soloml forecast --json`), its files including the charts."""
        facts = self.run.to_facts()
        if self.run.folder is not None:
            facts["files"].update(self.charts)
        return facts


def forecast(
    workspace: WorkspaceLike | None,
    project: str | None = None,
    *,
    table: str | None = None,
    date: str | None = None,
    value: str | None = None,
    by: Sequence[str] = (),
    horizon: int | None = None,
    frequency: str | None = None,
    agg: str = "sum",
    level: float = 0.8,
    metric: str = "wape",
    threshold: float | None = None,
    models: Sequence[str] = (),
    jobs: int = 1,
    save: bool = True,
    progress: Progress | None = None,
    use: str | None = None,
    to: Sequence[str] = (),
) -> ForecastOutcome:
    """Forecast `project` (a recipe: forecast project), or `table` by `date` and `value` (the quick path).

    The options are checked before the workspace is looked for (None: $SOLOML_WORKSPACE, then the current folder).
    `use` re-forecasts with a registered version or alias (e.g. production) instead of choosing and registering a
    new forecaster; `to` adds write-back targets to the spec's `forecast.write_to`.
    """
    from soloml.forecasting.workflow import Settings, forecast_project, forecast_table

    if (project is None) == (table is None):
        raise ConfigError(
            "Give either a PROJECT or --table with --date and --value.",
            hint="e.g. `soloml forecast revenue` or `soloml forecast --table raw.sales --date day --value amount`.",
        )
    if table is not None and not (date and value):
        raise ConfigError(
            f"--table {table} needs --date (the column dating each row) and --value (the column to forecast)."
        )
    if project is None and (use or to):
        raise ConfigError(
            "--use, --to and --cron work with a PROJECT, not with --table.",
            hint="Make a forecast project (`soloml interview`) to ship it.",
        )
    _check_choice("--frequency", frequency, ("day", "week", "month", "quarter"))
    _check_choice("--agg", agg, ("sum", "mean"))
    _check_choice("--metric", metric, ("mase", "wape", "mape"))
    ws = as_workspace(workspace)
    if project is not None:
        run = forecast_project(ws, project, use=use, to=tuple(to), n_jobs=jobs, progress=progress, save=save)
    else:
        assert table is not None and date is not None and value is not None  # checked above
        settings = Settings(horizon, level, metric, threshold, models=tuple(models))
        run = forecast_table(
            ws,
            table,
            date,
            value,
            by=tuple(by),
            frequency=cast(Frequency | None, frequency),  # checked above
            agg=agg,
            settings=settings,
            n_jobs=jobs,
            progress=progress,
            save=save,
        )
    return ForecastOutcome(run, draw_chart(run))


def schedule_forecast(
    workspace: WorkspaceLike | None,
    project: str,
    cron: str,
    *,
    executable: str,
    use: str = "production",
    to: Sequence[str] = (),
) -> Schedule:
    """The crontab line and systemd units that re-forecast `project` with the promoted forecaster on `cron`
    (choosing models again is a person's decision, so the job always runs with --use)."""
    from soloml.deploy.schedule import schedule
    from soloml.projects.spec import find_spec

    ws = as_workspace(workspace)
    find_spec(ws.projects_dir, project)  # a clear error for an unknown project, now rather than at 6 a.m.
    extra = ["--use", use]
    for target in to:
        extra += ["--to", target]
    return schedule(project, cron, workspace=ws.root, executable=executable, extra_args=tuple(extra), verb="forecast")


def draw_chart(run: ForecastRun) -> dict[str, str]:
    """forecasts/NAME/forecast.png and .svg next to forecast.csv: history, backtest, forecast and its range."""
    from soloml.reports.charts import forecast_chart, save

    if run.folder is None:
        return {}
    result = run.result
    fig = forecast_chart(result.chart_panels(), title=f"{result.name}: {result.verdict.decision}")
    png, svg = save(fig, run.folder / "forecast")
    return {"chart_png": str(png), "chart_svg": str(svg)}


def _check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise ConfigError(
            f"{option} must be one of {', '.join(allowed)} (got {value!r}).{did_you_mean(value, allowed)}"
        )
