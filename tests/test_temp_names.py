"""Issue 13: temporary tables and registered frames get unique names, so operations sharing a connection never collide."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from soloml.temp_names import PREFIX, registered, temp_table, unique_name


def _temp_objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every temporary table or view soloml left on the connection (registered frames are temp views)."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal"
    ).fetchall()
    return sorted(name for (name,) in rows if name.startswith(PREFIX))


def _operation(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame):
    """One operation, paused half-way (a generator) so another can run on the same connection in between."""
    with registered(con, frame, "scored") as rows:
        yield
        with temp_table(con, "totals", f"SELECT sum(amount) AS total FROM {rows}") as totals:
            yield
            yield con.execute(f"SELECT total FROM {totals}").fetchone()[0]


def test_two_interleaved_operations_on_one_connection_each_see_their_own_rows_and_leave_nothing():
    con = duckdb.connect(":memory:")
    try:
        first = _operation(con, pd.DataFrame({"amount": [1.0, 2.0]}))
        second = _operation(con, pd.DataFrame({"amount": [10.0, 20.0, 30.0]}))
        next(first)
        next(second)  # registers its frame while the first one's is still in use
        next(first)
        next(second)
        assert (next(first), next(second)) == (3.0, 60.0)
        assert len(_temp_objects(con)) == 4  # both operations' frames and tables, under four names
        first.close()
        second.close()
        assert _temp_objects(con) == []
    finally:
        con.close()


def test_a_failing_operation_still_removes_its_temp_table_and_frame():
    con = duckdb.connect(":memory:")
    try:
        with pytest.raises(duckdb.BinderException, match="no_such_column"):  # noqa: SIM117 - the frame outlives the table
            with registered(con, pd.DataFrame({"a": [1]}), "rows") as rows:
                with temp_table(con, "broken", f"SELECT a FROM {rows}") as table:
                    con.execute(f"SELECT no_such_column FROM {table}")
        assert _temp_objects(con) == []
    finally:
        con.close()


def test_a_temp_table_in_a_failed_transaction_raises_the_blocks_error_not_the_cleanup_error():
    con = duckdb.connect(":memory:")
    try:
        con.begin()
        with (
            pytest.raises(duckdb.BinderException, match="no_such_column"),
            temp_table(con, "t", "SELECT 1 AS a") as table,
        ):
            con.execute(f"SELECT no_such_column FROM {table}")
        con.rollback()
        assert _temp_objects(con) == []
    finally:
        con.close()


def test_unique_names_are_plain_identifiers_that_differ_each_time():
    names = {unique_name("New exposures!") for _ in range(50)}
    assert len(names) == 50
    assert all(n.startswith("_soloml_new_exposures_") and n.replace("_", "").isalnum() for n in names)
