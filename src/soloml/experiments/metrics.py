"""Reading an experiment's metric: exposures joined to per-unit values, with every bad case named."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from soloml.errors import ExperimentError
from soloml.experiments.spec import ExperimentSpec, MetricSpec


def read_exposures(con: duckdb.DuckDBPyConnection, experiment: str) -> pd.DataFrame:
    """unit_id, variant of every unit exposed in `experiment` (first exposure per unit)."""
    frame = con.execute(
        """
        SELECT unit_id, arg_min(variant, exposed_at) AS variant
        FROM ops.exposures WHERE experiment = ? GROUP BY unit_id ORDER BY unit_id
        """,
        [experiment],
    ).df()
    if frame.empty:
        raise ExperimentError(f"Experiment '{experiment}' has no exposures in ops.exposures.", hint=f"Assign units first: `soloml experiment assign {experiment} --units ...`.")
    return frame


def read_metric(con: duckdb.DuckDBPyConnection, metric: MetricSpec, *, root: Path | None = None) -> pd.DataFrame:
    """unit_id (str), value (float) and, when given, covariate (float) for every unit the metric lists."""
    where = f"metric '{metric.name}'"
    if metric.sql is not None:
        try:
            frame = con.execute(metric.sql).df()
        except duckdb.Error as exc:
            raise ExperimentError(f"The SQL of {where} failed: {exc}.", hint="Fix the query in the experiment YAML; it must return unit_id, value [, covariate].") from exc
        source = f"the SQL of {where}"
    else:
        path = Path(metric.csv)  # type: ignore[arg-type]
        if not path.is_absolute() and root is not None:
            path = root / path
        if not path.is_file():
            raise ExperimentError(f"The CSV file {path} of {where} does not exist.", hint="Fix 'csv' in the experiment YAML.")
        frame = pd.read_csv(path, dtype={"unit_id": str})
        source = str(path)
    missing = [c for c in ("unit_id", "value") if c not in frame.columns]
    if missing:
        raise ExperimentError(f"{source} returned columns {list(frame.columns)}; it lacks {missing}.", hint="Return unit_id, value and optionally covariate (e.g. `SELECT customer_id AS unit_id, ... AS value`).")
    keep = ["unit_id", "value"] + (["covariate"] if "covariate" in frame.columns else [])
    frame = frame.loc[:, keep].copy()
    frame["unit_id"] = frame["unit_id"].astype(str)
    dupes = frame["unit_id"][frame["unit_id"].duplicated()]
    if len(dupes):
        raise ExperimentError(f"{source} returns unit '{dupes.iloc[0]}' more than once ({dupes.nunique()} repeated units).", hint="Aggregate to one row per unit (GROUP BY unit_id).")
    for column in keep[1:]:
        numeric = pd.to_numeric(frame[column], errors="coerce")
        bad = numeric.isna() & frame[column].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ExperimentError(f"{source} row {row + 1} column '{column}' is not a number: got {frame[column].iloc[row]!r}.", hint="Return numbers only.")
        frame[column] = numeric.astype(float)
    if metric.kind == "conversion":
        values = frame["value"].dropna()
        bad = values[~values.isin([0.0, 1.0])]
        if len(bad):
            raise ExperimentError(f"{where} is a conversion metric but unit '{frame.loc[bad.index[0], 'unit_id']}' has value {bad.iloc[0]}.", hint="Return 1 (converted) or 0 per unit, or set kind: mean.")
    return frame


def join_metric(exposures: pd.DataFrame, metric_frame: pd.DataFrame, spec: ExperimentSpec, metric: MetricSpec) -> pd.DataFrame:
    """Exposed units with their value; refuses units never assigned and variants without data."""
    assigned = set(exposures["unit_id"])
    stray = metric_frame.loc[~metric_frame["unit_id"].isin(assigned), "unit_id"]
    if len(stray):
        examples = ", ".join(repr(u) for u in stray.head(3))
        raise ExperimentError(
            f"Metric '{metric.name}' of experiment '{spec.name}' returns {len(stray)} unit(s) that were never assigned (e.g. {examples}).",
            hint=f"Restrict the query to exposed units: `WHERE unit_id IN (SELECT unit_id FROM ops.exposures WHERE experiment = '{spec.name}')`.",
        )
    joined = exposures.merge(metric_frame, on="unit_id", how="left")
    unknown = sorted(set(joined["variant"]) - set(spec.variants))
    if unknown:
        raise ExperimentError(f"ops.exposures lists variant(s) {unknown} that experiment '{spec.name}' does not define (it has {list(spec.variants)}).", hint="Fix the variants in the YAML or remove the stray exposures.")
    fill = metric.fill_value
    if joined["value"].isna().any():
        if fill is None:
            n = int(joined["value"].isna().sum())
            raise ExperimentError(f"{n} exposed unit(s) have no value for metric '{metric.name}' (e.g. '{joined.loc[joined['value'].isna(), 'unit_id'].iloc[0]}').", hint="Return a value for every exposed unit, or set missing_value for the metric in the YAML.")
        joined["value"] = joined["value"].fillna(fill)
    if "covariate" in joined.columns:
        joined["covariate"] = joined["covariate"].fillna(joined["covariate"].mean())
        if joined["covariate"].isna().all():
            joined = joined.drop(columns="covariate")
    for variant in spec.variants:
        n = int((joined["variant"] == variant).sum())
        if n == 0:
            raise ExperimentError(f"Variant '{variant}' of experiment '{spec.name}' has no units with data for metric '{metric.name}'.", hint="Assign more units, check the weights, or wait for exposures to be logged.")
    return joined
