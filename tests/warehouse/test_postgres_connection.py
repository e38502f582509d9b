import os
import uuid

import pytest

from soloml.warehouse.postgres import PostgresConnection

URL = os.environ.get("SOLOML_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not URL, reason="SOLOML_TEST_POSTGRES_URL is unset: no Postgres to test against")


def test_duckdb_sql_with_params_and_transactions_runs_on_postgres() -> None:
    con = PostgresConnection(URL or "")
    schema = f"soloml_t_{uuid.uuid4().hex[:8]}"
    try:
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(f"CREATE TABLE {schema}.t (a INTEGER, b VARCHAR)")
        con.execute(f"INSERT INTO {schema}.t VALUES (?, ?)", [1, "x"])
        con.execute("BEGIN TRANSACTION")
        con.execute(f"INSERT INTO {schema}.t VALUES (?, ?)", [2, "y"])
        con.execute("ROLLBACK")
        assert con.execute(f"SELECT a, b FROM {schema}.t WHERE a = ?", [1]).fetchall() == [(1, "x")]
        assert con.execute(f"SELECT count(*) FROM {schema}.t").fetchone() == (1,)
        assert list(con.execute(f"SELECT * FROM {schema}.t").df().columns) == ["a", "b"]
    finally:
        con.execute(f"DROP SCHEMA {schema} CASCADE")
        con.close()
