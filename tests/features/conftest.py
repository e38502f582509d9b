"""Hand-made core.* rows: `add(table, **columns)` fills the rest with NULLs (history rows: valid from the start)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from soloml.canonical.schema import TABLES, create_core_tables


def insert_rows(con, table: str, rows: list[dict]) -> None:
    spec = TABLES[table]
    names = spec.column_names
    for row in rows:
        row = dict(row)
        if spec.history:
            row.setdefault("valid_from", datetime(2020, 1, 1))
            row.setdefault("is_current", row.get("valid_to") is None)
        if "source" in names:
            row.setdefault("source", "test")
        unknown = set(row) - set(names)
        assert not unknown, f"core.{table} has no columns {unknown}"
        cols = [n for n in names if n in row]
        con.execute(
            f"INSERT INTO core.{table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
            [row[c] for c in cols],
        )


@pytest.fixture
def add(con) -> Callable[..., None]:
    create_core_tables(con)

    def _add(table: str, *rows: dict) -> None:
        insert_rows(con, table, list(rows))

    return _add
