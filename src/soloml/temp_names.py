"""Unique names for the temporary tables and registered frames an operation puts on a connection.

A fixed name ('soloml_scored') collides as soon as two operations share a connection: the second one
replaces or drops the first one's rows. Every operation therefore takes a fresh name from `unique_name` and
removes what it made in `finally`, through `registered` (a pandas/Arrow frame) or `temp_table` (a query).
Independent of the warehouse package so every stage can use it.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

PREFIX = "_soloml_"


def unique_name(purpose: str) -> str:
    """'_soloml_<purpose>_<12 hex>': a valid unquoted SQL identifier no other operation uses."""
    stem = "".join(ch if ch.isalnum() else "_" for ch in purpose.lower()).strip("_") or "temp"
    return f"{PREFIX}{stem}_{uuid.uuid4().hex[:12]}"


@contextmanager
def registered(con: Any, frame: Any, purpose: str) -> Iterator[str]:
    """Register `frame` (pandas or Arrow) under a unique name for the block; always unregistered afterwards."""
    name = unique_name(purpose)
    con.register(name, frame)
    try:
        yield name
    finally:
        con.unregister(name)


@contextmanager
def temp_table(con: Any, purpose: str, select: str, params: Sequence[Any] | None = None) -> Iterator[str]:
    """`CREATE TEMP TABLE <unique> AS <select>` for the block; always dropped afterwards.

    When the block failed inside a transaction the drop may fail too (the transaction is aborted, and its
    rollback removes the table anyway): then the block's own error is the one raised.
    """
    name = unique_name(purpose)
    try:
        con.execute(f"CREATE TEMP TABLE {name} AS {select}", list(params or []))
        yield name
    finally:
        failing = sys.exc_info()[0] is not None
        try:
            con.execute(f"DROP TABLE IF EXISTS {name}")
        except Exception:
            if not failing:
                raise


__all__ = ["PREFIX", "registered", "temp_table", "unique_name"]
