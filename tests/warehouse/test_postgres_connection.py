import os
import uuid

import pytest

from soloml.errors import WarehouseError
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


@pytest.fixture
def con():
    c = PostgresConnection(URL or "")
    yield c
    c.close()


def test_dollar_params_are_bound_by_number_in_any_order_and_repeated(con) -> None:
    assert con.execute("SELECT $2, $1", ["first", "second"]).fetchall() == [("second", "first")]
    assert con.execute("SELECT $1 || $1, $2", ["a", "b"]).fetchall() == [("aa", "b")]


def test_a_percent_sign_in_sql_stays_one_percent_sign_with_or_without_params(con) -> None:
    assert con.execute("SELECT 'a%'").fetchall() == [("a%",)]
    assert con.execute("SELECT 'a%', '%s', ?", [1]).fetchall() == [("a%", "%s", 1)]
    assert con.execute("SELECT 'abc' LIKE 'a%'").fetchall() == [(True,)]


def test_too_few_values_or_a_named_parameter_is_refused_before_the_server_sees_it(con) -> None:
    with pytest.raises(WarehouseError, match="needs 2 parameter"):
        con.execute("SELECT $2", ["only one"])
    with pytest.raises(WarehouseError, match="Named parameter '\\$who'"):
        con.execute("SELECT $who", ["x"])
