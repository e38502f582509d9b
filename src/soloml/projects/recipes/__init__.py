"""Recipes: one file per proven pattern (churn, conversion, spend, table, forecast)."""

from __future__ import annotations

from soloml.errors import ConfigError, did_you_mean
from soloml.projects.recipes import churn, conversion, spend
from soloml.projects.recipes.base import RecipeSQL

EVENT_RECIPES: dict[str, RecipeSQL] = {r.name: r for r in (churn.RECIPE, conversion.RECIPE, spend.RECIPE)}
ALL_RECIPES = ("churn", "conversion", "spend", "table", "forecast")


def get_recipe(name: str) -> RecipeSQL:
    """The SQL recipe called `name` (churn, conversion or spend)."""
    if name not in EVENT_RECIPES:
        raise ConfigError(f"There is no event recipe '{name}'.{did_you_mean(name, EVENT_RECIPES)}", hint=f"Recipes: {', '.join(ALL_RECIPES)}.")
    return EVENT_RECIPES[name]


__all__ = ["ALL_RECIPES", "EVENT_RECIPES", "RecipeSQL", "get_recipe"]
