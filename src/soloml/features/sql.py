"""User SQL features: `features/<name>.sql` files with `{{ cutoff }}` and an `entity_id` column.

A file is run for every cutoff in ONE statement (a UNION ALL of the query with each cutoff
written in), materialised once, then validated: it must return `entity_id`, one row per entity
per cutoff, and nothing dated after the cutoff. Timestamp columns are used only for that check;
every other column is a feature named as the column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from soloml.errors import ConfigError, FeatureError, did_you_mean
from soloml.warehouse.base import DATABASE_ERRORS, Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.tables import describe

CUTOFF_TAG = re.compile(r"\{\{\s*cutoff\s*\}\}")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class UserFeature:
    """A materialised user SQL feature file: its temp table and the feature columns it adds."""

    file: Path
    table: str
    features: tuple[str, ...]
    categorical: tuple[str, ...]


def resolve_files(features_dir: Path | None, names: list[str]) -> list[Path]:
    """The spec's `features_sql` entries as files in `features_dir` ('orders.sql' or 'orders')."""
    if not names:
        return []
    if features_dir is None:
        raise ConfigError(
            f"The project lists user SQL features ({', '.join(names)}) but no features folder was given.",
            hint="Run inside a workspace (its features/ folder is used) or pass features_dir.",
        )
    files = []
    for name in names:
        path = features_dir / (name if name.endswith(".sql") else f"{name}.sql")
        if not path.is_file():
            known = sorted(p.name for p in features_dir.glob("*.sql"))
            raise ConfigError(
                f"features_sql names '{name}' but {path} does not exist.{did_you_mean(path.name, known)}",
                hint=f"SQL files in {features_dir}: {', '.join(known) or 'none'}.",
            )
        files.append(path)
    return files


def _timestamp(moment: datetime) -> str:
    return f"TIMESTAMP '{moment:%Y-%m-%d %H:%M:%S.%f}'"


def materialise(con: Connection, path: Path, cutoffs: list[datetime], *, taken: set[str]) -> UserFeature:
    """Run `path` at every cutoff into a temp table and validate it; `taken` are names already in use."""
    text = path.read_text(encoding="utf-8").strip().rstrip(";").strip()
    if not text:
        raise FeatureError(
            f"User feature file {path} is empty.", hint="Write one SELECT returning entity_id and feature columns."
        )
    table = "_soloml_user_" + re.sub(r"[^a-z0-9_]", "_", path.stem.lower())
    union = " UNION ALL ".join(
        f"SELECT {_timestamp(c)} AS _cutoff, q.* FROM ({CUTOFF_TAG.sub(_timestamp(c), text)}) q" for c in cutoffs
    )
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {union}")
    except DATABASE_ERRORS as exc:
        raise FeatureError(
            f"User feature file {path} failed to run: {str(exc).splitlines()[0]}",
            hint="Fix the SQL; it may use {{ cutoff }} for the snapshot time and must select an entity_id column.",
        ) from exc
    columns = describe(con, table)[1:]
    names = [c for c, _ in columns]
    if "entity_id" not in names:
        raise FeatureError(
            f"User feature file {path} returns no 'entity_id' column (it returns: {', '.join(names)}).",
            hint="Select the customer/contact id AS entity_id.",
        )
    dup = con.execute(
        f"SELECT CAST(entity_id AS VARCHAR), _cutoff, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup:
        raise FeatureError(
            f"User feature file {path} returns {dup[2]} rows for entity_id '{dup[0]}' at cutoff {dup[1]:%Y-%m-%d}; "
            "it must return one row per entity.",
            hint="Aggregate with GROUP BY entity_id (e.g. count(*), max(...)).",
        )
    features, categorical = [], []
    for name, ctype in columns:
        if name == "entity_id":
            continue
        if ctype.startswith(("TIMESTAMP", "DATE")):
            late = con.execute(
                f"SELECT CAST(entity_id AS VARCHAR), _cutoff, {quote_ident(name)} FROM {table} "
                f"WHERE CAST({quote_ident(name)} AS TIMESTAMP) >= _cutoff LIMIT 1"
            ).fetchone()
            if late:
                raise FeatureError(
                    f"User feature file {path} returns a row dated after the cutoff: column '{name}' is {late[2]} for "
                    f"entity_id '{late[0]}' at cutoff {late[1]:%Y-%m-%d}. Features may only use data from before the cutoff.",
                    hint="Add WHERE <time column> < {{ cutoff }} to every table the query reads.",
                )
            continue
        if not IDENT.match(name):
            raise FeatureError(
                f"User feature file {path} returns column '{name}', which is not a plain name.",
                hint="Alias it, e.g. AS my_feature.",
            )
        if name in taken or name in ("cutoff", "label"):
            raise FeatureError(
                f"User feature file {path} returns column '{name}', which is already a feature name.",
                hint="Rename the column (or leave the built-in one out with features_exclude).",
            )
        features.append(name)
        if ctype == "VARCHAR":
            categorical.append(name)
    if not features:
        raise FeatureError(
            f"User feature file {path} returns no feature columns besides entity_id.",
            hint="Select at least one feature column.",
        )
    return UserFeature(path, table, tuple(features), tuple(categorical))
