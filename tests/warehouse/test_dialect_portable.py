"""The portable SQL pieces in warehouse/dialect.py give the same answer on DuckDB and on Postgres (issue 18)."""

from __future__ import annotations

import re
import sys
import unicodedata

import duckdb
import pytest

from soloml.canonical.identity_keys import name_key_sql
from soloml.warehouse.dialect import accent_table, first_non_null, numbered_params
from warehouse.backends import BACKENDS, fresh

ROWS = [("o1", 1, None), ("o1", 2, "b"), ("o1", 3, "a"), ("o2", 4, None), ("o3", 5, "z")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_first_non_null_is_the_first_value_by_order_skipping_nulls(backend: str) -> None:
    with fresh(backend) as con:
        con.execute("CREATE TABLE t (g VARCHAR, r INTEGER, x VARCHAR)")
        for row in ROWS:
            con.execute("INSERT INTO t VALUES (?, ?, ?)", list(row))
        got = con.execute(f"SELECT r, {first_non_null('x', 'g', 'r')} AS f FROM t ORDER BY r").fetchall()
    assert got == [(1, "b"), (2, "b"), (3, "b"), (4, None), (5, "z")]  # every row of the group, NULL where all are


PICKS = [("g1", "a", 1), ("g1", None, 5), ("g1", "b", None), ("g1", "c", 2), ("g2", None, 1), ("g3", "z", 7)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_arg_max_and_arg_min_skip_null_rows_and_keep_their_filter(backend: str) -> None:
    """Postgres has neither: dialect.transpile writes them as an ordered array_agg (DuckDB keeps its own)."""
    with fresh(backend) as con:
        con.execute("CREATE TABLE t (g VARCHAR, x VARCHAR, y INTEGER)")
        for row in PICKS:
            con.execute("INSERT INTO t VALUES (?, ?, ?)", list(row))
        got = con.execute(
            "SELECT g, arg_max(x, y), arg_min(x, y), arg_max(x, y) FILTER (WHERE y < 2) FROM t GROUP BY g ORDER BY g"
        ).fetchall()
    # g1: the row with y = 5 has no x, the one with x = 'b' no y: both are skipped
    assert got == [("g1", "c", "a", "a"), ("g2", None, None, None), ("g3", "z", "z", None)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_create_or_replace_table_replaces_on_each_backend(backend: str) -> None:
    """Postgres has no CREATE OR REPLACE TABLE: dialect.transpile writes DROP TABLE IF EXISTS + CREATE TABLE."""
    with fresh(backend) as con:
        con.execute("CREATE SCHEMA s")
        for n in (1, 2):  # the second replaces the first, columns and rows
            con.execute(f"CREATE OR REPLACE TABLE s.t AS SELECT {n} AS a, 'v{n}' AS b{n}")
            con.execute(f"CREATE OR REPLACE TEMP TABLE _soloml_t AS SELECT {n} * 10 AS c")
        assert con.execute("SELECT * FROM s.t").fetchall() == [(2, "v2")]
        assert [d[0] for d in con.execute("SELECT * FROM s.t").description] == ["a", "b2"]
        assert con.execute("SELECT c FROM _soloml_t").fetchall() == [(20,)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_group_by_all_groups_by_the_plain_columns_on_each_backend(backend: str) -> None:
    """Postgres has no GROUP BY ALL: dialect.transpile names the select expressions that are not aggregates."""
    with fresh(backend) as con:
        con.execute("CREATE TABLE t (g VARCHAR, x VARCHAR, y INTEGER)")
        for row in PICKS:
            con.execute("INSERT INTO t VALUES (?, ?, ?)", list(row))
        got = con.execute(
            "SELECT upper(g) AS big, 'k' AS k, 7 AS seven, count(*) AS n, max(y) + 1 AS top "
            "FROM t GROUP BY ALL ORDER BY big"
        ).fetchall()
    assert got == [("G1", "k", 7, 4, 6), ("G2", "k", 7, 1, 2), ("G3", "k", 7, 1, 8)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_unnamed_subqueries_in_from_run_on_each_backend(backend: str) -> None:
    """Postgres before 16 wants every subquery in FROM named: dialect.transpile names the ones DuckDB SQL leaves bare."""
    with fresh(backend) as con:
        got = con.execute(
            "SELECT a, b FROM (SELECT 1 AS a UNION ALL SELECT 2) JOIN (SELECT 2 AS a, 'two' AS b) USING (a) WHERE a > 0"
        ).fetchall()
    assert got == [(2, "two")]


NAMES = ["Zoë  O'Neil", "JOSÉ Núñez", "Jose\u0301 Nun\u0303ez", "Ægir Øster", "Ann Lee", "Łukasz Żółć", None]


@pytest.mark.parametrize("backend", BACKENDS)
def test_strip_accents_and_contains_give_the_same_name_keys_on_each_backend(backend: str) -> None:
    """Postgres has strip_accents only in the `unaccent` extension (not installed here) and no contains():
    dialect.transpile writes translate() over a fixed accent table and strpos()."""
    with fresh(backend) as con:
        con.execute("CREATE TABLE t (i INTEGER, name VARCHAR)")
        for i, name in enumerate(NAMES):
            con.execute("INSERT INTO t VALUES (?, ?)", [i, name])
        got = con.execute(
            f"SELECT {name_key_sql('name')}, strip_accents(name), contains(name, ' ') FROM t ORDER BY i"
        ).fetchall()
    assert [g[0] for g in got] == [
        "zoe o neil",
        "jose nunez",
        "jose nunez",
        "gir ster",  # æ and ø have no decomposition: dropped as punctuation on both
        "ann lee",
        "ukasz zo c",  # ł neither (so it splits the word); ż, ó and ć do
        None,
    ]
    assert got[1][1:] == ("JOSE Nunez", True) and got[3][1] == "Ægir Øster"


def test_the_accent_table_strips_what_duckdb_strip_accents_strips():
    """Every character Python's Unicode tables know (the ones the table is built from): DuckDB's strip_accents
    and the translate() the other warehouses run give the same text, wherever the name key could tell them apart
    (a plain letter or nothing); a character either leaves unchanged or makes into another non-ASCII one is
    punctuation to the name key on both."""
    letters, plain, marks = accent_table()
    table = str.maketrans(letters, plain, marks)  # what translate(ch, letters + marks, plain) does, per character
    stripped = (
        duckdb.connect()
        .execute(
            "SELECT ch, strip_accents(ch) FROM (SELECT chr(CAST(range AS INTEGER)) AS ch FROM range(128, 55296) "
            "UNION ALL SELECT chr(CAST(range AS INTEGER)) FROM range(57344, ?)) WHERE strip_accents(ch) <> ch",
            [sys.maxunicode + 1],
        )
        .fetchall()
    )
    known = set(letters + marks)
    telling = [
        (hex(ord(ch)), duck, ch.translate(table))
        for ch, duck in stripped
        if unicodedata.category(ch) != "Cn"  # newer than Python's Unicode: not in the table
        and duck != ch.translate(table)
        and (re.fullmatch("[A-Za-z]?", duck) or re.fullmatch("[A-Za-z]?", ch.translate(table)))
    ]
    assert known <= {ch for ch, _ in stripped}  # nothing in the table that DuckDB leaves alone
    assert telling == []
    assert len(letters) == len(plain) > 400 and len(marks) > 2000


@pytest.mark.parametrize("backend", BACKENDS)
def test_named_parameters_are_numbered_for_each_backend(backend: str) -> None:
    """DuckDB binds `$name`; the Postgres warehouse binds `?` and `$n` only: numbered_params gives `$1`, `$2`..."""
    sql, values = numbered_params(
        "SELECT CAST($b AS INTEGER) * 10 + CAST($a AS INTEGER), CAST($b AS INTEGER), '$a'", {"a": 1, "b": 2, "c": 3}
    )
    assert sql == "SELECT CAST($1 AS INTEGER) * 10 + CAST($2 AS INTEGER), CAST($1 AS INTEGER), '$2'"
    assert values == [2, 1]  # in the order first used; "c" unused, so not passed
    with fresh(backend) as con:
        assert con.execute(sql, values).fetchall()[0][:2] == (21, 2)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_order_free_row_hash_of_a_table_sees_any_changed_value_on_each_backend(backend: str) -> None:
    """features/cache.py fingerprints a table by `bit_xor(hash(t))`; Postgres has no hash(): REWRITES writes it as
    hashtextextended of the row's text. The numbers differ per warehouse; what must hold is the same on both."""
    digest = "SELECT count(*), bit_xor(hash(t)) FROM s.t t"
    with fresh(backend) as con:
        con.execute("CREATE SCHEMA s")
        con.execute("CREATE TABLE s.t (g VARCHAR, x VARCHAR, y INTEGER)")
        for row in PICKS:
            con.execute("INSERT INTO s.t VALUES (?, ?, ?)", list(row))
        first = con.execute(digest).fetchone()
        con.execute("CREATE TABLE s.u AS SELECT * FROM s.t ORDER BY y DESC NULLS FIRST")  # the same rows, reordered
        reordered = con.execute(digest.replace("s.t", "s.u")).fetchone()
        con.execute("UPDATE s.t SET y = 6 WHERE y = 5")
        changed = con.execute(digest).fetchone()
    assert first is not None and first[0] == len(PICKS) and first[1] is not None
    assert reordered == first
    assert changed is not None and changed[0] == first[0] and changed[1] != first[1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_difference_in_days_is_a_bigint_on_each_backend(backend: str) -> None:
    """date_diff('day', ...) is BIGINT on DuckDB; sqlglot writes a date subtraction for Postgres (an INTEGER), which
    REWRITES casts, so a training set's day counts have the same type on both (Int64 in pandas)."""
    with fresh(backend) as con:
        got = con.execute(
            "SELECT date_diff('day', TIMESTAMP '2026-01-01 10:00:00', TIMESTAMP '2026-03-01 09:00:00') AS d, "
            "date_diff('day', DATE '2026-03-01', DATE '2026-01-01') AS back"
        ).df()
    assert got.to_dict("records") == [{"d": 59, "back": -59}]
    assert [str(t) for t in got.dtypes] in (["int64", "int64"], ["Int64", "Int64"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_describe_names_columns_and_types_as_duckdb_does_on_each_backend(backend: str) -> None:
    """warehouse.tables.describe: DESCRIBE on DuckDB; Postgres has none, so PostgresConnection.describe reads the
    types of a query that returns no row and names them as DuckDB does (callers branch on VARCHAR, TIMESTAMP...)."""
    from soloml.warehouse.tables import describe

    with fresh(backend) as con:
        con.execute("CREATE SCHEMA s")
        con.execute(
            "CREATE TABLE s.t (i INTEGER, b BIGINT, d DOUBLE, v VARCHAR, day DATE, seen_at TIMESTAMP, ok BOOLEAN, "
            "m DECIMAL(12,2), j JSON)"
        )
        table = describe(con, "s.t")
        query = describe(con, "(SELECT v AS name, count(*) AS n FROM s.t GROUP BY v) q")
    assert table == [
        ("i", "INTEGER"),
        ("b", "BIGINT"),
        ("d", "DOUBLE"),
        ("v", "VARCHAR"),
        ("day", "DATE"),
        ("seen_at", "TIMESTAMP"),
        ("ok", "BOOLEAN"),
        ("m", "DECIMAL(12,2)"),
        ("j", "JSON"),
    ]
    assert query == [("name", "VARCHAR"), ("n", "BIGINT")]
