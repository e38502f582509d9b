"""The stage's entry points: build (or reuse) a project's training set, and the frame to score now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import duckdb
import pandas as pd

from soloml.errors import ConfigError
from soloml.features import cache
from soloml.features.cutoffs import cutoff_schedule, scoring_time
from soloml.features.frame_sql import FrameQuery, frame_query, to_frame
from soloml.features.sql import resolve_files
from soloml.features.trainingset import Task, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import DATABASE_ERRORS, Connection


@dataclass(frozen=True)
class BuildOutcome:
    """A training set and whether it came from the cache."""

    training_set: TrainingSet
    reused: bool
    cutoffs: tuple[datetime, ...]
    reason: str = ""  # why it was (re)built or reused, in plain words


def build_training_set(
    con: Connection,
    spec: ProjectSpec,
    *,
    features_dir: Path | None = None,
    as_of: datetime | None = None,
    use_cache: bool = True,
) -> TrainingSet:
    """One row per (entity, cutoff): `entity_id`, `cutoff`, `label`, then the features.

    Cached in `features.<project>`; rebuilt only when the data, the spec or a SQL feature changed.

    >>> ts = build_training_set(con, load_spec("projects/churn.yaml"), features_dir=Path("features"))  # doctest: +SKIP
    """
    return build_with_outcome(con, spec, features_dir=features_dir, as_of=as_of, use_cache=use_cache).training_set


def build_with_outcome(
    con: Connection,
    spec: ProjectSpec,
    *,
    features_dir: Path | None = None,
    as_of: datetime | None = None,
    use_cache: bool = True,
) -> BuildOutcome:
    """build_training_set, also saying whether the cache was reused (for `soloml features`)."""
    user_files = resolve_files(features_dir, spec.features_sql) if spec.recipe != "table" else []
    fp = cache.fingerprint(con, spec, user_files=user_files, as_of=as_of) if use_cache else ""
    reason = "built without the cache"
    if use_cache:
        meta = cache.read_meta(con, spec.name)
        if meta is None:
            reason = "built for the first time"
        elif meta.spec_hash != spec.spec_hash():
            reason = "rebuilt: the project spec changed"
        elif meta.fingerprint != fp:
            reason = "rebuilt: the data or a SQL feature file changed"
        if meta is not None and meta.fingerprint == fp:
            data, _ = cache.table_names(spec.name)
            df = con.execute(f"SELECT * FROM {data}").fetchdf()  # stored in order; insertion order is preserved
            ts = cached_training_set(spec, df, meta)
            return BuildOutcome(
                ts,
                True,
                tuple(datetime.fromisoformat(c) for c in meta.cutoffs),
                "reused from the cache (data and spec unchanged)",
            )
    cutoffs = cutoff_schedule(con, spec, as_of=as_of) if spec.recipe != "table" else []
    query = frame_query(con, spec, cutoffs, features_dir=features_dir, with_label=True)
    load_ids = read_load_ids(con, query.tables)
    df = None
    if use_cache:
        meta = cache_meta(spec, fp, query, load_ids, cutoffs)
        try:
            cache.write(con, spec.name, query.sql, meta)
        except DATABASE_ERRORS as exc:
            if "read-only" not in str(exc):
                raise
        else:
            data, _ = cache.table_names(spec.name)
            df = con.execute(f"SELECT * FROM {data}").fetchdf()
    if df is None:  # no cache asked for, or a read-only warehouse
        df = con.execute(query.sql).fetchdf()
    ts = to_training_set(
        spec, df, query.features, query.categorical, query.task, query.descriptions, load_ids, query.classes
    )
    check_today_rule(spec, ts)
    return BuildOutcome(ts, False, tuple(cutoffs), reason)


def cache_meta(
    spec: ProjectSpec, fp: str, query: FrameQuery, load_ids: tuple[str, ...], cutoffs: Sequence[datetime]
) -> cache.CacheMeta:
    """The cache's meta row for a training set built by `query` (a frame_query) now, over data fingerprint `fp`."""
    return cache.CacheMeta(
        spec.spec_hash(),
        fp,
        datetime.now(),
        query.task,
        query.features,
        query.categorical,
        query.descriptions,
        load_ids,
        query.classes,
        tuple(c.isoformat() for c in cutoffs),
        0,
    )


def check_today_rule(spec: ProjectSpec, ts: TrainingSet) -> None:
    """today_rule.expression must run as DuckDB SQL over the training set's feature columns."""
    if spec.today_rule is None:
        return
    frame = ts.frame.head(0)  # noqa: F841 - read by DuckDB below
    scratch = duckdb.connect(":memory:")
    try:
        scratch.execute(f"SELECT ({spec.today_rule.expression}) FROM frame")
    except duckdb.Error as exc:
        raise ConfigError(
            f"Project '{spec.name}': key 'today_rule.expression' ({spec.today_rule.expression!r}) does not run over the "
            f"training set: {str(exc).splitlines()[0]}",
            hint="Write it over the feature names (docs/projects.md lists them), e.g. coalesce(days_since_last_order, 365) >= 60.",
        ) from exc
    finally:
        scratch.close()


def build_scoring_frame(
    con: Connection,
    spec: ProjectSpec,
    *,
    features_dir: Path | None = None,
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """The current population at `as_of` with `entity_id`, `cutoff` and the training set's feature columns.

    `as_of` defaults to midnight after the latest event in core.* (not the wall clock). For the
    table recipe every row of the source is returned (the ones to score usually lack the target).
    """
    if spec.recipe == "table":
        query = frame_query(con, spec, None, with_label=False)
        return to_frame(con.execute(query.sql).fetchdf(), query)
    moment = as_of or scoring_time(con)
    query = frame_query(con, spec, [moment], features_dir=features_dir, with_label=False)
    return to_frame(con.execute(query.sql).fetchdf(), query)


def build_scoring_table(
    con: Connection,
    spec: ProjectSpec,
    table: str,
    *,
    features_dir: Path | None = None,
    as_of: datetime | None = None,
) -> FrameQuery:
    """The rows `build_scoring_frame` returns, built by the warehouse into `table` (replaced) and never read here.

    For `--engine dask`: the population may be past this process's memory; the workers read it as partitions.
    """
    if spec.recipe == "table":
        query = frame_query(con, spec, None, with_label=False)
    else:
        query = frame_query(con, spec, [as_of or scoring_time(con)], features_dir=features_dir, with_label=False)
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {query.sql}")
    return query


def to_training_set(
    spec: ProjectSpec,
    df: pd.DataFrame,
    features: Sequence[str],
    categorical: Sequence[str],
    task: str,
    descriptions: Mapping[str, str],
    load_ids: Sequence[str],
    classes: Sequence[Any],
) -> TrainingSet:
    """The rows of a training-set query (fresh, or read back from the cache) typed as the model reads them
    (frame_sql.to_frame), with what the set is made of: its features, task, classes and the loads it read."""
    kind = cast(Task, task)  # a frame query's or the cache's text: one of the three
    frame = to_frame(df, FrameQuery("", tuple(features), tuple(categorical), kind, dict(descriptions)))
    return TrainingSet(
        project=spec.name,
        frame=frame,
        features=tuple(features),
        task=kind,
        categorical=tuple(categorical),
        spec_hash=spec.spec_hash(),
        load_ids=tuple(load_ids),
        descriptions=dict(descriptions),
        classes=tuple(classes),
    )


def cached_training_set(spec: ProjectSpec, df: pd.DataFrame, meta: cache.CacheMeta) -> TrainingSet:
    """to_training_set for rows read back from the cache, made of what its meta row says."""
    return to_training_set(
        spec, df, meta.features, meta.categorical, meta.task, meta.descriptions, meta.load_ids, meta.classes
    )


def read_load_ids(con: Connection, tables: tuple[str, ...]) -> tuple[str, ...]:
    """The `_load_id`s in the tables a training set reads (`core.` when unqualified), sorted: which loads it saw."""
    wanted = {name if "." in name else f"core.{name}" for name in tables}
    with_load_id = {
        f"{s}.{t}"
        for s, t in con.execute(  # information_schema, not DuckDB's own catalog: Postgres has it too
            "SELECT c.table_schema, c.table_name FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_catalog = c.table_catalog AND t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.column_name = '_load_id' AND t.table_type <> 'VIEW'"
        ).fetchall()
    }
    parts = [
        f"SELECT DISTINCT _load_id AS id FROM {q} WHERE _load_id IS NOT NULL" for q in sorted(wanted & with_load_id)
    ]
    if not parts:
        return ()
    return tuple(
        r[0] for r in con.execute(f"SELECT DISTINCT id FROM ({' UNION ALL '.join(parts)}) ORDER BY id").fetchall()
    )
