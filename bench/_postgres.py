"""A scratch Postgres database for a bench run: made on the server of SOLOML_TEST_POSTGRES_URL, dropped after."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg


@contextmanager
def scratch_database(url: str) -> Iterator[str]:
    """The URL of a new, empty database on `url`'s server (FORCE-dropped on leaving, even after an error)."""
    name = f"soloml_bench_{uuid.uuid4().hex[:8]}"
    base = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        server, _, query = base.partition("?")
        yield server.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
