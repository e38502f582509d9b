"""The table recipe: any flat table (warehouse table or CSV/Parquet file) with a target column.

Every column but the target becomes a feature, except id-like columns (`id`, `*_id`, unique
text) — the first of those becomes `entity_id` — and date columns other than the time column.
The task is inferred from the target: two distinct values -> binary, a few classes ->
multiclass, a number with many values -> regression.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from soloml.errors import ConfigError, FeatureError, SolomlError, did_you_mean
from soloml.projects.recipes.base import Task
from soloml.projects.spec import BusinessValue, Cutoffs, DoneThreshold, Label, ProjectSpec
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_name, table_name

POSITIVE_WORDS = ("1", "true", "t", "yes", "y", "churned", "churn", "won", "converted", "positive", "cancelled", "canceled")
NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "REAL")
INTEGER = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
MAX_CLASSES = 50


@dataclass(frozen=True)
class TablePlan:
    """How a flat table becomes a training set: which column is what, and the task."""

    relation: str
    target: str
    task: Task
    entity_column: str | None
    time_column: str | None
    features: tuple[str, ...]  # snake_case names in the frame
    source_columns: tuple[str, ...]  # the matching source columns
    categorical: tuple[str, ...]
    positive: str | None  # binary: the value counted as 1
    classes: tuple[str, ...]  # multiclass: label i means classes[i]
    excluded: tuple[str, ...]


def relation_sql(source: str) -> str:
    """FROM-clause text for a warehouse table name or a CSV/Parquet/JSON file path."""
    lowered = source.lower()
    if lowered.endswith((".csv", ".tsv", ".txt", ".csv.gz")):
        return f"read_csv_auto({_literal(source)}, header=true)"
    if lowered.endswith(".parquet"):
        return f"read_parquet({_literal(source)})"
    if lowered.endswith((".json", ".jsonl", ".ndjson")):
        return f"read_json_auto({_literal(source)})"
    parts = source.split(".")
    return ".".join(quote_ident(p) for p in parts)


FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".parquet", ".json", ".jsonl", ".ndjson")


def is_file_path(source: str) -> bool:
    return source.lower().endswith(FILE_SUFFIXES)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def describe(con: duckdb.DuckDBPyConnection, source: str, *, what: str = "source_table", error: type[SolomlError] = FeatureError) -> list[tuple[str, str]]:
    """(column, type) of the source, with a clear error (naming it as `what`) when it does not exist."""
    if is_file_path(source) and not Path(source).is_file():
        raise error(f"The {what} file {source} does not exist.", hint=f"Check the path given as {what}.")
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {relation_sql(source)}").fetchall()
    except duckdb.Error as exc:
        known = [f"{s}.{t}" for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()]
        raise error(
            f"Cannot read {what} '{source}': {str(exc).splitlines()[0]}.{did_you_mean(source, known)}",
            hint="Name a warehouse table (see `soloml tables`) or a CSV/Parquet file path.",
        ) from exc
    return [(r[0], str(r[1]).upper()) for r in rows]


def plan_table(con: duckdb.DuckDBPyConnection, source: str, target: str, time_column: str | None = None) -> TablePlan:
    """Decide entity, time, features and task for a flat table."""
    columns = describe(con, source)
    names = [c for c, _ in columns]
    types = dict(columns)
    relation = relation_sql(source)
    for key, wanted in (("label.target", target), ("cutoffs.time_column", time_column)):
        if wanted is not None and wanted not in types:
            raise FeatureError(
                f"Column '{wanted}' ({key}) is not in {source}.{did_you_mean(wanted, names)} Columns: {', '.join(names)}.",
                hint=f"Set {key} to one of the columns above.",
            )
    task, positive, classes = _infer_task(con, relation, target, types[target])
    stats = con.execute(
        "SELECT count(*), " + ", ".join(f"count(DISTINCT {quote_ident(c)})" for c in names) + f" FROM {relation}"
    ).fetchone()
    n_rows = stats[0]
    distinct = dict(zip(names, stats[1:], strict=True))
    entity, excluded = None, []
    features, sources, categorical = [], [], []
    used = {"entity_id", "cutoff", "label"}
    for col in names:
        if col in (target, time_column):
            continue
        ctype = types[col]
        if col.startswith("_"):  # load metadata (_load_id, _loaded_at, _source_row): how the row arrived, not what it says
            excluded.append(col)
            continue
        id_like = col.lower() == "id" or col.lower().endswith("_id") or col.lower().endswith(" id")
        unique_text = ctype == "VARCHAR" and n_rows > 1 and distinct[col] == n_rows
        if id_like or unique_text:
            if entity is None and (distinct[col] == n_rows or time_column is not None):
                entity = col
            else:
                excluded.append(col)
            continue
        if ctype.startswith(("DATE", "TIMESTAMP", "TIME", "INTERVAL")) or ctype.startswith(("STRUCT", "MAP", "LIST")) or ctype.endswith("[]"):
            excluded.append(col)
            continue
        if ctype == "VARCHAR" and distinct[col] > max(100, n_rows // 2):  # names, free text: a category per row teaches nothing
            excluded.append(col)
            continue
        name = column_name(col)
        while name in used:
            name += "_"
        used.add(name)
        features.append(name)
        sources.append(col)
        if ctype == "VARCHAR":
            categorical.append(name)
    if not features:
        raise FeatureError(f"{source} has no usable feature columns besides the target '{target}'.", hint="Add columns that describe each row.")
    return TablePlan(relation, target, task, entity, time_column, tuple(features), tuple(sources), tuple(categorical), positive, classes, tuple(excluded))


def _infer_task(con: duckdb.DuckDBPyConnection, relation: str, target: str, ctype: str) -> tuple[Task, str | None, tuple[str, ...]]:
    q = quote_ident(target)
    counts = con.execute(
        f"SELECT CAST({q} AS VARCHAR) AS v, count(*) AS n FROM {relation} WHERE {q} IS NOT NULL GROUP BY 1 ORDER BY n DESC, v LIMIT {MAX_CLASSES + 1}"
    ).fetchall()
    n_distinct = con.execute(f"SELECT count(DISTINCT {q}) FROM {relation}").fetchone()[0]
    if n_distinct < 2:
        raise FeatureError(
            f"Target column '{target}' has {n_distinct} distinct value(s): there is nothing to predict.",
            hint="Pick a column whose values differ between rows.",
        )
    if n_distinct == 2:
        values = [str(v) for v, _ in counts]
        positive = next((v for v in values if v.strip().lower() in POSITIVE_WORDS), None)
        if positive is None:
            positive = counts[-1][0]  # the rarer value is usually the event of interest
        return "binary", str(positive), ()
    is_numeric = ctype in NUMERIC or ctype.startswith("DECIMAL")
    if is_numeric and not (ctype in INTEGER and n_distinct <= 10):
        return "regression", None, ()
    if n_distinct > MAX_CLASSES:
        raise FeatureError(
            f"Target column '{target}' holds {n_distinct} distinct text values; that is too many classes to predict (at most {MAX_CLASSES}).",
            hint="Group the values into fewer classes, or pick a numeric target for regression.",
        )
    return "multiclass", None, tuple(sorted(str(v) for v, _ in counts))


def frame_sql(plan: TablePlan, *, with_label: bool = True) -> str:
    """One query: entity_id, cutoff, label, features. For training (`with_label`) rows with a missing
    target are left out; for scoring every row is kept and the label column is NULL where missing."""
    q = quote_ident(plan.target)
    entity = f"CAST({quote_ident(plan.entity_column)} AS VARCHAR)" if plan.entity_column else "CAST(row_number() OVER () AS VARCHAR)"
    cutoff = f"CAST({quote_ident(plan.time_column)} AS TIMESTAMP)" if plan.time_column else "CAST(NULL AS TIMESTAMP)"
    if plan.task == "binary":
        label = f"CASE WHEN CAST({q} AS VARCHAR) = {_literal(plan.positive or '')} THEN 1 ELSE 0 END"
    elif plan.task == "multiclass":
        label = "CASE " + " ".join(f"WHEN CAST({q} AS VARCHAR) = {_literal(c)} THEN {i}" for i, c in enumerate(plan.classes)) + " END"
    else:
        label = f"CAST({q} AS DOUBLE)"
    feats = ", ".join(f"{quote_ident(s)} AS {quote_ident(f)}" for f, s in zip(plan.features, plan.source_columns, strict=True))
    return (
        f"SELECT {entity} AS entity_id, {cutoff} AS cutoff, {label} AS label, {feats} "
        f"FROM {plan.relation}" + (f" WHERE {q} IS NOT NULL" if with_label else "")
    )


def table_spec(table: str, target: str, time_column: str | None = None, *, con: duckdb.DuckDBPyConnection | None = None) -> ProjectSpec:
    """A sensible spec for the quick path `soloml train --table raw.accounts --target churned`.

    Metric roc_auc (binary), multi_logloss (multiclass) or rmse (regression); capacity 10% of the
    rows; the done line is set relative to the prior: binary precision at capacity >= 1.5 x the
    base rate, regression RMSE <= 0.9 x the target's standard deviation (10% better than always
    predicting the mean), multiclass accuracy >= majority share + 10% of the remainder.
    Pass `con` for a warehouse table; a file is read directly. Without data the defaults are
    capacity 100 and ROC AUC 0.7.
    """
    stem = Path(table).name.split(".")[0] if is_file_path(table) else table.split(".")[-1]
    name = f"{table_name(stem)}_{table_name(target)}"
    if not name[0].isalpha():
        name = f"t_{name}"
    own = con is None
    if own:
        con = duckdb.connect(":memory:")
    try:
        try:
            plan = plan_table(con, table, target, time_column)
        except FeatureError:
            if own and not is_file_path(table):
                plan = None  # a warehouse table without a connection: fall back to defaults
            else:
                raise
        if plan is None:
            task, rows, done = "binary", 1000, DoneThreshold(metric="roc_auc", value=0.7)
        else:
            task, rows, done = plan.task, *_prior_done(con, plan)
    finally:
        if own:
            con.close()
    metric = {"binary": "roc_auc", "multiclass": "multi_logloss", "regression": "rmse"}[task]
    try:
        return ProjectSpec(
            name=name,
            question=f"What will '{target}' be for each row of {table}?",
            decision=f"Act first on the rows predicted highest for '{target}'.",
            stakeholder="(not set)",
            owner="(not set)",
            recipe="table",
            entity="row",
            label=Label(definition=f"the value of '{target}'", target=target),
            cutoffs=Cutoffs(time_column=time_column),
            metric=metric,
            business=BusinessValue(value_per_success=1.0, cost_per_action=0.0, capacity=max(1, rows // 10)),
            done=done,
            source_table=table,
        )
    except ValueError as exc:
        raise ConfigError(f"Cannot make a project from {table}: {exc}") from exc


def _prior_done(con: duckdb.DuckDBPyConnection, plan: TablePlan) -> tuple[int, DoneThreshold]:
    sql = frame_sql(plan)
    if plan.task == "binary":
        rows, rate = con.execute(f"SELECT count(*), avg(label) FROM ({sql})").fetchone()
        return rows, DoneThreshold(metric="precision_at_capacity", value=round(min(1.0, 1.5 * float(rate)), 4))
    if plan.task == "regression":
        rows, std = con.execute(f"SELECT count(*), stddev_samp(label) FROM ({sql})").fetchone()
        return rows, DoneThreshold(metric="rmse", value=round(0.9 * float(std or 0.0), 6))
    rows, top = con.execute(f"SELECT sum(n), max(n) FROM (SELECT label, count(*) AS n FROM ({sql}) GROUP BY 1)").fetchone()
    majority = float(top) / float(rows)
    return int(rows), DoneThreshold(metric="accuracy", value=round(majority + 0.1 * (1 - majority), 4))
