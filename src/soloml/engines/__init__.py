"""Where training and scoring run: `local` (this process, the default) or `dask` (a Dask cluster, extra `soloml[scale]`).

    with open_engine("dask", scheduler="tcp://10.0.0.5:8786", staging=ws.root / "staging") as engine:
        result = engine.train(training_set, spec, seed=0)
        raw = engine.predict(result.booster, X, entity_ids)

An engine changes where the LightGBM work happens, never what is judged: validation, baselines and the
verdict are computed by soloml.modeling the same way for both, and the saved booster is LightGBM text
in the registry either way. See docs/scale.md for when to move.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from soloml.errors import ConfigError

EngineName = Literal["local", "dask"]
ENGINES: tuple[str, ...] = ("local", "dask")


class Engine(Protocol):
    """What the train and score workflows call; `name` goes into every result (`--json` shows it)."""

    name: str

    def train(self, ts: Any, spec: Any, **options: Any) -> Any:
        """A TrainResult for `ts` (a TrainingSet) and `spec`, judged as soloml.modeling.train judges."""

    def predict(self, booster: Any, X: np.ndarray, entity_ids: pd.Series) -> np.ndarray:
        """`booster.predict(X)` for every row of the feature matrix `X` (n, or n x K for multiclass)."""


@contextmanager
def open_engine(
    name: str = "local", *, scheduler: str | None = None, staging: Path | None = None, memory: int | None = None
) -> Iterator[Engine]:
    """The engine called `name`, closed (cluster and staging files) on leaving the block.

    `memory` (bytes) is the figure dask judges the set against (default: this machine's), past which it validates on a sample.
    """
    if name not in ENGINES:
        raise ConfigError(
            f"--engine must be one of {', '.join(ENGINES)}, got '{name}'.",
            hint="Leave it out for local, or pass --engine dask (docs/scale.md).",
        )
    if name == "local":
        if scheduler is not None:
            raise ConfigError(
                f"--scheduler {scheduler} needs --engine dask.",
                hint="Add --engine dask, or leave out --scheduler to train in this process.",
            )
        from soloml.engines.local import LocalEngine

        yield LocalEngine()
        return
    from soloml.engines.dask import DaskEngine

    engine = DaskEngine.connect(scheduler, staging=staging or Path.cwd() / "staging", memory=memory)
    try:
        yield engine
    finally:
        engine.close()


__all__ = ["ENGINES", "Engine", "EngineName", "open_engine"]
