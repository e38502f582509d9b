"""Recipes: one file per proven pattern (churn, buy_again, conversion, spend, table, forecast)."""

from __future__ import annotations

from soloml.errors import ConfigError, did_you_mean
from soloml.projects.recipes import buy_again, churn, conversion, spend
from soloml.projects.recipes.base import RecipeSQL
from soloml.projects.spec import ProjectSpec

EVENT_RECIPES: dict[str, RecipeSQL] = {
    r.name: r for r in (churn.RECIPE, buy_again.RECIPE, conversion.RECIPE, spend.RECIPE)
}
ALL_RECIPES = ("churn", "buy_again", "conversion", "spend", "table", "forecast")


def get_recipe(name: str) -> RecipeSQL:
    """The SQL recipe called `name` (churn, buy_again, conversion or spend)."""
    if name not in EVENT_RECIPES:
        raise ConfigError(
            f"There is no event recipe '{name}'.{did_you_mean(name, EVENT_RECIPES)}",
            hint=f"Recipes: {', '.join(ALL_RECIPES)}.",
        )
    return EVENT_RECIPES[name]


def active_within_days(spec: ProjectSpec, recipe: RecipeSQL) -> int | None:
    """The spec's population as days (None: every customer who ever bought); the recipe's default when unset."""
    if spec.population is None:
        return recipe.active_within_days
    return None if spec.population.all_customers else spec.population.active_within_days


def population_words(spec: ProjectSpec) -> str:
    """Who is scored at each cutoff, in plain words."""
    recipe = get_recipe(spec.recipe)
    days = active_within_days(spec, recipe)
    if days is None and recipe.active_within_days is not None:
        return recipe.population_description.replace(
            "in the {active} before the cutoff", "at any time before the cutoff (all customers)"
        )
    return recipe.population_description.format(active=f"{days} days")


def population_sql(spec: ProjectSpec) -> str:
    """The population query of the spec's recipe, with its population setting."""
    recipe = get_recipe(spec.recipe)
    return recipe.population(spec.label.horizon_days, active_within_days(spec, recipe))


__all__ = [
    "ALL_RECIPES",
    "EVENT_RECIPES",
    "RecipeSQL",
    "active_within_days",
    "get_recipe",
    "population_sql",
    "population_words",
]
