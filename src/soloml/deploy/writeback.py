"""Write-back: put a run's predictions where the business's CRM or app can read them.

A database target (SQLAlchemy URL: Postgres, MySQL/MariaDB, SQLite, or `duckdb:///file.duckdb`) gets the
rows in a staging table first; only when every row is in does one swap replace the live table (see
staging.py for each kind). A failure at any point drops the staging table and leaves the previous table
exactly as it was. A file target (.csv or .parquet) is written next to itself and renamed over the old file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from soloml.deploy.staging import Staged, StagedDuckTable, StagedFile, StagedTable, check_table_name, safe_url

# The write-back table: the columns a CRM needs, in this order. After soloml's entity_id, the business's
# own ids (features/ids.py): the source system, its id for the entity and the email.
COLUMNS = (
    "run_id",
    "project",
    "model_version",
    "entity_id",
    "source_system",
    "source_id",
    "email",
    "score",
    "decision",
    "rank",
    "top_reasons",
    "scored_at",
)
# Written only by models that make them: a multiclass model's predicted class (its score is that class's probability).
OPTIONAL_COLUMNS = ("predicted_class",)
__all__ = [
    "COLUMNS",
    "OPTIONAL_COLUMNS",
    "row_columns",
    "WriteBack",
    "check_table_name",
    "default_table",
    "plan_target",
    "safe_url",
    "stage_target",
    "write_back",
    "write_file",
]


@dataclass(frozen=True)
class WriteBack:
    """Where one run's predictions went."""

    target: str
    table: str | None
    rows: int


def row_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of a scored frame every target gets: COLUMNS, then the optional ones it has."""
    return [*COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in frame.columns)]


def default_table(project: str) -> str:
    return f"soloml_{project.replace('-', '_')}_predictions"


def is_database_url(target: str) -> bool:
    return "://" in target


def is_file_target(target: str) -> bool:
    return not is_database_url(target) and not target.endswith((".duckdb", ".db"))


def write_back(
    target: str, frame: pd.DataFrame, *, table: str | None = None, project: str = "", chunk_rows: int = 5_000
) -> WriteBack:
    """Write `frame` (the COLUMNS) to a database URL (table default soloml_<project>_predictions) or a .csv/.parquet file."""
    done, staged = stage_target(target, frame, table=table, project=project, chunk_rows=chunk_rows)
    staged.publish()
    return done


def write_file(path: Path, frame: pd.DataFrame) -> None:
    """Write a .csv/.parquet file whole: next to itself first, then renamed over the old one."""
    StagedFile(path).stage(frame).publish()


def plan_target(target: str, *, table: str | None = None, project: str = "", rows: int = 0) -> tuple[WriteBack, Staged]:
    """Where `target` (a file, a .duckdb file or a database URL) will be written, and its staging name; no I/O yet."""
    if is_file_target(target):
        return WriteBack(target=str(Path(target).resolve()), table=None, rows=rows), StagedFile(Path(target))
    name = table or default_table(project)
    if is_database_url(target) and not target.startswith("duckdb:"):
        return WriteBack(target=safe_url(target), table=name, rows=rows), StagedTable(target, name)
    url = target if target.startswith("duckdb:") else "duckdb:" + target
    shown = target if target.startswith("duckdb:") else str(Path(target).resolve())
    return WriteBack(target=shown, table=name, rows=rows), StagedDuckTable(_duckdb_path(url), name)


def stage_target(
    target: str, frame: pd.DataFrame, *, table: str | None = None, project: str = "", chunk_rows: int = 5_000
) -> tuple[WriteBack, Staged]:
    """Stage `frame` for `target` without touching the live table or file; `.publish()` swaps it in."""
    frame = frame.loc[:, row_columns(frame)]
    done, staged = plan_target(target, table=table, project=project, rows=len(frame))
    if isinstance(staged, StagedTable):
        staged.stage(frame, chunk_rows=chunk_rows)
    else:
        staged.stage(frame)
    return done, staged


def _duckdb_path(url: str) -> str:
    return url[len("duckdb:///") :] if url.startswith("duckdb:///") else url.split(":", 1)[1]
