"""The table profile: the same facts DuckDB's SUMMARIZE gives, computed in one SQL pass, plus text parse shares."""

from __future__ import annotations

import json

import pytest

from soloml.readiness.profile import profile_table, profile_tables
from soloml.warehouse import connect


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = connect(tmp_path_factory.mktemp("profile") / "warehouse.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def table(con):
    con.execute("""
        CREATE TABLE raw.mixed AS SELECT
            range AS n,
            CASE WHEN range % 3 = 0 THEN NULL ELSE 'v' || (range % 5) END AS s,
            CASE WHEN range % 10 = 0 THEN 'n/a' ELSE CAST(range * 1.5 AS VARCHAR) END AS amount_text,
            CASE WHEN range % 4 = 0 THEN '' ELSE strftime(DATE '2024-01-01' + CAST(range AS INTEGER), '%m/%d/%Y') END AS day_text,
            'same' AS constant,
            CAST(NULL AS DOUBLE) AS empty,
            'L1' AS _load_id
        FROM range(1000)
    """)
    return "raw.mixed"


def test_profile_agrees_with_duckdb_summarize(con, table):
    profile = profile_table(con, table)
    summary = {
        r[0]: r
        for r in con.execute(
            f"SELECT column_name, min, max, approx_unique, null_percentage FROM (SUMMARIZE {table})"
        ).fetchall()
    }
    assert profile.rows == 1000
    for col in profile.columns:
        _, low, high, unique, null_pct = summary[col.name]
        assert str(col.minimum) == str(low) or low is None
        assert str(col.maximum) == str(high) or high is None
        assert col.distinct == pytest.approx(unique, rel=0.05, abs=1)
        if col.kind != "text":  # SUMMARIZE counts only NULL as missing; the profile also counts blank text
            assert col.missing_share * 100 == pytest.approx(float(null_pct), abs=0.01)


@pytest.mark.parametrize(
    ("column", "fact", "expected"),
    [
        ("n", "mean", 499.5),
        ("s", "missing", 334),
        ("s", "distinct", 5),
        ("day_text", "missing", 250),  # blank text is missing
        ("amount_text", "numbers_share", 0.9),
        ("day_text", "dates_share", 1.0),
        ("constant", "constant", True),
        ("empty", "all_missing", True),
        ("n", "constant", False),
    ],
)
def test_profile_facts(con, table, column, fact, expected):
    assert getattr(profile_table(con, table).column(column), fact) == pytest.approx(expected, abs=0.01)


def test_lineage_columns_are_left_out_and_facts_are_plain_json(con, table):
    profile = profile_table(con, table)
    assert "_load_id" not in [c.name for c in profile.columns]
    facts = json.loads(json.dumps(profile.to_facts()))
    assert facts["rows"] == 1000 and facts["columns"][0]["name"] == "n"


def test_an_unknown_column_names_the_columns_that_exist(con, table):
    from soloml.errors import WarehouseError

    with pytest.raises(WarehouseError, match="Did you mean 'amount_text'"):
        profile_table(con, table).column("amount_txt")


def test_every_raw_and_core_table_is_profiled_in_order(con, table):
    con.execute("CREATE OR REPLACE TABLE core.extra AS SELECT 1 AS x")
    names = [p.table for p in profile_tables(con)]
    assert names.index("raw.mixed") < names.index("core.extra")
