"""A table of the business's own Postgres or MySQL/MariaDB database loads like a file (real servers)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from soloml.errors import LoadError
from soloml.sources import load_paths
from soloml.sources.databases import redact


@pytest.fixture(params=["postgres", "mysql"])
def server_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def orders_table(server_url):
    """A real table on the server, dropped afterwards."""
    name = f"soloml_orders_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(server_url)
    with engine.begin() as db:
        db.execute(
            sa.text(
                f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, email VARCHAR(100), total NUMERIC(10, 2), "
                f"placed_at TIMESTAMP NULL, shipped_on DATE NULL, note VARCHAR(50))"
            )
        )
        db.execute(
            sa.text(
                f"INSERT INTO {name} VALUES (1, 'a@x.com', 12.50, '2024-01-15 09:30:00', '2024-01-16', '$3.00'), "
                f"(2, 'b@x.com', -4.00, '2024-01-16 10:00:00', NULL, '$4.50')"
            )
        )
    yield server_url, name, engine
    with engine.begin() as db:
        db.execute(sa.text(f"DROP TABLE {name}"))
    engine.dispose()


def test_a_database_table_loads_typed_and_reloads_as_a_no_op(con, orders_table):
    url, name, engine = orders_table
    (result,) = load_paths(con, [url], table=name)
    assert (result.raw_table, result.rows_in, result.rows_loaded, result.status) == (f"raw.{name}", 2, 2, "loaded")
    assert result.source.endswith(f"#{name}")
    rows = con.execute(f"SELECT id, email, total, placed_at, shipped_on, note FROM raw.{name} ORDER BY id").fetchall()
    assert rows == [
        (1, "a@x.com", Decimal("12.50"), datetime(2024, 1, 15, 9, 30), date(2024, 1, 16), Decimal("3.00")),
        (2, "b@x.com", Decimal("-4.00"), datetime(2024, 1, 16, 10), None, Decimal("4.50")),
    ]
    assert load_paths(con, [url], table=name)[0].status == "unchanged"
    with engine.begin() as db:
        db.execute(sa.text(f"INSERT INTO {name} (id, email, total) VALUES (3, 'c@x.com', 1.00)"))
    (changed,) = load_paths(con, [url], table=name)
    assert (changed.status, changed.rows_loaded, changed.rows_skipped) == ("loaded", 1, 2)


def test_a_missing_database_table_is_named_in_the_error(con, server_url):
    with pytest.raises(LoadError, match="no_such_table"):
        load_paths(con, [server_url], table="no_such_table")


def test_passwords_never_reach_messages_or_the_journal():
    shown = redact("postgresql://app:s3cret@db.internal:5432/shop")
    assert "s3cret" not in shown and "db.internal" in shown


@pytest.fixture
def make_table(server_url):
    """Create a uniquely named table from (DDL columns, INSERT values); dropped afterwards."""
    engine = sa.create_engine(server_url)
    made: list[str] = []

    def make(columns: str, values: str) -> tuple[str, str]:
        name = f"soloml_t12a_{uuid.uuid4().hex[:8]}"
        with engine.begin() as db:
            db.execute(sa.text(f"CREATE TABLE {name} ({columns})"))
            db.execute(sa.text(f"INSERT INTO {name} VALUES {values}"))
        made.append(name)
        return server_url, name

    yield make
    with engine.begin() as db:
        for name in made:
            db.execute(sa.text(f"DROP TABLE {name}"))
    engine.dispose()


def test_a_database_column_named_rowid_loads_and_source_rows_are_the_read_order(con, make_table):
    url, name = make_table("rowid INTEGER, name VARCHAR(10)", "(100, 'a'), (200, 'b')")
    (result,) = load_paths(con, [url], table=name)
    assert result.rows_loaded == 2
    rows = con.execute(f"SELECT row_id, name, _source_row FROM raw.{name} ORDER BY row_id").fetchall()
    assert rows == [(100, "a", 1), (200, "b", 2)]


def test_a_decimal_wider_than_38_digits_is_read_as_double_and_the_report_names_the_column(con, make_table):
    url, name = make_table(
        "id INTEGER, big NUMERIC(40, 10)", "(1, 123456789012345678901234567890.0123456789), (2, 1.5)"
    )
    (result,) = load_paths(con, [url], table=name)
    assert result.rows_loaded == 2
    values = dict(con.execute(f"SELECT id, big FROM raw.{name}").fetchall())
    assert values[1] == pytest.approx(1.2345678901234568e29) and values[2] == 1.5
    assert any("'big'" in note and "DOUBLE" in note for note in result.notes), result.notes


def test_a_postgres_numeric_holding_infinity_is_read_as_double_and_the_report_names_the_column(con, postgres_url):
    engine = sa.create_engine(postgres_url)
    name = f"soloml_t12a_{uuid.uuid4().hex[:8]}"
    with engine.begin() as db:
        db.execute(sa.text(f"CREATE TABLE {name} (id INTEGER, ratio NUMERIC)"))
        db.execute(sa.text(f"INSERT INTO {name} VALUES (1, 'Infinity'), (2, 0.25), (3, '-Infinity'), (4, 'NaN')"))
    try:
        (result,) = load_paths(con, [postgres_url], table=name)
    finally:
        with engine.begin() as db:
            db.execute(sa.text(f"DROP TABLE {name}"))
        engine.dispose()
    values = dict(con.execute(f"SELECT id, ratio FROM raw.{name}").fetchall())
    assert values[1] == float("inf") and values[2] == 0.25 and values[3] == float("-inf") and values[4] != values[4]
    assert any("'ratio'" in note and "DOUBLE" in note for note in result.notes), result.notes


def test_a_reload_with_larger_amounts_keeps_every_digit(con, make_table):
    url, name = make_table("id INTEGER, total NUMERIC(12, 2)", "(1, 12.50), (2, -4.00)")
    load_paths(con, [url], table=name)
    engine = sa.create_engine(url)
    with engine.begin() as db:
        db.execute(sa.text(f"INSERT INTO {name} VALUES (3, 1234567.89)"))
    engine.dispose()
    (result,) = load_paths(con, [url], table=name)
    assert (result.status, result.rows_loaded) == ("loaded", 1)
    assert con.execute(f"SELECT total FROM raw.{name} WHERE id = 3").fetchone()[0] == Decimal("1234567.89")
