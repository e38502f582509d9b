"""Planting data for the readiness tests: table projects from a DataFrame, training sets with a known truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from soloml.features.trainingset import TrainingSet
from soloml.projects.spec import ProjectSpec, save_spec

NOW = pd.Timestamp("2026-11-30 12:00").to_pydatetime()


def project_spec(name: str, **changes: Any) -> ProjectSpec:
    """A valid spec; `changes` replace top-level keys (dicts are merged one level deep)."""
    base: dict[str, Any] = {
        "name": name,
        "question": "Which rows will say yes?",
        "decision": "call them first",
        "stakeholder": "CEO",
        "owner": "data person",
        "recipe": "table",
        "label": {"definition": "the target column", "target": "label"},
        "metric": "roc_auc",
        "business": {"value_per_success": 100, "cost_per_action": 5, "capacity": 50, "cycle": "weekly"},
        "done": {"metric": "roc_auc", "value": 0.7},
    }
    for key, value in changes.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return ProjectSpec.model_validate(base)


def table_project(root: Path, frame: pd.DataFrame, name: str = "accounts", **changes: Any) -> ProjectSpec:
    """Write `frame` as <root>/<name>.csv and projects/<name>.yaml (table recipe on that file, target 'label')."""
    path = root / f"{name}.csv"
    frame.to_csv(path, index=False)
    spec = project_spec(name, source_table=str(path), **changes)
    save_spec(spec, root / "projects")
    return spec


def signal_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Accounts whose label follows two features through a logistic model (a learnable, imperfect signal)."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    p = 1 / (1 + np.exp(-(-1.0 + 1.2 * x1 - 0.8 * x2)))
    return pd.DataFrame(
        {
            "plan": rng.choice(["free", "pro"], n),
            "logins": np.round(5 + 3 * x1, 1),
            "tickets": np.round(2 - x2, 1),
            "label": (rng.random(n) < p).astype(int),
        }
    )


def training_set(frame: pd.DataFrame, features: tuple[str, ...], *, project: str = "sim") -> TrainingSet:
    """A flat training set (no snapshots) with `label` and `features` from `frame`."""
    out = frame.assign(entity_id=[f"e{i}" for i in range(len(frame))], cutoff=pd.NaT)
    return TrainingSet(
        project=project, frame=out.loc[:, ["entity_id", "cutoff", "label", *features]], features=features, task="binary"
    )
