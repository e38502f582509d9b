"""Fixtures for the warehouse tests: one empty warehouse of each kind."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["duckdb", "postgres"])
def target(request, tmp_path) -> str:
    """An empty warehouse of each kind: a DuckDB file, a Postgres database of its own (skipped without one)."""
    if request.param == "duckdb":
        return str(tmp_path / "w.duckdb")
    return str(request.getfixturevalue("postgres_warehouse_url"))
