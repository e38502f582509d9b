"""The folder where a load keeps its temporary files (a transcoded CSV, records unwrapped from a JSON document).

Files are named after the process that made them (`soloml-<token>-...`), so a load can tell its own files
from those a killed load left behind, and remove the latter before it starts. A workspace keeps them in
`<workspace>/.soloml/tmp/`, never in the system temp folder, so nothing outlives the workspace unseen.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from soloml.warehouse.journal import PROCESS_TOKEN

PREFIX = "soloml-"


@dataclass(frozen=True)
class Scratch:
    folder: Path

    def file(self, suffix: str) -> Path:
        """A new empty file of this process in the folder (the caller removes it)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{PREFIX}{PROCESS_TOKEN}-", suffix=suffix, dir=self.folder)
        os.close(fd)
        return Path(name)

    def leftovers(self) -> list[Path]:
        """Files other processes made here: a killed load's (a running load holds the warehouse, so it is not one)."""
        if not self.folder.is_dir():
            return []
        own = f"{PREFIX}{PROCESS_TOKEN}-"
        return sorted(
            p for p in self.folder.iterdir() if p.is_file() and p.name.startswith(PREFIX) and not p.name.startswith(own)
        )

    def remove_leftovers(self) -> str | None:
        """Remove the leftovers; what was removed, in words (None when there was nothing)."""
        found = self.leftovers()
        size = 0
        for path in found:
            try:
                size += path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                continue
        if not found:
            return None
        plural = "s" if len(found) != 1 else ""
        return f"removed {len(found)} temporary file{plural} ({size / 1e6:,.1f} MB) an interrupted load left in {self.folder}"


def remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
