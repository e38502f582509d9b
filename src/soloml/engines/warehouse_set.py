"""The training set as it sits in the warehouse (`features.<project>`), for `--engine dask`: built there, sized, sampled.

The cached set is built by the warehouse (CREATE TABLE AS the feature SQL) without being read back; its
size is judged from its meta row (rows x columns x 8 bytes, as engines/advice.py estimates); past
SHARE_OF_MEMORY of this machine, soloml reads only a sample of whole entities that fits (an md5 of the
entity id, partitions.sample_sql: the same entities on every run and on either warehouse) to validate on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soloml.engines.advice import SHARE_OF_MEMORY, estimated_bytes
from soloml.engines.partitions import digest_sql, sample_sql
from soloml.errors import ModelError
from soloml.features import cache
from soloml.features.build import cache_meta, cached_training_set, check_today_rule, read_load_ids
from soloml.features.cutoffs import cutoff_schedule
from soloml.features.frame_sql import frame_query
from soloml.features.sql import resolve_files
from soloml.features.trainingset import LABEL, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import Connection

MIN_SAMPLE_ROWS = 200  # fewer rows than this validate nothing worth a verdict
SAMPLE_MARGIN = 0.9  # aim a little under the share: the sample's rows per entity vary around the mean
ENTITY = "entity_id"


@dataclass(frozen=True)
class Sample:
    """Which share of the entities was read to validate on, and how many of them and of their rows."""

    share: float
    entities: int
    of_entities: int
    rows: int
    of_rows: int

    def to_facts(self) -> dict[str, Any]:
        return {
            "entities": self.entities,
            "of_entities": self.of_entities,
            "rows": self.rows,
            "of_rows": self.of_rows,
            "share": round(self.share, 6),
        }


def ensure_cached(con: Connection, spec: ProjectSpec, *, features_dir: Path | None) -> cache.CacheMeta:
    """The cache's meta row, after building `features.<project>` in the warehouse if the data or spec changed.

    The same steps as features.build.build_with_outcome, less reading the rows back.
    """
    user_files = resolve_files(features_dir, spec.features_sql) if spec.recipe != "table" else []
    fp = cache.fingerprint(con, spec, user_files=user_files, as_of=None)
    meta = cache.read_meta(con, spec.name)
    if meta is not None and meta.fingerprint == fp and meta.spec_hash == spec.spec_hash():
        return meta
    cutoffs = cutoff_schedule(con, spec, as_of=None) if spec.recipe != "table" else []
    query = frame_query(con, spec, cutoffs, features_dir=features_dir, with_label=True)
    built = cache_meta(spec, fp, query, read_load_ids(con, query.tables), cutoffs)
    cache.write(con, spec.name, query.sql, built)
    fresh = cache.read_meta(con, spec.name)
    assert fresh is not None  # just written
    return fresh


def set_bytes(meta: cache.CacheMeta) -> int:
    """The cached set's estimated size: its rows x (features + entity, cutoff, label) x 8 bytes."""
    return estimated_bytes(meta.rows, len(meta.features) + 3)


def past_memory(meta: cache.CacheMeta, memory: int | None) -> bool:
    return bool(memory) and set_bytes(meta) > SHARE_OF_MEMORY * float(memory or 0)


def read_all(con: Connection, spec: ProjectSpec, meta: cache.CacheMeta) -> TrainingSet:
    """Every cached row as a TrainingSet, as features.build reads a fresh cache (no second fingerprint of the data)."""
    df = cache.read_rows(con, spec.name)
    assert df is not None  # ensure_cached wrote it
    ts = cached_training_set(spec, df, meta)
    check_today_rule(spec, ts)
    return ts


def read_sample(con: Connection, spec: ProjectSpec, meta: cache.CacheMeta, memory: int) -> tuple[TrainingSet, Sample]:
    """A sample of whole entities whose rows fit in SHARE_OF_MEMORY of `memory`, as a TrainingSet, and its counts."""
    share = min(1.0, SAMPLE_MARGIN * SHARE_OF_MEMORY * memory / max(1, set_bytes(meta)))
    condition = sample_sql(digest_sql(ENTITY), share)
    data, _ = cache.table_names(spec.name)
    entities, rows = con.execute(
        f"SELECT count(DISTINCT {ENTITY}), count(*) FROM {data} WHERE {LABEL} IS NOT NULL"
    ).fetchone()
    df = cache.read_where(con, spec.name, f"{LABEL} IS NOT NULL AND {condition}")
    if len(df) < MIN_SAMPLE_ROWS:
        raise ModelError(
            f"The training set of '{spec.name}' ({int(rows):,} rows, about {set_bytes(meta) / 1e9:.2f} GB) is so far past "
            f"this machine's memory ({memory / 1e9:.2f} GB) that a sample of it that fits holds {len(df):,} rows: too few to validate on.",
            hint="Run soloml on a machine with more memory (the sample grows with it), or narrow the population.",
        )
    ts = cached_training_set(spec, df, meta)
    check_today_rule(spec, ts)
    sample = Sample(share, int(df[ENTITY].nunique()), int(entities), len(df), int(rows))
    return ts, sample
