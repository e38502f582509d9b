"""Write-back of predictions: a staging table then one atomic swap; a failure leaves the old table intact."""

from __future__ import annotations

import secrets
from datetime import datetime

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from soloml.deploy.writeback import COLUMNS, default_table, safe_url, write_back
from soloml.errors import DeployError


def predictions(run_id: str, n: int, *, score_start: float = 0.0) -> pd.DataFrame:
    scores = [score_start + i / (10 * n) for i in range(n)]
    return pd.DataFrame(
        {
            "run_id": run_id,
            "project": "churn",
            "model_version": "v0001",
            "entity_id": [f"cus_{i:04d}" for i in range(n)],
            "source_system": "stripe",
            "source_id": [f"cus_S{i:04d}" for i in range(n)],
            "email": [f"buyer{i}@example.com" if i % 3 else None for i in range(n)],
            "score": scores,
            "decision": [s >= 0.05 for s in scores],
            "rank": list(range(n, 0, -1)),
            "top_reasons": ['["2 failed payments in the last 30 days"]'] * n,
            "scored_at": datetime(2026, 11, 2, 6, 0),
        }
    )


def broken_halfway(run_id: str, n: int) -> pd.DataFrame:
    """Rows the database accepts, then one with text in the score column: the insert fails part-way."""
    frame = predictions(run_id, n).astype({"score": object})
    frame.loc[n - 1, "score"] = "not a number"
    return frame


def read_table(url: str, table: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(f"SELECT * FROM {table} ORDER BY entity_id"), conn)
    finally:
        engine.dispose()


def tables_named_like(url: str, stem: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        return [t for t in sa.inspect(engine).get_table_names() if t.startswith(stem)]
    finally:
        engine.dispose()


def drop(url: str, table: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    finally:
        engine.dispose()


@pytest.fixture(params=["postgres", "mariadb"])
def server_url(request: pytest.FixtureRequest) -> str:
    url = request.getfixturevalue("postgres_url" if request.param == "postgres" else "mysql_url")
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


@pytest.fixture
def table_name(server_url: str):
    name = f"soloml_test_{secrets.token_hex(4)}"
    yield name
    for leftover in tables_named_like(server_url, name):
        drop(server_url, leftover)


def test_write_back_lands_every_row_in_the_business_database(server_url: str, table_name: str):
    result = write_back(server_url, predictions("run-1", 120), table=table_name, chunk_rows=50)
    stored = read_table(server_url, table_name)
    assert result.rows == 120 and result.table == table_name
    assert list(stored.columns) == list(COLUMNS)
    assert len(stored) == 120
    assert stored["entity_id"].tolist() == [f"cus_{i:04d}" for i in range(120)]
    assert stored["score"].tolist() == pytest.approx(predictions("run-1", 120)["score"].tolist())
    assert set(stored["run_id"]) == {"run-1"}


def test_rerunning_the_same_run_replaces_rows_instead_of_adding(server_url: str, table_name: str):
    write_back(server_url, predictions("run-1", 30), table=table_name)
    write_back(server_url, predictions("run-1", 30), table=table_name)
    assert len(read_table(server_url, table_name)) == 30


def test_a_new_run_swaps_in_whole(server_url: str, table_name: str):
    write_back(server_url, predictions("run-1", 30), table=table_name)
    write_back(server_url, predictions("run-2", 10, score_start=0.5), table=table_name)
    stored = read_table(server_url, table_name)
    assert set(stored["run_id"]) == {"run-2"} and len(stored) == 10
    assert tables_named_like(server_url, table_name) == [table_name]


def test_failure_half_way_leaves_the_previous_table_intact(server_url: str, table_name: str):
    write_back(server_url, predictions("run-1", 40), table=table_name)
    before = read_table(server_url, table_name)
    with pytest.raises(DeployError, match="previous .* is unchanged"):
        write_back(server_url, broken_halfway("run-2", 200), table=table_name, chunk_rows=50)
    pd.testing.assert_frame_equal(read_table(server_url, table_name), before)
    assert tables_named_like(server_url, table_name) == [table_name], "the staging table must be dropped"


def test_failure_on_first_write_creates_no_table(server_url: str, table_name: str):
    with pytest.raises(DeployError):
        write_back(server_url, broken_halfway("run-1", 20), table=table_name, chunk_rows=5)
    assert tables_named_like(server_url, table_name) == []


def test_write_back_into_a_schema_qualified_table(postgres_url: str):
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"crm_{secrets.token_hex(3)}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        write_back(url, predictions("run-1", 5), table=f"{schema}.churn_scores")
        write_back(url, predictions("run-2", 7), table=f"{schema}.churn_scores")
        assert len(read_table(url, f"{schema}.churn_scores")) == 7
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def test_duckdb_file_target_swaps_atomically(tmp_path):
    path = tmp_path / "app.duckdb"
    write_back(f"duckdb:///{path}", predictions("run-1", 25), project="churn")
    with pytest.raises(DeployError, match="unchanged"):
        write_back(f"duckdb:///{path}", broken_halfway("run-2", 25), project="churn")
    con = duckdb.connect(str(path))
    try:
        rows = con.execute(f"SELECT run_id, count(*) FROM {default_table('churn')} GROUP BY ALL").fetchall()
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    finally:
        con.close()
    assert rows == [("run-1", 25)]
    assert tables == [default_table("churn")]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_file_target_is_replaced_whole(tmp_path, suffix: str):
    path = tmp_path / f"scores{suffix}"
    write_back(str(path), predictions("run-1", 12))
    write_back(str(path), predictions("run-2", 3))
    stored = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
    assert stored["run_id"].tolist() == ["run-2"] * 3
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


@pytest.mark.parametrize(
    ("target", "table", "message"),
    [
        ("scores.xlsx", None, "must end in .csv or .parquet"),
        ("postgresql+psycopg://u@127.0.0.1:1/x", "bad name; drop", "not a usable table name"),
        ("nosuchdriver://u@h/db", "t", "Cannot use 'nosuchdriver://u@h/db'"),
    ],
)
def test_bad_targets_get_a_clear_error(tmp_path, target: str, table: str | None, message: str):
    if "://" not in target:
        target = str(tmp_path / target)
    with pytest.raises(DeployError, match=message):
        write_back(target, predictions("run-1", 2), table=table)


def test_unreachable_database_names_the_target_without_its_password():
    with pytest.raises(DeployError) as info:
        write_back("postgresql+psycopg://crm:s3cret@127.0.0.1:1/app", predictions("r", 2), table="t")
    assert "s3cret" not in str(info.value) and "crm:***@127.0.0.1:1/app" in str(info.value)
    assert safe_url("mysql+pymysql://root:pw@h/db") == "mysql+pymysql://root:***@h/db"
