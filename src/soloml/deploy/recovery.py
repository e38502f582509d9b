"""One recovery step for the start of every command: settle what interrupted commands left behind.

    recovery = recover(ws)                       # or recover(ws, con, targets=("postgresql+psycopg://...",))
    for action in recovery.actions:
        print(action)

It does, in order:

1. the registry (registry/recovery.py): half-written versions, complete but unregistered versions,
   aliases.json ahead of ops.model_events, temporary aliases files;
2. score runs killed while 'publishing' (publishing.py): each settled against its targets (`targets`
   are the URLs this command was given, for a target whose stored URL has its password masked);
3. scoring/<project>/: staged files of killed score runs that no 'publishing' run still needs;
4. scratch of killed `soloml score --engine dask` runs (scratch.py): their features.<project>__scoring_* tables
   and staging/features-*.parquet files.

Interrupted loads (`ops.loads` rows, temp files of loads) are the load command's own step. When the
warehouse is busy (another process is writing it), only step 1's leftovers of finished processes are
removed and `skipped` says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from soloml.deploy.publishing import TMP_MARK, reconcile, staged_files
from soloml.deploy.scratch import drop_dead_scratch, remove_dead_files
from soloml.errors import WarehouseError
from soloml.owners import running
from soloml.registry.recovery import recover_registry


@dataclass(frozen=True)
class Recovery:
    """What the recovery step did (one sentence each), and why it did less when it had to."""

    actions: tuple[str, ...] = ()
    skipped: str | None = None

    def to_facts(self) -> dict[str, Any]:
        return {"actions": list(self.actions), "skipped": self.skipped}


def recover(ws: Any, con: Any = None, *, targets: Sequence[str] = (), lock_timeout: float = 15.0) -> Recovery:
    """Clean and reconcile the registry and scoring leftovers of `ws`, using `con` (or opening the warehouse)."""
    if con is not None:
        return Recovery(tuple(_recover(ws, con, targets)))
    from soloml.warehouse.connection import connect

    try:
        con = connect(ws.warehouse_url, lock_timeout=lock_timeout)
    except WarehouseError as exc:
        return Recovery(
            (*recover_registry(None, ws.models_dir), *remove_dead_files(Path(ws.root) / "staging")),
            skipped=f"the warehouse could not be opened to reconcile ({exc.message})",
        )
    try:
        return Recovery(tuple(_recover(ws, con, targets)))
    finally:
        con.close()


def _recover(ws: Any, con: Any, targets: Sequence[str]) -> list[str]:
    return [
        *recover_registry(con, ws.models_dir),
        *reconcile(con, ws.root, urls=targets),
        *clean_scoring(con, ws.root),
        *drop_dead_scratch(con, Path(ws.root) / "staging"),
    ]


def clean_scoring(con: Any, root: Path) -> list[str]:
    """Remove staged files under scoring/ that no 'publishing' run needs (the warehouse lock keeps other scores out)."""
    base = Path(root) / "scoring"
    if not base.is_dir():
        return []
    needed = staged_files(con)
    notes = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        for path in sorted(folder.glob(f".*{TMP_MARK}*")):
            relative = str(path.relative_to(root))
            if relative in needed or not path.is_file() or _owned_by_live_process(path):
                continue
            path.unlink(missing_ok=True)
            notes.append(f"Removed {relative}: a staged file of an interrupted `soloml score {folder.name}`.")
    return notes


def _owned_by_live_process(path: Path) -> bool:
    """Files named `.<name>.tmp-<pid>-<token>` belong to that process while it runs."""
    owner = path.name.split(TMP_MARK, 1)[1].split("-", 1)[0]
    return owner.isdigit() and running(int(owner))
