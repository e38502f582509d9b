"""Point-in-time training sets: for every cutoff, the population at that moment, features from data
before it `[.., cutoff)` and the label from `[cutoff, cutoff + horizon)`: every event in exactly one window.

Everything runs as set-based DuckDB SQL over all cutoffs at once: a cutoffs temp table, the
recipe's population joined to it, one CTE per feature family, one final join.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from soloml.canonical.schema import create_core_tables
from soloml.errors import ConfigError, FeatureError, did_you_mean
from soloml.features import library
from soloml.features.sql import materialise, resolve_files
from soloml.features.trainingset import Task
from soloml.projects.recipes import get_recipe, population_sql
from soloml.projects.recipes.base import CUTOFFS_TABLE, POPULATION_TABLE, RecipeSQL
from soloml.projects.recipes.forecast import refuse
from soloml.projects.recipes.table import frame_sql, plan_table
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import DATABASE_ERRORS, Connection
from soloml.warehouse.connection import quote_ident

# Features that stay NULL when there is nothing to measure (no event in the window); all other
# built-in counts and sums are 0 then.
NULLABLE_PREFIXES = (
    "days_since_",
    "order_gap_",
    "subscription_age",
    "lifecycle_stage",
    "lead_source",
    "contact_age",
    "tenure_days",
    "discount_share",
    "subscription_plan",
    "subscription_status",
)


@dataclass(frozen=True)
class FrameQuery:
    """A built frame's SQL (over temp tables already created) and what its columns mean."""

    sql: str
    features: tuple[str, ...]
    categorical: tuple[str, ...]
    task: Task
    descriptions: dict[str, str]
    sources: dict[str, str] = field(default_factory=dict)  # feature -> where it comes from (built-in / file path)
    classes: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()  # warehouse tables read, for load ids


def _timestamps(cutoffs: list[datetime]) -> str:
    return ", ".join(f"(TIMESTAMP '{c:%Y-%m-%d %H:%M:%S.%f}')" for c in cutoffs)


def _prepare_core(con: Connection) -> None:
    try:
        create_core_tables(con)  # a fresh warehouse may not have every core table yet
    except DATABASE_ERRORS:
        pass  # read-only: the tables that exist are what we have


def recipe_frame_query(
    con: Connection,
    spec: ProjectSpec,
    cutoffs: list[datetime],
    *,
    features_dir: Path | None = None,
    with_label: bool = True,
) -> FrameQuery:
    """Create the cutoffs, population and user-feature temp tables and return the final SELECT."""
    if spec.recipe == "forecast":
        raise refuse(spec)
    recipe = get_recipe(spec.recipe)
    _prepare_core(con)
    con.execute(f"DROP TABLE IF EXISTS {CUTOFFS_TABLE}")
    con.execute(f"CREATE TEMP TABLE {CUTOFFS_TABLE} AS SELECT * FROM (VALUES {_timestamps(cutoffs)}) AS t(cutoff)")
    con.execute(f"DROP TABLE IF EXISTS {POPULATION_TABLE}")
    _run(  # one row per (entity, cutoff); min() keeps one customer_id and email, the same one on every warehouse
        con,
        recipe,
        "population",
        f"CREATE TEMP TABLE {POPULATION_TABLE} AS SELECT CAST(entity_id AS VARCHAR) AS entity_id, cutoff, "
        f"min(customer_id) AS customer_id, min(email) AS email FROM ({population_sql(spec)}) AS population "
        "WHERE entity_id IS NOT NULL GROUP BY CAST(entity_id AS VARCHAR), cutoff",
    )
    families = library.families_for(recipe.entity)
    catalog = library.catalog(recipe.entity)
    unknown = [n for n in spec.features_exclude if n not in catalog]
    if unknown:
        raise ConfigError(
            f"features_exclude names '{unknown[0]}', which is not a built-in feature of the {spec.recipe} recipe.{did_you_mean(unknown[0], catalog)}",
            hint="See docs/projects.md for the built-in feature names.",
        )
    ctes, joins, columns, built_in = _built_in(families, set(spec.features_exclude))
    features = [f.name for f in built_in]
    categorical = [f.name for f in built_in if f.categorical]
    descriptions = {f.name: f.description for f in built_in}
    sources = dict.fromkeys(features, "built-in")
    for j, path in enumerate(resolve_files(features_dir, spec.features_sql)):
        user = materialise(con, path, cutoffs, taken=set(features))
        alias = f"u{j}"
        joins.append(
            f"LEFT JOIN {user.table} {alias} ON CAST({alias}.entity_id AS VARCHAR) = p.entity_id AND {alias}._cutoff = p.cutoff"
        )
        for name in user.features:
            columns.append(f"{alias}.{name} AS {name}")
            features.append(name)
            descriptions[name] = f"{name.replace('_', ' ')} (from {path.name})"
            sources[name] = str(path)
        categorical += list(user.categorical)
    label_sql = recipe.label(spec.label.horizon_days)
    if with_label:
        ctes.insert(0, f"lab AS ({label_sql})")
        joins.insert(0, "LEFT JOIN lab ON lab.entity_id = p.entity_id AND lab.cutoff = p.cutoff")
    label_col = "lab.label AS label, " if with_label else ""
    sql = (
        f"WITH {', '.join(ctes)} SELECT p.entity_id, p.cutoff, {label_col}{', '.join(columns)} "
        f"FROM {POPULATION_TABLE} p {' '.join(joins)} ORDER BY p.cutoff, p.entity_id"
    )
    tables = tuple(
        sorted(
            {t for fam in families for t in fam.tables}
            | {"customers", "payments", "orders", "subscriptions", "contacts", "deals"}
        )
    )
    return FrameQuery(sql, tuple(features), tuple(categorical), recipe.task, descriptions, sources, (), tables)


def _built_in(
    families: tuple[library.Family, ...], excluded: set[str]
) -> tuple[list[str], list[str], list[str], list[library.Feature]]:
    """One CTE and LEFT JOIN per family, and the select expressions of the kept features (counts: 0 when absent)."""
    ctes, joins, selects = [], [], []
    for i, fam in enumerate(families):
        alias = f"f{i}"
        ctes.append(f"{alias} AS ({fam.sql})")
        joins.append(f"LEFT JOIN {alias} ON {alias}.entity_id = p.entity_id AND {alias}.cutoff = p.cutoff")
        for feat in fam.features:
            col = f"{alias}.{feat.name}"
            selects.append((feat, col if feat.name.startswith(NULLABLE_PREFIXES) else f"coalesce({col}, 0)"))
    by_name = {feat.name: expr for feat, expr in selects}
    for feat, expr, needs in library.DERIVED:
        if {f.name for f in families} >= set(needs):
            selects.append((feat, expr.format(**by_name)))
    kept = [(feat, expr) for feat, expr in selects if feat.name not in excluded]
    return ctes, joins, [f"{expr} AS {feat.name}" for feat, expr in kept], [feat for feat, _ in kept]


def table_frame_query(con: Connection, spec: ProjectSpec, *, with_label: bool = True) -> FrameQuery:
    """The table recipe's single SELECT (rows with a missing target are left out of training)."""
    if not spec.source_table or not spec.label.target:
        missing = "source_table" if not spec.source_table else "label.target"
        raise ConfigError(
            f"Project '{spec.name}' uses the 'table' recipe but '{missing}' is not set.",
            hint="Set source_table and label.target in the project file.",
        )
    plan = plan_table(con, spec.source_table, spec.label.target, spec.cutoffs.time_column, spec.label.positive)
    excluded = set(spec.features_exclude)
    unknown = [n for n in excluded if n not in plan.features]
    if unknown:
        raise ConfigError(
            f"features_exclude names '{unknown[0]}', which is not a column of {spec.source_table}.{did_you_mean(unknown[0], plan.features)}"
        )
    sql = frame_sql(plan, with_label=with_label)
    keep = [f for f in plan.features if f not in excluded]
    head = "entity_id, cutoff, label, " if with_label else "entity_id, cutoff, "
    sql = f"SELECT {head}{', '.join(quote_ident(f) for f in keep)} FROM ({sql}) ORDER BY cutoff NULLS FIRST, entity_id"
    descriptions = {
        f: f"{s} (column of {spec.source_table})"
        for f, s in zip(plan.features, plan.source_columns, strict=True)
        if f in keep
    }
    source = spec.source_table if "." in spec.source_table and "/" not in spec.source_table else ""
    return FrameQuery(
        sql,
        tuple(keep),
        tuple(c for c in plan.categorical if c in keep),
        plan.task,
        descriptions,
        {f: "table" for f in keep},
        plan.classes,
        (source,) if source else (),
    )


def _run(con: Connection, recipe: RecipeSQL, part: str, sql: str) -> None:
    try:
        con.execute(sql)
    except DATABASE_ERRORS as exc:
        raise FeatureError(
            f"The {recipe.name} recipe's {part} query failed: {str(exc).splitlines()[0]}",
            hint="Check that core.* holds loaded data (`soloml tables`).",
        ) from exc


def frame_query(
    con: Connection,
    spec: ProjectSpec,
    cutoffs: list[datetime] | None,
    *,
    features_dir: Path | None = None,
    with_label: bool = True,
) -> FrameQuery:
    if spec.recipe == "table":
        return table_frame_query(con, spec, with_label=with_label)
    assert cutoffs is not None
    return recipe_frame_query(con, spec, cutoffs, features_dir=features_dir, with_label=with_label)


def to_frame(df: pd.DataFrame, query: FrameQuery) -> pd.DataFrame:
    """Types the modeling stage expects: entity_id text, cutoff datetime, categoricals as category."""
    df["entity_id"] = df["entity_id"].astype(str)
    df["cutoff"] = pd.to_datetime(df["cutoff"])
    for name in query.categorical:
        df[name] = df[name].astype("category")
    for name in query.features:
        if name not in query.categorical and df[name].dtype == object:
            df[name] = pd.to_numeric(df[name])  # DECIMAL sums arrive as Python Decimals
    return df.reset_index(drop=True)
