"""Forecasts: at least two full seasonal cycles, at a regular frequency with no missing periods.

The series is the one the forecast itself will use: the forecasting stage builds it from the project's
`forecast:` settings (a core series such as revenue, or a table) and hands it in through the Toolkit
(readiness may not import forecasting). A season is a week for daily series and a year otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

from soloml.errors import SolomlError
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import DAYS_PER_MONTH, Finding, Fix, Needed
from soloml.readiness.toolkit import SeriesMaker

SEASON = {"day": (7, "week"), "week": (52, "year"), "month": (12, "year"), "quarter": (4, "year")}
PER_MONTH = {"day": DAYS_PER_MONTH, "week": DAYS_PER_MONTH / 7, "month": 1.0, "quarter": 1 / 3}
CYCLES = 2
SHOWN = 5


def check_seasons(con: Any, spec: ProjectSpec, series_of: SeriesMaker, *, now: datetime) -> tuple[Finding, ...]:
    file = f"projects/{spec.name}.yaml"
    try:
        series = series_of(con, spec)
    except SolomlError as exc:
        return (
            Finding(
                "seasons",
                "fix",
                spec.name,
                f"The forecast's series cannot be built: {exc.message}",
                Fix(
                    exc.hint or "Load the data the forecast is of, or fix the project's forecast settings.",
                    command="soloml load FILE",
                    file=file,
                ),
            ),
        )
    unit = series.frequency
    length, season = SEASON[unit]
    lengths = series.frame.groupby("unique_id").size()
    periods = int(lengths.max())
    first, last = pd.Timestamp(series.frame["ds"].min()).date(), pd.Timestamp(series.frame["ds"].max()).date()
    figures: dict[str, Any] = {
        "periods": periods,
        "series": len(lengths),
        "season_length": length,
        "first": first,
        "last": last,
        "frequency": unit,
    }
    out = []
    if series.filled and series.filled_by == "interpolate":
        missing = [pd.Timestamp(ts).date().isoformat() for ts in series.filled]
        shown = ", ".join(missing[:SHOWN]) + (f" and {len(missing) - SHOWN} more" if len(missing) > SHOWN else "")
        out.append(
            Finding(
                "frequency",
                "fix",
                spec.name,
                f"The {unit}ly series ({series.source}) is not regular: {len(missing)} of its {periods} {unit}s have no data ({shown}).",
                Fix(
                    f"Load the data for those {unit}s; if nothing happened then, add them with a value of 0 "
                    "(until then the forecast fills them by straight-line interpolation).",
                    command="soloml load FILE",
                    file=file,
                ),
                figures={**figures, "missing": missing},
            )
        )
    cycles = periods / length
    if cycles < CYCLES:
        more = CYCLES * length - periods
        words = (
            f"The series ({series.source}) covers {periods} {unit}s, {cycles:.1f} {season}s: a forecast needs at least {CYCLES} full "
            f"seasonal cycles ({CYCLES * length} {unit}s) to tell the season from the trend."
        )
        fix = Fix(
            f"Load older history if you have it; otherwise wait, checking again as the {unit}s come in.",
            command=f"soloml check {spec.name}",
            file=file,
        )
        out.append(
            Finding(
                "seasons",
                "wait",
                spec.name,
                words,
                fix,
                Needed(more, f"{unit}s of history", periods, PER_MONTH[unit], now.date()),
                figures,
            )
        )
    elif not out:
        out.append(
            Finding(
                "seasons",
                "ok",
                spec.name,
                f"The series ({series.source}) covers {periods} {unit}s ({cycles:.1f} {season}s), every "
                f"{unit} with data.",
                figures=figures,
            )
        )
    return tuple(out)
