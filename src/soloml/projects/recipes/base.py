"""What a recipe is: the population, the label and a default today's rule, as set-based SQL.

Every recipe's SQL runs over all cutoffs at once. It reads the temp table `{cutoffs}` (one
column `cutoff`) and, for labels, `{population}` (entity_id, cutoff, customer_id, email).
`{horizon}` is the label window in days. Populations may only look at data strictly before
the cutoff; labels only at data strictly after it and within the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Same values as soloml.features.trainingset.Task (not imported: features imports the recipes).
Task = Literal["binary", "multiclass", "regression"]

CUTOFFS_TABLE = "_soloml_cutoffs"
POPULATION_TABLE = "_soloml_population"


@dataclass(frozen=True)
class RecipeSQL:
    """One recipe. `population_sql` yields (entity_id, cutoff, customer_id, email);
    `label_sql` yields (entity_id, cutoff, label) for every population row."""

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

    def population(self, horizon_days: int) -> str:
        return self.population_sql.format(cutoffs=CUTOFFS_TABLE, population=POPULATION_TABLE, horizon=int(horizon_days))

    def label(self, horizon_days: int) -> str:
        return self.label_sql.format(cutoffs=CUTOFFS_TABLE, population=POPULATION_TABLE, horizon=int(horizon_days))
