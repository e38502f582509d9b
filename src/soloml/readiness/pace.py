"""What a training set's rows are called, and how fast they (or some of them) arrive: today's pace.

For snapshot projects each new snapshot adds about as many rows as the latest ones did; for a flat table
with a time column, the rows dated in its latest three months; a table without dates has no pace.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.features.trainingset import CUTOFF, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import DAYS_PER_MONTH

SNAPSHOTS_PER_MONTH = {"monthly": 1.0, "weekly": DAYS_PER_MONTH / 7, "daily": DAYS_PER_MONTH}
RECENT = 3


def row_unit(spec: ProjectSpec) -> str:
    """'customer snapshots' (a customer at one cutoff), 'contact snapshots', or 'labelled rows'."""
    if spec.recipe == "table":
        return "labelled rows"
    return f"{'contact' if spec.recipe == 'conversion' else 'customer'} snapshots"


def per_month(ts: TrainingSet, spec: ProjectSpec, mask: np.ndarray | None = None) -> float | None:
    """Rows (those in `mask`, when given) added per month at today's pace; None when the data has no dates."""
    if not ts.has_time:
        return None
    when = pd.to_datetime(ts.frame[CUTOFF])
    keep = np.ones(len(when), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    if spec.recipe != "table":
        latest = np.sort(when.dropna().unique())[-RECENT:]
        counts = [int((keep & (when == c).to_numpy()).sum()) for c in latest]
        return float(np.mean(counts)) * SNAPSHOTS_PER_MONTH[spec.cutoffs.every]
    end = when.max()
    start = end - pd.Timedelta(days=RECENT * DAYS_PER_MONTH)
    recent = keep & (when > start).to_numpy()
    return float(recent.sum()) / RECENT
