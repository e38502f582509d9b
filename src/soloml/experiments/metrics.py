"""Reading an experiment's metric: exposures joined to per-unit values, with every bad case named.

The metric's rows travel as Arrow and every check and join runs in an in-memory DuckDB, so a
million units take seconds; only the numbers the statistics need come back as numpy. Only the exposures and
the metric's own SQL run on the warehouse, with numbered parameters ($start becomes $1), so a Postgres
warehouse gives the same rows and the same readout (issue 18).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from soloml.errors import ExperimentError, did_you_mean
from soloml.experiments.spec import ExperimentSpec, MetricSpec
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import DATABASE_ERRORS
from soloml.warehouse.dialect import numbered_params

Window = tuple[date | None, date | None]


def _window_sql(column: str, window: Window) -> tuple[str, dict[str, datetime]]:
    """A filter keeping whole days from start to end, with its named parameters."""
    start, end = window
    parts, params = [], {}
    if start is not None:
        parts.append(f"{column} >= $window_start")
        params["window_start"] = datetime.combine(start, time.min)
    if end is not None:
        parts.append(f"{column} < $window_end")
        params["window_end"] = datetime.combine(end + timedelta(days=1), time.min)
    return (" AND ".join(parts) or "TRUE"), params


def read_exposures(con: Connection, experiment: str, window: Window = (None, None)) -> pa.Table:
    """unit_id, variant, exposed_at of every unit first exposed in `experiment` within the window (whole days)."""
    where, params = _window_sql("exposed_at", window)
    sql, values = numbered_params(
        "SELECT unit_id, variant, exposed_at FROM (SELECT unit_id, arg_min(variant, exposed_at) AS variant, min(exposed_at) AS exposed_at "
        f"FROM ops.exposures WHERE experiment = $experiment GROUP BY unit_id) WHERE {where}",
        {"experiment": experiment, **params},
    )
    table = con.sql(sql, params=values).to_arrow_table()
    if table.num_rows == 0:
        shown = "" if window == (None, None) else f" between {window[0] or 'the start'} and {window[1] or 'now'}"
        raise ExperimentError(
            f"Experiment '{experiment}' has no exposures in ops.exposures{shown}.",
            hint=f"Assign units first: `soloml experiment assign {experiment} --units ...`, or check the start and end dates.",
        )
    return table


def _sql_params(metric: MetricSpec, window: Window) -> dict[str, date]:
    """$start / $end, when the metric's SQL uses them."""
    used = set(re.findall(r"\$(start|end)\b", metric.sql or ""))
    params = {}
    for name, value in zip(("start", "end"), window, strict=True):
        if name in used:
            if value is None:
                raise ExperimentError(
                    f"The SQL of metric '{metric.name}' uses ${name} but the experiment has no {name} date.",
                    hint=f"Set '{name}:' in the experiment YAML.",
                )
            params[name] = value
    return params


def read_metric(
    con: Connection,
    metric: MetricSpec,
    *,
    root: Path | None = None,
    window: Window = (None, None),
    source: pa.Table | None = None,
) -> pa.Table:
    """The metric's rows as returned: unit_id, value and optionally covariate (checked in `join_metric`).

    Rows with an `observed_at` outside the window are dropped, so an outcome after the end counts as none.
    """
    where = f"metric '{metric.name}'"
    if metric.column is not None:
        if source is None:
            raise ExperimentError(
                f"Metric '{metric.name}' reads column '{metric.column}' of the --from source, and no --from was given.",
                hint="Run `soloml experiment analyze NAME --from SOURCE`.",
            )
        keep = [metric.column] + ([metric.covariate] if metric.covariate else [])
        lacking = [c for c in keep if c not in source.column_names]
        if lacking:
            raise ExperimentError(
                f"The --from source has no column {lacking[0]!r} for {where} (it has {source.column_names}).{did_you_mean(lacking[0], source.column_names)}",
                hint="Fix the column name in the YAML.",
            )
        table = source.select(["unit_id", *keep]).rename_columns(
            ["unit_id", "value"] + (["covariate"] if metric.covariate else [])
        )
        return table.replace_schema_metadata({"source": f"column '{metric.column}' of the --from source"})
    if metric.sql is not None:
        try:
            sql, values = numbered_params(metric.sql, _sql_params(metric, window))
            relation = con.sql(sql, params=values or None)
            if relation is None:
                raise ExperimentError(
                    f"The SQL of {where} is not a query.", hint="Write a SELECT returning unit_id, value [, covariate]."
                )
            table = relation.to_arrow_table()
        except DATABASE_ERRORS as exc:
            raise ExperimentError(
                f"The SQL of {where} failed: {exc}.",
                hint="Fix the query in the experiment YAML; it must return unit_id, value [, covariate].",
            ) from exc
        source_name = f"the SQL of {where}"
    elif metric.csv is not None:
        path = Path(metric.csv)
        if not path.is_absolute() and root is not None:
            path = root / path
        if not path.is_file():
            raise ExperimentError(
                f"The CSV file {path} of {where} does not exist.", hint="Fix 'csv' in the experiment YAML."
            )
        table = pa.Table.from_pandas(pd.read_csv(path, dtype={"unit_id": str}), preserve_index=False)
        source_name = str(path)
    else:
        raise ExperimentError(
            f"Metric '{metric.name}' has no sql, csv or column to read it from.",
            hint="Give one in the YAML, or analyse with --from SOURCE or --counts.",
        )
    missing = [c for c in ("unit_id", "value") if c not in table.column_names]
    if missing:
        raise ExperimentError(
            f"{source_name} returned columns {table.column_names}; it lacks {missing}.",
            hint="Return unit_id, value and optionally covariate (e.g. `SELECT customer_id AS unit_id, ... AS value`).",
        )
    if "observed_at" in table.column_names and window != (None, None):
        table = _in_window(table, window)
    keep = ["unit_id", "value"] + (["covariate"] if "covariate" in table.column_names else [])
    return table.select(keep).replace_schema_metadata({"source": source_name})


def _in_window(table: pa.Table, window: Window) -> pa.Table:
    local = duckdb.connect(":memory:")
    try:
        local.register("rows", table)
        where, params = _window_sql("CAST(observed_at AS TIMESTAMP)", window)
        return local.sql(f"SELECT * FROM rows WHERE observed_at IS NULL OR ({where})", params=params).to_arrow_table()
    finally:
        local.close()


def join_metric(exposures: pa.Table, metric_table: pa.Table, spec: ExperimentSpec, metric: MetricSpec) -> pd.DataFrame:
    """variant, value [, covariate] for every exposed unit; refuses bad values, strangers and empty variants."""
    source = (metric_table.schema.metadata or {}).get(b"source", f"metric '{metric.name}'".encode()).decode()
    has_cov = "covariate" in metric_table.column_names
    local = duckdb.connect(":memory:")
    try:
        local.register("exposed", exposures)
        local.register("metric_raw", metric_table)
        local.execute(
            "CREATE TEMP VIEW metric AS SELECT CAST(unit_id AS VARCHAR) AS unit_id, value, TRY_CAST(value AS DOUBLE) AS num"
            + (", TRY_CAST(covariate AS DOUBLE) AS cov, covariate" if has_cov else "")
            + " FROM metric_raw"
        )
        _check_values(local, source, metric, has_cov)
        strays = local.execute(  # how many, and the first three by id (one portable query: no sliced list)
            "SELECT count(*) OVER (), unit_id FROM metric m WHERE NOT EXISTS "
            "(SELECT 1 FROM exposed e WHERE e.unit_id = m.unit_id) ORDER BY unit_id LIMIT 3"
        ).fetchall()
        if strays:
            stray_count = strays[0][0]
            shown = ", ".join(repr(u) for _, u in strays)
            raise ExperimentError(
                f"Metric '{metric.name}' of experiment '{spec.name}' returns {stray_count} unit(s) that were never assigned (e.g. {shown}).",
                hint=f"Restrict the query to exposed units: `WHERE unit_id IN (SELECT unit_id FROM ops.exposures WHERE experiment = '{spec.name}')`.",
            )
        unknown = sorted(
            v for (v,) in local.execute("SELECT DISTINCT variant FROM exposed").fetchall() if v not in spec.variants
        )
        if unknown:
            raise ExperimentError(
                f"ops.exposures lists variant(s) {unknown} that experiment '{spec.name}' does not define (it has {list(spec.variants)}).",
                hint="Fix the variants in the YAML or remove the stray exposures.",
            )
        fill = metric.fill_value
        if fill is None:
            row = local.execute(
                "SELECT count(*), min(e.unit_id) FROM exposed e LEFT JOIN metric m USING (unit_id) WHERE m.num IS NULL"
            ).fetchone()
            if row[0]:
                raise ExperimentError(
                    f"{row[0]} exposed unit(s) have no value for metric '{metric.name}' (e.g. '{row[1]}').",
                    hint="Return a value for every exposed unit, or set missing_value for the metric in the YAML.",
                )
        cov = ", m.cov AS covariate" if has_cov else ""
        names = list(spec.variants)
        # in unit order: sums (means, variances, CUPED) then add in the same order whatever order the warehouse
        # returned the rows in, so a DuckDB and a Postgres warehouse give the same readout to the last digit
        arrays = local.execute(
            f"SELECT CAST(list_position(?, e.variant) - 1 AS INTEGER) AS code, coalesce(m.num, ?) AS value{cov} "
            "FROM exposed e LEFT JOIN metric m USING (unit_id) ORDER BY e.unit_id",
            [names, fill],
        ).fetchnumpy()
    finally:
        local.close()
    codes = np.asarray(arrays.pop("code"))
    joined = pd.DataFrame({k: (v.filled(np.nan) if hasattr(v, "filled") else v) for k, v in arrays.items()})
    joined.insert(0, "variant", np.array(names, dtype=object)[codes])
    if has_cov:
        covariate = pd.Series(arrays["covariate"]).astype(float)
        joined["covariate"] = covariate.fillna(covariate.mean())
        if joined["covariate"].isna().all():
            joined = joined.drop(columns="covariate")
    joined["value"] = joined["value"].astype(float)
    present = set(joined["variant"].unique())
    for variant in spec.variants:
        if variant not in present:
            raise ExperimentError(
                f"Variant '{variant}' of experiment '{spec.name}' has no units with data for metric '{metric.name}'.",
                hint="Assign more units, check the weights, or wait for exposures to be logged.",
            )
    return joined


def _check_values(local: Connection, source: str, metric: MetricSpec, has_cov: bool) -> None:
    dupe = local.execute(
        "SELECT unit_id, count(*) OVER () FROM metric GROUP BY unit_id HAVING count(*) > 1 ORDER BY unit_id LIMIT 1"
    ).fetchone()
    if dupe:
        raise ExperimentError(
            f"{source} returns unit '{dupe[0]}' more than once ({dupe[1]} repeated units).",
            hint="Aggregate to one row per unit (GROUP BY unit_id).",
        )
    checks = [("value", "num")] + ([("covariate", "cov")] if has_cov else [])
    for column, cast in checks:
        bad = local.execute(
            f"SELECT unit_id, CAST({column} AS VARCHAR) FROM metric WHERE {cast} IS NULL AND {column} IS NOT NULL ORDER BY unit_id LIMIT 1"
        ).fetchone()
        if bad:
            raise ExperimentError(
                f"{source}: unit '{bad[0]}' has column '{column}' = {bad[1]!r}, which is not a number.",
                hint="Return numbers only.",
            )
    if metric.kind == "conversion":
        bad = local.execute(
            "SELECT unit_id, num FROM metric WHERE num IS NOT NULL AND num NOT IN (0, 1) ORDER BY unit_id LIMIT 1"
        ).fetchone()
        if bad:
            raise ExperimentError(
                f"Metric '{metric.name}' is a conversion metric but unit '{bad[0]}' has value {bad[1]:g}.",
                hint="Return 1 (converted) or 0 per unit, or set kind: mean.",
            )
