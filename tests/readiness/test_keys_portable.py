"""The readiness key checks run unchanged on DuckDB and on the Postgres warehouse (issue 18): no `* EXCLUDE`."""

import os
import uuid

import duckdb
import pytest

from soloml.readiness.keys import _duplicates, _exact_repeats
from soloml.warehouse.postgres import PostgresConnection

URL = os.environ.get("SOLOML_TEST_POSTGRES_URL")

ROWS = [  # id 1 twice with the same record (an exact repeat), id 2 naming two different records
    (1, "Ann", "l1", 1),
    (1, "Ann", "l2", 2),
    (2, "Bob", "l1", 3),
    (2, "Rob", "l1", 4),
]


def _fill(con, schema: str) -> str:
    con.execute(f"CREATE SCHEMA {schema}")
    con.execute(f"CREATE TABLE {schema}.people (id INTEGER, name VARCHAR, _load_id VARCHAR, _source_row INTEGER)")
    for row in ROWS:
        con.execute(f"INSERT INTO {schema}.people VALUES (?, ?, ?, ?)", list(row))
    return f"{schema}.people"


def _check(con, table: str) -> None:
    assert _exact_repeats(con, table) == 1  # lineage columns aside, the two Ann rows are one record
    assert _duplicates(con, table, ["id"], "") == (1, "2")  # one id (2) names two different records


def test_key_checks_on_duckdb() -> None:
    con = duckdb.connect()
    _check(con, _fill(con, "raw_t"))


@pytest.mark.skipif(not URL, reason="SOLOML_TEST_POSTGRES_URL is unset: no Postgres to test against")
def test_key_checks_on_postgres() -> None:
    con = PostgresConnection(URL or "")
    schema = f"soloml_t_{uuid.uuid4().hex[:8]}"
    try:
        _check(con, _fill(con, schema))
    finally:
        con.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        con.close()
