"""Scratch a run makes outside the registry and the scoring folder, named for its owner so a killed run's can be found.

    token = owner_token()                          # "1a2b_48213_9f3c0d11": this machine, this process, a random part
    table = f"churn{SCORING_TABLE_MARK}{token}"    # features.churn__scoring_1a2b_48213_9f3c0d11
    drop_dead_scratch(con, ws.path("staging"))     # the recovery step: what processes no longer running left

A scoring table (`soloml score --engine dask` builds one in the warehouse's features schema) and a features file in
staging/ belong to their process while it runs. The machine part keeps one machine's recovery step from dropping a
table another machine's live run is using in a shared warehouse (Postgres); a name it cannot read is left alone.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from pathlib import Path
from typing import Any

from soloml.registry.recovery import running

SCORING_TABLE_MARK = "__scoring_"
FEATURES_FILE = "features-"


def owner_token() -> str:
    """`<machine>_<pid>_<random>` for this process."""
    return f"{_machine()}_{os.getpid()}_{secrets.token_hex(4)}"


def owner_gone(token: str) -> bool:
    """Whether the process a token names ran on this machine and is no longer running (False when it cannot tell)."""
    parts = token.split("_")
    if len(parts) != 3 or parts[0] != _machine() or not parts[1].isdigit():
        return False
    return not running(int(parts[1]))


def drop_dead_scratch(con: Any, staging: Path) -> list[str]:
    """Drop the scoring tables and remove the staged features files of runs whose process is gone; one note each."""
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
    if Path(staging).is_dir():
        for path in sorted(Path(staging).glob(f"{FEATURES_FILE}*.parquet")):
            if owner_gone(path.name.removeprefix(FEATURES_FILE).removesuffix(".parquet")):
                path.unlink(missing_ok=True)
                notes.append(f"Removed staging/{path.name}: the features file of an interrupted `soloml score`.")
    return notes


def _machine() -> str:
    return hashlib.blake2s(socket.gethostname().encode(), digest_size=2).hexdigest()
