"""The table recipe: any flat table (warehouse table or CSV/Parquet file) with a target column.

Every column but the target becomes a feature, except the entity column (the first `id` / `*_id`
column, or unique text), load metadata (`_load_id` ...), nested values, and date columns other
than the time column; training then screens the rest (ids, constants, free text, leak suspects,
see soloml.modeling.columns). The task is inferred from the target: two distinct values -> binary
(the event is `label.positive`, else a yes/churned-like value, else the rarer one), a few classes ->
multiclass, a number with many values -> regression. A `label.positive` on a target with more values
makes it binary: that value against the rest.

Column names may be given as they appear in the original file (`Status`, `Booked On`): loading
snake-cases headers, so a name is matched exactly, then ignoring case, then snake-cased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from soloml.errors import ConfigError, FeatureError, SolomlError, did_you_mean
from soloml.projects.recipes.base import Task
from soloml.projects.spec import (
    BusinessValue,
    Cutoffs,
    DoneThreshold,
    Label,
    ProjectSpec,
)
from soloml.sql_quoting import quote_literal
from soloml.warehouse.base import DATABASE_ERRORS, Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_name, table_name
from soloml.warehouse.tables import describe as columns_of
from soloml.warehouse.tables import reads_files
from soloml.warehouse.types import INTEGER_TYPES, NUMERIC_TYPES

POSITIVE_WORDS = (
    "1",
    "true",
    "t",
    "yes",
    "y",
    "churned",
    "churn",
    "won",
    "converted",
    "positive",
    "cancelled",
    "canceled",
    "bad",
    "default",
)
NUMERIC = NUMERIC_TYPES
INTEGER = INTEGER_TYPES
MAX_CLASSES = 50
DATE_TYPES = ("DATE", "TIMESTAMP")
EVENT_TIME = re.compile(
    r"(date|time|_at$|_on$|^at$|created|booked|ordered|placed|purchased|signup|signed|opened|closed|day$|when)"
)
NOT_EVENT_TIME = re.compile(r"(birth|dob|expir|valid_until)")


@dataclass(frozen=True)
class TablePlan:
    """How a flat table becomes a training set: which column is what, and the task.

    `left_out` holds (column, kind, reason) for source columns that are not features; `notes` say how
    names typed were matched; `date_columns` are the date/timestamp columns other than the time column.
    """

    relation: str
    target: str
    task: Task
    entity_column: str | None
    time_column: str | None
    features: tuple[str, ...]  # snake_case names in the frame
    source_columns: tuple[str, ...]  # the matching source columns
    categorical: tuple[str, ...]
    positive: str | None  # binary: the value counted as 1
    classes: tuple[str, ...]  # multiclass: label i means classes[i]; binary: (the other value, positive)
    left_out: tuple[tuple[str, str, str], ...] = ()
    notes: tuple[str, ...] = ()
    date_columns: tuple[str, ...] = ()
    one_vs_rest: bool = False  # binary from a many-valued target: positive against every other value

    @property
    def excluded(self) -> tuple[str, ...]:
        return tuple(c for c, _, _ in self.left_out)


def relation_sql(source: str) -> str:
    """FROM-clause text for a warehouse table name or a CSV/Parquet/JSON file path."""
    lowered = source.lower()
    if lowered.endswith((".csv", ".tsv", ".txt", ".csv.gz")):
        return f"read_csv_auto({quote_literal(source)}, header=true)"
    if lowered.endswith(".parquet"):
        return f"read_parquet({quote_literal(source)})"
    if lowered.endswith((".json", ".jsonl", ".ndjson")):
        return f"read_json_auto({quote_literal(source)})"
    parts = source.split(".")
    return ".".join(quote_ident(p) for p in parts)


FILE_SUFFIXES = (".csv", ".tsv", ".txt", ".csv.gz", ".parquet", ".json", ".jsonl", ".ndjson")


def is_file_path(source: str) -> bool:
    return source.lower().endswith(FILE_SUFFIXES)


def describe(
    con: Connection, source: str, *, what: str = "source_table", error: type[SolomlError] = FeatureError
) -> list[tuple[str, str]]:
    """(column, type) of the source, with a clear error (naming it as `what`) when it does not exist."""
    if is_file_path(source) and not Path(source).is_file():
        raise error(f"The {what} file {source} does not exist.", hint=f"Check the path given as {what}.")
    if is_file_path(source) and not reads_files(con):
        raise error(
            f"The {what} {source} is a file, and this workspace's warehouse (Postgres) reads tables, not files.",
            hint=f"Load it first (`soloml load {source}`), then name its table (see `soloml tables`), e.g. raw.<name>.",
        )
    try:
        return columns_of(con, relation_sql(source))
    except DATABASE_ERRORS as exc:
        known = [
            f"{s}.{t}"
            for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        ]
        raise error(
            f"Cannot read {what} '{source}': {str(exc).splitlines()[0]}.{did_you_mean(source, known)}",
            hint="Name a warehouse table (see `soloml tables`) or a CSV/Parquet file path.",
        ) from exc


def resolve_column(names: list[str], wanted: str) -> str | None:
    """`wanted` as one of `names`: exactly, else ignoring case, else snake-cased (how loading renames headers)."""
    if wanted in names:
        return wanted
    for match in (lambda c: c.lower() == wanted.lower(), lambda c: column_name(c) == column_name(wanted)):
        found = [c for c in names if match(c)]
        if len(found) == 1:
            return found[0]
    return None


def plan_table(
    con: Connection, source: str, target: str, time_column: str | None = None, positive: str | None = None
) -> TablePlan:
    """Decide entity, time, features and task for a flat table."""
    columns = describe(con, source)
    names = [c for c, _ in columns]
    types = dict(columns)
    relation = relation_sql(source)
    resolved, notes = {}, []
    for key, wanted in (("label.target", target), ("cutoffs.time_column", time_column)):
        if wanted is None:
            continue
        found = resolve_column(names, wanted)
        if found is None:
            raise FeatureError(
                f"Column '{wanted}' ({key}) is not in {source}.{did_you_mean(wanted, names)} Columns: {', '.join(names)}.",
                hint=f"Set {key} to one of the columns above.",
            )
        if found != wanted:
            notes.append(f"{key} '{wanted}' is the column {found} of {source} (loading writes headers in snake_case).")
        resolved[key] = found
    target, time_column = resolved["label.target"], resolved.get("cutoffs.time_column")
    if time_column is not None and not types[time_column].startswith(DATE_TYPES):
        raise FeatureError(
            f"Column '{time_column}' (cutoffs.time_column) of {source} holds {types[time_column]}, not dates.",
            hint="Name a DATE or TIMESTAMP column, or load the file again so that its dates are typed.",
        )
    task, positive, classes, one_vs_rest = _infer_task(con, relation, target, types[target], positive, source)
    stats = con.execute(
        "SELECT count(*), " + ", ".join(f"count(DISTINCT {quote_ident(c)})" for c in names) + f" FROM {relation}"
    ).fetchone()
    n_rows = stats[0]
    distinct = dict(zip(names, stats[1:], strict=True))
    entity, left_out, dates = None, [], []
    features, sources, categorical = [], [], []
    used = {"entity_id", "cutoff", "label"}
    for col in names:
        if col in (target, time_column):
            continue
        ctype = types[col]
        if col.startswith(
            "_"
        ):  # load metadata (_load_id, _loaded_at, _source_row): how the row arrived, not what it says
            left_out.append((col, "metadata", "load metadata: how the row arrived, not what it says"))
            continue
        id_like = col.lower() == "id" or col.lower().endswith("_id") or col.lower().endswith(" id")
        unique_text = ctype == "VARCHAR" and n_rows > 1 and distinct[col] == n_rows
        if entity is None and (id_like or unique_text) and (distinct[col] == n_rows or time_column is not None):
            entity = col
            left_out.append((col, "id", "each row's id (it names the rows in scored lists)"))
            continue
        if ctype.startswith(DATE_TYPES) or ctype.startswith(("TIME", "INTERVAL")):
            dates.append(col)
            why = (
                f"a date; rows are dated by {time_column}"
                if time_column
                else "a date (name it as the time column to validate in time order)"
            )
            left_out.append((col, "date", why))
            continue
        if ctype.startswith(("STRUCT", "MAP", "LIST")) or ctype.endswith("[]"):
            left_out.append((col, "nested", "nested values (a list or a record), which a model cannot read"))
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
        raise FeatureError(
            f"{source} has no usable feature columns besides the target '{target}'.",
            hint="Add columns that describe each row.",
        )
    return TablePlan(
        relation,
        target,
        task,
        entity,
        time_column,
        tuple(features),
        tuple(sources),
        tuple(categorical),
        positive,
        classes,
        tuple(left_out),
        tuple(notes),
        tuple(dates),
        one_vs_rest,
    )


def event_time_column(plan: TablePlan) -> str | None:
    """The date column that most likely dates each row (booked_on, created_at ...), for a time-ordered check."""
    candidates = [c for c in plan.date_columns if not NOT_EVENT_TIME.search(c.lower())]
    named = [c for c in candidates if EVENT_TIME.search(c.lower())]
    return (named or candidates or [None])[0]


def _infer_task(
    con: Connection, relation: str, target: str, ctype: str, wanted: str | None, source: str
) -> tuple[Task, str | None, tuple[str, ...], bool]:
    """(task, positive value, classes, one-vs-rest)."""
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
    values = [str(v) for v, _ in counts]
    if wanted is not None:
        positive = _positive_value(con, relation, target, wanted, values, source)
        others = [v for v in values if v != positive]
        negative = others[0] if n_distinct == 2 else f"not {positive}"
        return "binary", positive, (negative, positive), n_distinct > 2
    if n_distinct == 2:
        positive = next((v for v in values if v.strip().lower() in POSITIVE_WORDS), None)
        if positive is None:
            positive = values[-1]  # the rarer value is usually the event of interest
        return "binary", positive, (next(v for v in values if v != positive), positive), False
    is_numeric = ctype in NUMERIC or ctype.startswith("DECIMAL")
    if is_numeric and not (ctype in INTEGER and n_distinct <= 10):
        return "regression", None, (), False
    if n_distinct > MAX_CLASSES:
        raise FeatureError(
            f"Target column '{target}' holds {n_distinct} distinct text values; that is too many classes to predict (at most {MAX_CLASSES}).",
            hint="Group the values into fewer classes, pick a numeric target for regression, or name one value with --positive.",
        )
    return "multiclass", None, tuple(sorted(values)), False


def _positive_value(con: Connection, relation: str, target: str, wanted: str, values: list[str], source: str) -> str:
    """The target's value named by label.positive / --positive: exactly, else the one value equal ignoring case."""
    q = quote_ident(target)
    if con.execute(f"SELECT count(*) FROM {relation} WHERE CAST({q} AS VARCHAR) = ?", [wanted]).fetchone()[0]:
        return wanted
    folded = [v for v in values if v.strip().lower() == wanted.strip().lower()]
    if len(folded) == 1:
        return folded[0]
    shown = ", ".join(repr(v) for v in values[:10]) + (" ..." if len(values) > 10 else "")
    raise FeatureError(
        f"label.positive {wanted!r} is not a value of '{target}' in {source}.{did_you_mean(wanted, values)} Values: {shown}.",
        hint="Pass --positive (or set label.positive) to one of the values above.",
    )


def frame_sql(plan: TablePlan, *, with_label: bool = True) -> str:
    """One query: entity_id, cutoff, label, features. For training (`with_label`) rows with a missing
    target are left out; for scoring every row is kept and the label column is NULL where missing."""
    q = quote_ident(plan.target)
    entity = (
        f"CAST({quote_ident(plan.entity_column)} AS VARCHAR)"
        if plan.entity_column
        else "CAST(row_number() OVER () AS VARCHAR)"
    )
    cutoff = f"CAST({quote_ident(plan.time_column)} AS TIMESTAMP)" if plan.time_column else "CAST(NULL AS TIMESTAMP)"
    if plan.task == "binary":
        label = f"CASE WHEN {q} IS NULL THEN NULL WHEN CAST({q} AS VARCHAR) = {quote_literal(plan.positive or '')} THEN 1 ELSE 0 END"
    elif plan.task == "multiclass":
        label = (
            "CASE "
            + " ".join(f"WHEN CAST({q} AS VARCHAR) = {quote_literal(c)} THEN {i}" for i, c in enumerate(plan.classes))
            + " END"
        )
    else:
        label = f"CAST({q} AS DOUBLE)"
    feats = ", ".join(
        f"{quote_ident(s)} AS {quote_ident(f)}" for f, s in zip(plan.features, plan.source_columns, strict=True)
    )
    return f"SELECT {entity} AS entity_id, {cutoff} AS cutoff, {label} AS label, {feats} FROM {plan.relation}" + (
        f" WHERE {q} IS NOT NULL" if with_label else ""
    )


def table_spec(
    table: str,
    target: str,
    time_column: str | None = None,
    *,
    con: Connection | None = None,
    positive: str | None = None,
    test_from: date | None = None,
    random_split: bool = False,
) -> ProjectSpec:
    """A sensible spec for the quick path `soloml train --table raw.accounts --target churned`.

    Column names are stored as the table spells them. Without `time_column`, a date column that dates
    the rows (booked_on, created_at ...) becomes the time column, unless `random_split`. Metric
    roc_auc (binary), multi_logloss (multiclass) or rmse (regression); capacity (the rows ranked
    first) 10% of the rows. No business value is set (`soloml interview` asks for it), so training
    prints no money figures; the done line is soloml's default on the metric: binary ROC AUC >= 0.7,
    regression RMSE <= 0.9 x the target's standard deviation (10% better than always predicting the
    mean), multiclass accuracy >= majority share + 10% of the remainder. Pass `con` for a warehouse
    table; a file is read directly. Without data the defaults are capacity 100 and ROC AUC 0.7.
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
            plan = plan_table(con, table, target, time_column, positive)
            if time_column is None and not random_split and event_time_column(plan):
                plan = plan_table(con, table, target, event_time_column(plan), positive)
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
    target, time_column = (plan.target, plan.time_column) if plan is not None else (target, time_column)
    positive = plan.positive if plan is not None and positive is not None else positive
    try:
        return ProjectSpec(
            name=name,
            question=f"What will '{target}' be for each row of {table}?",
            decision=f"Act first on the rows predicted highest for '{target}'.",
            stakeholder="(not set)",
            owner="(not set)",
            recipe="table",
            entity="row",
            label=Label(definition=f"the value of '{target}'", target=target, positive=positive),
            cutoffs=Cutoffs(time_column=time_column),
            metric=metric,
            business=BusinessValue(capacity=max(1, rows // 10)),
            done=done,
            source_table=table,
            test_from=test_from,
        )
    except ValueError as exc:
        raise ConfigError(f"Cannot make a project from {table}: {exc}") from exc


def _prior_done(con: Connection, plan: TablePlan) -> tuple[int, DoneThreshold]:
    sql = frame_sql(plan)
    if plan.task == "binary":
        rows = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        return rows, DoneThreshold(metric="roc_auc", value=0.7)
    if plan.task == "regression":
        rows, std = con.execute(f"SELECT count(*), stddev_samp(label) FROM ({sql})").fetchone()
        return rows, DoneThreshold(metric="rmse", value=round(0.9 * float(std or 0.0), 6))
    rows, top = con.execute(
        f"SELECT sum(n), max(n) FROM (SELECT label, count(*) AS n FROM ({sql}) GROUP BY 1)"
    ).fetchone()
    majority = float(top) / float(rows)
    return int(rows), DoneThreshold(metric="accuracy", value=round(majority + 0.1 * (1 - majority), 4))
