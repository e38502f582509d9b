import os
import uuid
from datetime import datetime

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
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


@pytest.fixture
def schema(con):
    name = f"soloml_t_{uuid.uuid4().hex[:8]}"
    con.execute(f"CREATE SCHEMA {name}")
    yield name
    con.execute(f"DROP SCHEMA {name} CASCADE")


def test_dollar_params_are_bound_by_number_in_any_order_and_repeated(con) -> None:
    assert con.execute("SELECT $2, $1", ["first", "second"]).fetchall() == [("second", "first")]
    assert con.execute("SELECT $1 || $1, $2", ["a", "b"]).fetchall() == [("aa", "b")]


def test_question_marks_are_bound_in_the_order_they_are_written_as_on_duckdb(con) -> None:
    """sqlglot visits a WITH clause after its SELECT: numbering `?` on the tree gave the CTE the outer values
    (experiments' --top-k compared a project name with the LIMIT on Postgres)."""
    sql = (
        "WITH picked AS (SELECT x FROM (VALUES ('a'), ('b'), ('c')) v(x) WHERE x <> ?) "
        "SELECT x, '?' AS literal, ? AS tag FROM picked WHERE x <> ? ORDER BY x LIMIT ?"
    )
    params = ["a", "tag", "b", 5]
    assert con.execute(sql, params).fetchall() == [("c", "?", "tag")]
    assert duckdb.connect().execute(sql, params).fetchall() == [("c", "?", "tag")]
    with pytest.raises(WarehouseError, match="mixes `\\?` and `\\$n`"):
        con.execute("SELECT ?, $1", [1])


def test_a_percent_sign_in_sql_stays_one_percent_sign_with_or_without_params(con) -> None:
    assert con.execute("SELECT 'a%'").fetchall() == [("a%",)]
    assert con.execute("SELECT 'a%', '%s', ?", [1]).fetchall() == [("a%", "%s", 1)]
    assert con.execute("SELECT 'abc' LIKE 'a%'").fetchall() == [(True,)]


def test_too_few_values_or_a_named_parameter_is_refused_before_the_server_sees_it(con) -> None:
    with pytest.raises(WarehouseError, match="needs 2 parameter"):
        con.execute("SELECT $2", ["only one"])
    with pytest.raises(WarehouseError, match="Named parameter '\\$who'"):
        con.execute("SELECT $who", ["x"])


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.array([1, 2, 3], dtype="int64"),
            "name": ["a", "", None],
            "amount": [1.5, None, 2.25],
            "paid": [True, False, True],
            "at": pd.to_datetime(["2024-01-01 01:02:03.456789", None, "2024-03-01 00:00:00"], format="ISO8601"),
            "note": ['he said "hi", then left', "line\nbreak", "50% off"],
        }
    )


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_a_registered_frame_is_queryable_with_its_types_nulls_and_empty_strings(con, kind: str) -> None:
    frame = _frame() if kind == "pandas" else pa.Table.from_pandas(_frame(), preserve_index=False)
    con.register("_soloml_test_frame", frame)
    rows = con.execute("SELECT id, name, amount, paid, at, note FROM _soloml_test_frame ORDER BY id").fetchall()
    assert rows == [
        (1, "a", 1.5, True, datetime(2024, 1, 1, 1, 2, 3, 456789), 'he said "hi", then left'),
        (2, "", None, False, None, "line\nbreak"),
        (3, None, 2.25, True, datetime(2024, 3, 1), "50% off"),
    ]
    con.register("_soloml_test_frame", pd.DataFrame({"x": [7]}))  # registering a name again replaces it
    assert con.execute("SELECT * FROM _soloml_test_frame").fetchall() == [(7,)]
    con.unregister("_soloml_test_frame")
    with pytest.raises(psycopg.errors.UndefinedTable):
        con.execute("SELECT * FROM _soloml_test_frame")


def test_a_registered_frame_is_seen_by_its_connection_only(con) -> None:
    con.register("_soloml_test_private", pd.DataFrame({"x": [1]}))
    with PostgresConnection(URL or "") as other, pytest.raises(psycopg.errors.UndefinedTable):
        other.execute("SELECT * FROM _soloml_test_private")


def test_results_come_as_arrow_and_pandas_typed_as_duckdb_types_them(con) -> None:
    sql = (
        "SELECT 1::INTEGER AS i, NULL::INTEGER AS n, 1.25::DECIMAL(18,2) AS m, avg(3) AS a, 'x' AS s, "
        "DATE '2024-01-01' AS d, TIMESTAMP '2024-01-01 01:02:03' AS ts, '{\"k\": 1}'::JSON AS j, count(*) AS c"
    )
    table = con.execute(sql).to_arrow_table()
    assert table.schema.field("i").type == pa.int32()
    assert table.schema.field("n").type == pa.int32()  # all NULL, still typed
    assert table.schema.field("m").type == pa.decimal128(18, 2)
    assert table.schema.field("d").type == pa.date32()
    assert table.schema.field("ts").type == pa.timestamp("us")
    assert table.schema.field("c").type == pa.int64()
    frame = con.sql(sql).df()
    duck = duckdb.connect().execute(sql).df()
    assert dict(frame.dtypes.astype(str)) == dict(duck.dtypes.astype(str))
    assert frame.drop(columns="n").iloc[0].to_dict() == duck.drop(columns="n").iloc[0].to_dict()
    assert pd.isna(frame.iloc[0]["n"]) and pd.isna(duck.iloc[0]["n"])
    assert con.execute("SELECT '{\"k\": 1}'::JSON").fetchall() == [('{"k": 1}',)]  # JSON as its text, as DuckDB


def test_executemany_and_dml_row_counts_behave_as_on_duckdb(con, schema) -> None:
    con.execute(f"CREATE TABLE {schema}.t (a INTEGER, b VARCHAR)")
    con.executemany(f"INSERT INTO {schema}.t VALUES (?, ?)", [(1, "x"), (2, "y"), (3, None)])
    assert con.execute(f"SELECT count(*), count(b) FROM {schema}.t").fetchone() == (3, 2)
    assert con.execute(f"UPDATE {schema}.t SET b = 'z' WHERE a >= ?", [2]).fetchall() == [(2,)]
    assert con.execute(f"CREATE TABLE {schema}.u (a INTEGER)").fetchall() == []


def test_a_closed_connection_refuses_work_and_the_context_manager_closes(schema) -> None:
    with PostgresConnection(URL or "") as c:
        assert c.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        c.execute("SELECT 1")


def test_a_wrong_url_says_which_server_without_the_password() -> None:
    with pytest.raises(WarehouseError, match=r"postgresql://me:\*\*\*@127\.0\.0\.1:1/x") as caught:
        PostgresConnection("postgresql://me:s3cret@127.0.0.1:1/x")
    assert "s3cret" not in str(caught.value)


def test_the_connection_does_not_jit_compile_soloml_s_wide_statements(con) -> None:
    """With JIT on, each feature statement over fresh (unanalysed) tables spent seconds compiling (see __init__)."""
    assert con.execute("SHOW jit").fetchone() == ("off",)
