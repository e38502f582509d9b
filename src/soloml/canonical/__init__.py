"""The constants: one canonical business model that every vendor maps onto.

`detect` and `route` are what the loader calls; `identity_report` says how well sources line up.
The schema is imported eagerly (it is light); the rest on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from soloml.canonical.schema import TABLES, table
from soloml.canonical.table_types import Table

_LAZY = {
    "IdentityReport": "soloml.canonical.identity_report",
    "identity_report": "soloml.canonical.identity_report",
    "detect": "soloml.canonical.ingest",
    "route": "soloml.canonical.ingest",
}

__all__ = ["TABLES", "IdentityReport", "Table", "detect", "identity_report", "route", "table"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'soloml.canonical' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
