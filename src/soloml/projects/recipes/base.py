"""What a recipe is: the population, the label and a default today's rule, as set-based SQL.

Every recipe's SQL runs over all cutoffs at once. It reads the temp table `{cutoffs}` (one
column `cutoff`) and, for labels, `{population}` (entity_id, cutoff, customer_id, email).
`{horizon}` is the label window in days; `{buyers}` (customer recipes) the (cutoff, customer_id)
of the customers who bought before each cutoff, per the spec's `population` (purchases.py).

Every event lands in exactly one window: populations and features read `[.., cutoff)`, labels
`[cutoff, cutoff + horizon)` (see `in_label_window`). A date without a time of day is stored at
00:00, the instant of a cutoff, so an event dated on the cutoff day is a label event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Same values as soloml.features.trainingset.Task (not imported: features imports the recipes).
Task = Literal["binary", "multiclass", "regression"]

CUTOFFS_TABLE = "_soloml_cutoffs"
POPULATION_TABLE = "_soloml_population"


def in_label_window(column: str, cutoff: str = "p.cutoff") -> str:
    """`column` in [cutoff, cutoff + horizon): at or after the cutoff, strictly before its end."""
    return f"({column} >= {cutoff} AND {column} < {cutoff} + INTERVAL {{horizon}} DAY)"


def at_label_end(cutoff: str = "p.cutoff") -> str:
    """The instant the label window closes (the first instant after it)."""
    return f"{cutoff} + INTERVAL {{horizon}} DAY"


@dataclass(frozen=True)
class RecipeSQL:
    """One recipe. `population_sql` yields (entity_id, cutoff, customer_id, email);
    `label_sql` yields (entity_id, cutoff, label) for every population row.

    `active_within_days` is the default population of a customer recipe (bought in the N days
    before the cutoff); None for recipes whose population is not about buying (conversion).
    """

    name: str
    entity: str
    task: Task
    label_definition: str
    population_description: str
    population_sql: str
    label_sql: str
    today_rule_description: str
    today_rule_expression: str
    metric: str = "roc_auc"
    feature_families: tuple[str, ...] = ()
    active_within_days: int | None = None

    def population(self, horizon_days: int, active_within_days: int | None = None) -> str:
        """The population SQL; `active_within_days` None means every customer who bought before the cutoff."""
        from soloml.projects.recipes.purchases import buyers

        return self.population_sql.format(
            cutoffs=CUTOFFS_TABLE,
            population=POPULATION_TABLE,
            horizon=int(horizon_days),
            buyers=buyers(active_within_days),
        )

    def label(self, horizon_days: int) -> str:
        return self.label_sql.format(cutoffs=CUTOFFS_TABLE, population=POPULATION_TABLE, horizon=int(horizon_days))
