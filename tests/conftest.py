"""Shared fixtures: real DuckDB files in tmp folders, real databases where the machine has them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from soloml.workspace import Workspace, init_workspace

REFERENCE_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference"


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    """A fresh workspace with its own warehouse.duckdb file."""
    return init_workspace(tmp_path / "ws", name="test business")


@pytest.fixture
def con(ws: Workspace):
    connection = ws.connect()
    yield connection
    connection.close()


@pytest.fixture
def reference_data() -> Path:
    """../shared/data/reference: real public samples of vendor layouts."""
    if not REFERENCE_DATA.is_dir():
        pytest.skip(
            f"reference samples not found at {REFERENCE_DATA} (they live beside the repo in shared/data/reference)"
        )
    return REFERENCE_DATA


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("SOLOML_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SOLOML_TEST_POSTGRES_URL is not set (CI sets it to the local PostgreSQL server)")
    return url


@pytest.fixture
def mysql_url() -> str:
    url = os.environ.get("SOLOML_TEST_MYSQL_URL")
    if not url:
        pytest.skip("SOLOML_TEST_MYSQL_URL is not set (CI sets it to the local MariaDB server)")
    return url


@pytest.fixture
def postgres_warehouse_url(postgres_url: str):
    """A fresh, empty Postgres database of its own (soloml's schemas have fixed names), dropped afterwards."""
    import uuid

    import psycopg

    name = f"soloml_w_{uuid.uuid4().hex[:10]}"
    base = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    server, _, query = base.partition("?")
    yield server.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
