"""A fresh, empty database on each backend soloml's SQL must run on, for tests that check the same answer on both.

DuckDB: an in-memory connection. Postgres (when SOLOML_TEST_POSTGRES_URL is set): a database made for the test
and dropped after it, so a test may create `ops.*` or any schema without meeting another test's tables.
Use: `@pytest.mark.parametrize("backend", BACKENDS)` then `with fresh(backend) as con: ...`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import duckdb
import psycopg
import pytest

from soloml.warehouse.postgres import PostgresConnection

URL = os.environ.get("SOLOML_TEST_POSTGRES_URL")
BACKENDS = [
    "duckdb",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not URL, reason="SOLOML_TEST_POSTGRES_URL is unset: no Postgres to test against"),
    ),
]


@contextmanager
def fresh(backend: str) -> Iterator[Any]:
    """A connection to an empty database on `backend` ("duckdb" or "postgres"), removed afterwards."""
    if backend == "duckdb":
        con = duckdb.connect()
        try:
            yield con
        finally:
            con.close()
        return
    name = f"soloml_t_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(URL or "", autocommit=True)
    admin.execute(f"CREATE DATABASE {name}")
    pg = PostgresConnection(urlunsplit(urlsplit(URL or "")._replace(path=f"/{name}")))
    try:
        yield pg
    finally:
        pg.close()
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
