"""Every SQL statement a demo-sized cycle issues transpiles to Postgres, BigQuery and Snowflake, or is explained.

The statements are captured by DuckDB itself (its query log, written to a file by every connection the cycle
opens), so nothing soloml runs escapes and nothing is wrapped that could change behaviour.
"""

from __future__ import annotations

import csv
import gc
from pathlib import Path

import duckdb
import pytest
from sqlglot.errors import SqlglotError

from soloml.demo.walkthrough import run_demo
from soloml.warehouse.dialect import CONSTRUCTS, TARGETS, constructs_in, transpile

SRC = Path(__file__).resolve().parents[2] / "src" / "soloml"


@pytest.fixture(scope="module")
def statements(tmp_path_factory) -> set[str]:
    logs = tmp_path_factory.mktemp("querylog")
    real = duckdb.connect

    def logged(*args, **kwargs):
        con = real(*args, **kwargs)
        con.execute(f"CALL enable_logging('QueryLog', storage = 'file', storage_path = '{logs}')")
        return con

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(duckdb, "connect", logged)
        run_demo(tmp_path_factory.mktemp("demo") / "bluebird", customers=300, json=True)
    gc.collect()  # connections left to the garbage collector flush their log too
    csv.field_size_limit(1 << 30)
    seen: set[str] = set()
    with open(logs / "duckdb_log_entries.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("type") == "QueryLog" and "enable_logging" not in row["message"]:
                seen.add(row["message"])
    assert len(seen) > 100, "the query log caught too little: is DuckDB's QueryLog still written to file?"
    return seen


@pytest.fixture(scope="module")
def failures(statements) -> dict[tuple[str, str], str]:
    out = {}
    for sql in sorted(statements):
        for to in TARGETS:
            try:
                transpile(sql, to)
            except SqlglotError as exc:
                out[(sql, to)] = str(exc).splitlines()[0]
    return out


def test_every_statement_transpiles_or_is_a_listed_construct(failures):
    unexplained = [
        f"{to}: {err}\n    {sql[:300]}"
        for (sql, to), err in failures.items()
        if not any(to in c.fails for c in constructs_in(sql))
    ]
    assert not unexplained, (
        "statements sqlglot cannot transpile and no dialect.CONSTRUCTS entry explains:\n" + "\n".join(unexplained)
    )


def test_every_statement_soloml_sends_a_warehouse_transpiles_to_each_target_without_error(failures):
    """Issue 18: what soloml sends a warehouse (not the local DuckDB engine that reads and types files) transpiles
    to Postgres, BigQuery and Snowflake without error; the rest fails only by a construct marked local_only."""
    for_warehouses = [
        f"{to}: {err}\n    {sql[:300]}"
        for (sql, to), err in failures.items()
        if not any(to in c.fails and c.local_only for c in constructs_in(sql))
    ]
    assert not for_warehouses, "statements for a warehouse that do not transpile:\n" + "\n".join(for_warehouses)


def test_regexp_replace_means_every_match_or_the_first_on_each_target():
    every = "SELECT regexp_replace(x, '[^0-9]', '', 'g') FROM t"
    first = "SELECT regexp_replace(x, ' ?UTC$', 'Z') FROM t"
    assert transpile(every, "bigquery") == ["SELECT REGEXP_REPLACE(x, '[^0-9]', '') FROM t"]
    assert transpile(every, "snowflake") == ["SELECT REGEXP_REPLACE(x, '[^0-9]', '', 1, 0) FROM t"]
    assert transpile(first, "snowflake") == ["SELECT REGEXP_REPLACE(x, ' ?UTC$', 'Z', 1, 1) FROM t"]
    assert transpile(every, "postgres") == ["SELECT REGEXP_REPLACE(x, '[^0-9]', '', 'g') FROM t"]
    assert duckdb.connect().execute("SELECT regexp_replace('a1b2', '[^0-9]', '', 'g')").fetchone() == ("12",)


def test_no_construct_is_marked_failing_where_it_does_not(failures):
    stale = [
        f"{c.name} -> {to}"
        for c in CONSTRUCTS
        for to in c.fails
        if not any(t == to and c.found_in(sql) for (sql, t) in failures)
    ]
    assert not stale, f"dialect.CONSTRUCTS marks these as failing, but no captured statement fails there: {stale}"


def test_the_cycle_used_the_constructs_it_lists(statements):
    """A construct no statement of the cycle uses must at least still be in the modules it names (next test)."""
    used = {c.name for c in CONSTRUCTS if any(c.found_in(s) for s in statements)}
    assert len(used) >= len(CONSTRUCTS) // 2


def test_each_construct_is_still_used_where_the_list_says():
    stale = [
        f"{c.name}: {w}" for c in CONSTRUCTS for w in c.where if not c.found_in((SRC / w).read_text(encoding="utf-8"))
    ]
    assert not stale, f"dialect.CONSTRUCTS names modules that no longer use the construct: {stale}"
    assert all(c.where and c.portable for c in CONSTRUCTS)


def test_transpile_refuses_what_a_target_cannot_express():
    [written] = transpile("SELECT x::VARCHAR, strftime(d, '%Y-%m') FROM t", "postgres")
    assert "::" not in written and "CAST(x AS" in written and "TO_CHAR(" in written.upper()
    with pytest.raises(SqlglotError):
        transpile("SELECT * EXCLUDE (a) FROM t", "postgres")
