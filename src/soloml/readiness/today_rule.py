"""Today's rule, the baseline a model must beat, must run over the training set; and how well it picks
today: the outcome rate among the rows it would act on first, on the latest snapshot."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from soloml.errors import ConfigError
from soloml.features.build import check_today_rule as rule_runs
from soloml.features.trainingset import CUTOFF, LABEL, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import Finding, Fix

CYCLE_DAYS = {"daily": 1, "weekly": 7, "monthly": 30}


def capacity_per_snapshot(spec: ProjectSpec, over_time: bool) -> int:
    """The capacity over the time between two snapshots (100 a week and monthly snapshots: about 430)."""
    cycles = max(1.0, CYCLE_DAYS[spec.cutoffs.every] / CYCLE_DAYS[spec.business.cycle]) if over_time else 1.0
    return max(1, round(spec.business.capacity * cycles))


def latest_rows(ts: TrainingSet) -> pd.DataFrame:
    """The latest snapshot's labelled rows (every labelled row of a table without snapshots)."""
    frame = ts.frame[ts.frame[LABEL].notna()]
    if not ts.has_time or ts.frame[CUTOFF].nunique() > 120:
        return frame
    return frame[frame[CUTOFF] == frame[CUTOFF].max()]


def rule_hit_rate(ts: TrainingSet, spec: ProjectSpec) -> tuple[float, int] | None:
    """(outcome rate among the `capacity` rows today's rule ranks first on the latest snapshot, how many), or None."""
    if spec.today_rule is None or ts.task != "binary":
        return None
    rows = latest_rows(ts)
    scores = _rule_scores(rows, spec.today_rule.expression)
    if scores is None or not len(rows):
        return None
    k = min(len(rows), capacity_per_snapshot(spec, ts.has_time and spec.recipe != "table"))
    return _top_k_rate(rows[LABEL].to_numpy(dtype=float), scores, k), k


def check_rule(ts: TrainingSet, spec: ProjectSpec) -> tuple[Finding, ...]:
    file = f"projects/{spec.name}.yaml"
    if spec.today_rule is None:
        if spec.recipe == "table":
            return ()
        words = "There is no rule of today to compare with, so a model is judged only against knowing nothing."
        fix = Fix(
            f"Add today_rule (how you decide today, as SQL over the features) to {file}, e.g. by answering the interview again.",
            command=f"soloml interview {spec.name}",
            file=file,
            column="today_rule",
        )
        return (Finding("today_rule", "note", spec.name, words, fix),)
    try:
        rule_runs(spec, ts)
    except ConfigError as exc:
        fix = Fix(
            exc.hint or "Write today_rule.expression over the training set's feature names.",
            command=f"soloml features {spec.name}",
            file=file,
            column="today_rule.expression",
        )
        return (
            Finding(
                "today_rule", "fix", spec.name, exc.message, fix, figures={"expression": spec.today_rule.expression}
            ),
        )
    picked = rule_hit_rate(ts, spec)
    rate = (
        f"; on the latest snapshot, {picked[0]:.1%} of the {picked[1]:,} it picks first had the outcome"
        if picked
        else ""
    )
    words = f"Today's rule ({spec.today_rule.description}) runs on the training set{rate}."
    figures = {
        "expression": spec.today_rule.expression,
        **({"hit_rate": picked[0], "picked": picked[1]} if picked else {}),
    }
    return (Finding("today_rule", "ok", spec.name, words, figures=figures),)


def _rule_scores(rows: pd.DataFrame, expression: str) -> np.ndarray | None:
    frame = rows  # noqa: F841 - read by DuckDB below
    scratch = duckdb.connect(":memory:")
    try:
        values = scratch.execute(f"SELECT CAST(({expression}) AS DOUBLE) FROM frame").fetchnumpy()
    except duckdb.Error:
        return None
    finally:
        scratch.close()
    column = next(iter(values.values()))
    return np.nan_to_num(np.asarray(column, dtype=float), nan=-np.inf)


def _top_k_rate(y: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Outcome rate among the top k by score; a tie at the boundary counts at its own average rate."""
    order = np.argsort(-scores, kind="stable")
    threshold = scores[order[k - 1]]
    above = scores > threshold
    tied = scores == threshold
    taken = int(above.sum())
    hits = float(y[above].sum()) + (k - taken) * float(y[tied].mean())
    return hits / k
