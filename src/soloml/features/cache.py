"""The training-set cache: `features.<project>` plus `features.<project>__meta`.

The meta row holds the spec hash and a fingerprint of the data (row count and an order-free
hash of every row of each table read) and of the user SQL files, so a cached set is reused only
when neither the data nor the spec changed. This module is the only one that names those tables: monitoring
(the training reference distribution) and experiments (the base rate) read them through `read_rows`,
`read_features` and `label_rate`.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from soloml._version import __version__
from soloml.canonical.schema import TABLES
from soloml.features.cutoffs import present_tables
from soloml.projects.recipes import EVENT_RECIPES
from soloml.projects.recipes.table import relation_sql
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import DATABASE_ERRORS, Connection
from soloml.warehouse.connection import quote_ident

META_DDL = (
    "(spec_hash VARCHAR, fingerprint VARCHAR, built_at TIMESTAMP, task VARCHAR, features JSON, categorical JSON, "
    "descriptions JSON, load_ids JSON, classes JSON, cutoffs JSON, rows BIGINT)"
)


@dataclass(frozen=True)
class CacheMeta:
    spec_hash: str
    fingerprint: str
    built_at: datetime
    task: str
    features: tuple[str, ...]
    categorical: tuple[str, ...]
    descriptions: dict[str, str]
    load_ids: tuple[str, ...]
    classes: tuple[str, ...]
    cutoffs: tuple[str, ...]
    rows: int


def table_names(project: str) -> tuple[str, str]:
    """(data table, meta table), quoted and schema-qualified."""
    return f"features.{quote_ident(project)}", f"features.{quote_ident(project + '__meta')}"


def _table_digest(con: Connection, relation: str) -> list:
    count, digest = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {relation} t").fetchone()
    return [int(count), str(digest)]


def _recipe_digest(name: str) -> str | None:
    recipe = EVENT_RECIPES.get(name)
    if recipe is None:
        return None
    return hashlib.sha256((recipe.population_sql + recipe.label_sql).encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    """The training-set code itself (features/ and the recipes): a change to how features are built rebuilds the cache."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*(root / "features").glob("*.py"), *(root / "projects" / "recipes").glob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(con: Connection, spec: ProjectSpec, *, user_files: list[Path], as_of: datetime | None) -> str:
    """Changes whenever the data, the spec, the recipe's SQL, a user SQL file, `as_of` or the soloml version changes."""
    data: dict[str, list] = {}
    if spec.recipe == "table" and spec.source_table:
        data["source"] = _table_digest(con, relation_sql(spec.source_table))
    else:
        present = present_tables(con)
        for name in TABLES:
            if f"core.{name}" in present:
                data[name] = _table_digest(con, f"core.{name}")
    payload = {
        "spec": spec.spec_hash(),
        "data": data,
        "sql": {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in user_files},
        "as_of": as_of.isoformat() if as_of else None,
        "recipe": _recipe_digest(spec.recipe),
        "code": _code_digest(),
        "version": __version__,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def read_meta(con: Connection, project: str) -> CacheMeta | None:
    data, meta = table_names(project)
    if not {f"features.{project}", f"features.{project}__meta"} <= present_tables(con):
        return None
    row = con.execute(f"SELECT * FROM {meta} LIMIT 1").fetchone()
    if row is None:
        return None
    spec_hash, fp, built_at, task, feats, cats, desc, loads, classes, cutoffs, rows = row
    return CacheMeta(
        spec_hash,
        fp,
        built_at,
        task,
        tuple(json.loads(feats)),
        tuple(json.loads(cats)),
        json.loads(desc),
        tuple(json.loads(loads)),
        tuple(json.loads(classes)),
        tuple(json.loads(cutoffs)),
        int(rows),
    )


def is_cached(con: Connection, project: str) -> bool:
    """True when `features.<project>` (the cached training set) exists."""
    return f"features.{project}" in present_tables(con)


def read_rows(con: Connection, project: str) -> pd.DataFrame | None:
    """Every cached training row of `project` (None when the set was never built)."""
    if not is_cached(con, project):
        return None
    data, _ = table_names(project)
    return con.execute(f"SELECT * FROM {data}").df()


def read_features(con: Connection, project: str) -> tuple[str, ...] | None:
    """The feature columns the cached set was built with, from its meta row (None without one)."""
    if f"features.{project}__meta" not in present_tables(con):
        return None
    _, meta = table_names(project)
    row = con.execute(f"SELECT features FROM {meta} LIMIT 1").fetchone()
    if not row or not row[0]:
        return None
    return tuple(json.loads(row[0]) if isinstance(row[0], str) else row[0])


def label_rate(con: Connection, project: str) -> float | None:
    """The share of positive labels in the cached set, when it exists and its label is binary (None otherwise)."""
    if not is_cached(con, project):
        return None
    data, _ = table_names(project)
    try:
        row = con.execute(
            f"SELECT avg(CAST(label AS DOUBLE)), count(DISTINCT label) FROM {data} WHERE label IS NOT NULL"
        ).fetchone()
    except DATABASE_ERRORS:  # no label column, or a label that is not a number: no rate to speak of
        return None
    if not row or row[0] is None or row[1] > 2:
        return None
    return float(row[0])


def write(con: Connection, project: str, select_sql: str, meta: CacheMeta) -> None:
    """Replace the cached set and its meta row in one transaction (readers never see half of it)."""
    data, meta_table = table_names(project)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TABLE {data} AS {select_sql}")
        con.execute(f"CREATE OR REPLACE TABLE {meta_table} {META_DDL}")
        con.execute(
            f"INSERT INTO {meta_table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT count(*) FROM {data}))",
            [
                meta.spec_hash,
                meta.fingerprint,
                meta.built_at,
                meta.task,
                json.dumps(list(meta.features)),
                json.dumps(list(meta.categorical)),
                json.dumps(meta.descriptions),
                json.dumps(list(meta.load_ids)),
                json.dumps(list(meta.classes)),
                json.dumps(list(meta.cutoffs)),
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def read_where(con: Connection, project: str, condition: str) -> pd.DataFrame:
    """The cached rows of `project` meeting `condition` (SQL over its columns), in stored order: a sample without every row."""
    data, _ = table_names(project)
    return con.execute(f"SELECT * FROM {data} WHERE {condition}").df()
