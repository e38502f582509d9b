"""Forecast recipe: a spec can name it and is validated, but building a training set for it is not built yet."""

from __future__ import annotations

from soloml.errors import FeatureError
from soloml.projects.spec import ProjectSpec


def refuse(spec: ProjectSpec) -> FeatureError:
    """The error raised when someone asks for a forecast training set."""
    return FeatureError(
        f"Project '{spec.name}' uses the 'forecast' recipe: forecasting is not built yet in this version of soloml, "
        "so no training set can be made for it.",
        hint="Use recipe 'spend' to predict each customer's revenue over a horizon, or 'table' with a target column you prepare yourself.",
    )
