"""The training set handed from features/ to modeling/: one row per (entity, cutoff)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

Task = Literal["binary", "multiclass", "regression"]

ENTITY_ID = "entity_id"
CUTOFF = "cutoff"
LABEL = "label"


@dataclass(frozen=True)
class TrainingSet:
    """`frame` holds `entity_id`, `cutoff` (TIMESTAMP; NaT for a table without time), `label`, then features.

    `features` lists the model inputs in order; `categorical` the subset that are categories.
    `load_ids` are the loads (ops.loads) whose data went in; `spec_hash` ties it to its project spec.
    """

    project: str
    frame: pd.DataFrame
    features: tuple[str, ...]
    task: Task
    categorical: tuple[str, ...] = ()
    spec_hash: str = ""
    load_ids: tuple[str, ...] = ()
    descriptions: dict[str, str] = field(default_factory=dict)
    classes: tuple[str, ...] = ()  # multiclass: label i means classes[i]

    @property
    def has_time(self) -> bool:
        return bool(self.frame[CUTOFF].notna().any()) if CUTOFF in self.frame else False

    def X(self) -> pd.DataFrame:  # noqa: N802 - the ML convention
        return self.frame.loc[:, list(self.features)]

    def y(self) -> pd.Series:
        return self.frame[LABEL]
