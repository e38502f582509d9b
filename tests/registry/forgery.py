"""Forging a saved version the way a hand edit would: change metadata.json and re-seal checksums.json."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path


def forge(folder: Path, change: Callable[[dict], None]) -> None:
    """Edit metadata.json and re-seal checksums.json, so the SHA-256 check passes."""
    path = folder / "metadata.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))
    sums = json.loads((folder / "checksums.json").read_text())
    sums["metadata.json"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "checksums.json").write_text(json.dumps(sums))
