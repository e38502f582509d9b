"""The default engine: LightGBM in this process, on the training set in memory (soloml.modeling as it is)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from soloml.engines.advice import memory_advice


class LocalEngine:
    """Train and predict here; advises `--engine dask` when the training set would not fit in memory."""

    name = "local"

    def train(self, ts: Any, spec: Any, **options: Any) -> Any:
        from soloml.modeling.train import train

        notes = (*options.pop("notes", ()), *memory_advice(ts.frame, self.name))
        return train(ts, spec, notes=notes, **options)

    def predict(self, booster: Any, X: np.ndarray, entity_ids: pd.Series) -> np.ndarray:
        return np.asarray(booster.predict(X))
