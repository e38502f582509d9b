"""Scratch a run makes outside the registry and the scoring folder, named for its owner so a killed run's can be found.

    token = owner_token()                          # "1a2b_48213_9f3c0d11": this machine, this process, a random part
    table = f"churn{SCORING_TABLE_MARK}{token}"    # features.churn__scoring_1a2b_48213_9f3c0d11
    drop_dead_scratch(con, ws.path("staging"))     # the recovery step: what processes no longer running left

A scoring table (`soloml score --engine dask` builds one in the warehouse's features schema), a features file in
staging/ and the Dask engine's partitions folders there (`dask-score-<token>`, `dask-train-<token>`) belong to
their process while it runs. The token is soloml/owners.py's: its machine part keeps one machine's recovery step
from dropping a table or folder another machine's live run is using in a shared warehouse (Postgres) or shared
staging folder; a name it cannot read is left alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from soloml.engines.dask_cluster import FOLDER_KINDS, FOLDER_PREFIX
from soloml.owners import owner_gone, owner_token

SCORING_TABLE_MARK = "__scoring_"
FEATURES_FILE = "features-"

__all__ = ["FEATURES_FILE", "SCORING_TABLE_MARK", "drop_dead_scratch", "owner_gone", "owner_token", "remove_dead_files"]


def drop_dead_scratch(con: Any, staging: Path) -> list[str]:
    """Drop the scoring tables, and remove the staged features files and Dask partitions folders, of runs whose
    process is gone; one note each."""
    return [*_drop_dead_tables(con), *remove_dead_files(staging)]


def _drop_dead_tables(con: Any) -> list[str]:
    notes = []
    listed = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'features' AND table_name LIKE ?",
        [f"%{SCORING_TABLE_MARK}%"],
    ).fetchall()
    for (name,) in sorted(listed):
        project, _, token = str(name).rpartition(SCORING_TABLE_MARK)
        if project and owner_gone(token):
            con.execute(f'DROP TABLE IF EXISTS features."{name}"')
            notes.append(f"Dropped features.{name}: the scoring table of an interrupted `soloml score {project}`.")
    return notes


def remove_dead_files(staging: Path) -> list[str]:
    """Remove the staged features files and Dask partitions folders of runs whose process is gone (no warehouse
    needed: recovery does this even when the warehouse cannot be opened); one note each."""
    notes: list[str] = []
    if Path(staging).is_dir():
        for path in sorted(Path(staging).glob(f"{FEATURES_FILE}*.parquet")):
            if owner_gone(path.name.removeprefix(FEATURES_FILE).removesuffix(".parquet")):
                path.unlink(missing_ok=True)
                notes.append(f"Removed staging/{path.name}: the features file of an interrupted `soloml score`.")
        for path in sorted(Path(staging).glob(f"{FOLDER_PREFIX}*")):
            kind, _, token = path.name.removeprefix(FOLDER_PREFIX).partition("-")
            if path.is_dir() and kind in FOLDER_KINDS and owner_gone(token):
                shutil.rmtree(path, ignore_errors=True)
                notes.append(
                    f"Removed staging/{path.name}: the partitions of an interrupted `soloml {kind} --engine dask`."
                )
    return notes
