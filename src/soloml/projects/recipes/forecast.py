"""Forecast recipe: a project whose answer is a series per period, not a prediction per customer.

It has no training set: `soloml forecast PROJECT` builds its series from the core tables (or the table
in `forecast.table`), backtests and forecasts it (soloml.forecasting). Asking for a training set says so.
"""

from __future__ import annotations

from soloml.errors import FeatureError
from soloml.projects.spec import ProjectSpec


def refuse(spec: ProjectSpec) -> FeatureError:
    """The error raised when someone asks for a training set (or `soloml train`) on a forecast project."""
    return FeatureError(
        f"Project '{spec.name}' uses the 'forecast' recipe: it has no training set of customers or rows; "
        "its series are backtested and forecast by `soloml forecast`.",
        hint=f"Run `soloml forecast {spec.name}`.",
    )
