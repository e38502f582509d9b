"""The canonical stage's side of a load: which vendor object a file is, and routing it into core.*."""

from __future__ import annotations

import duckdb
import pandas as pd

from soloml.sources.contracts import Detection, LandedTable


def detect(headers: list[str], sample: pd.DataFrame, as_name: str | None = None) -> Detection | None:
    """Recognise a vendor object from its header (and values). None when nothing matches."""
    return None


def route(con: duckdb.DuckDBPyConnection, landed: LandedTable) -> dict[str, int]:
    """Apply a landed raw table to core.* (only the keys this load touched). Returns rows written per core table."""
    return {}
