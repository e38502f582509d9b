"""The churn recipe's cutoffs and population temp tables are made the same way on DuckDB and on Postgres (issue 18):
no CREATE OR REPLACE TABLE, any_value or GROUP BY ALL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from features.test_recipes import CHURN_LABELS, shop, spec_for  # noqa: F401 - shop is a fixture
from soloml.canonical.schema import TABLES, create_core_tables
from soloml.features.frame_sql import recipe_frame_query
from soloml.projects.recipes.base import POPULATION_TABLE
from soloml.warehouse.postgres import PostgresConnection
from warehouse.backends import BACKENDS, fresh

CUTOFFS = [datetime(2024, 4, 1), datetime(2024, 5, 1), datetime(2024, 6, 1)]


@pytest.fixture(params=BACKENDS)
def con(request):
    """The `con` the core-row fixtures (add, shop) fill: a fresh database on each backend."""
    with fresh(request.param) as connection:
        yield connection


def test_churn_population_on_each_backend(con, shop) -> None:  # noqa: F811
    for _ in range(2):  # made twice in one session: the second replaces the first
        recipe_frame_query(con, spec_for("churn"), CUTOFFS)
    got = con.execute(f"SELECT entity_id, cutoff, customer_id, email FROM {POPULATION_TABLE}").fetchall()
    assert {(e, f"{c:%Y-%m-%d}") for e, c, _, _ in got} == set(CHURN_LABELS)
    assert all(cid == e and email == f"{e.lower()}@x.com" for e, _, cid, email in got)


def test_churn_training_frame_on_each_backend(con, shop) -> None:  # noqa: F811
    """The whole point-in-time SELECT: population, label and every built-in family."""
    query = recipe_frame_query(con, spec_for("churn"), CUTOFFS)
    cur = con.execute(query.sql)
    names = [d[0] for d in cur.description]
    rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert {(r["entity_id"], f"{r['cutoff']:%Y-%m-%d}"): int(r["label"]) for r in rows} == CHURN_LABELS


def _frame(con) -> dict[tuple[str, str], dict[str, object]]:
    cur = con.execute(recipe_frame_query(con, spec_for("churn"), CUTOFFS).sql)
    names = [d[0] for d in cur.description]
    out = {}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        key = (row.pop("entity_id"), f"{row.pop('cutoff'):%Y-%m-%d}")
        out[key] = {k: round(float(v), 9) if isinstance(v, int | float | Decimal) else v for k, v in row.items()}
    return out


def test_churn_features_on_postgres_equal_duckdb(con, shop) -> None:  # noqa: F811
    """Every feature value of the training frame, Postgres against DuckDB on a copy of the same core rows."""
    if not isinstance(con, PostgresConnection):
        pytest.skip("compares Postgres with DuckDB: nothing to compare on DuckDB alone")
    with fresh("duckdb") as duck:
        create_core_tables(duck)
        for name, table in TABLES.items():
            cols = list(table.column_names)
            rows = con.execute(f"SELECT {', '.join(cols)} FROM core.{name}").fetchall()
            if rows:
                duck.executemany(
                    f"INSERT INTO core.{name} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", rows
                )
        want = _frame(duck)
    got = _frame(con)
    assert got.keys() == want.keys()
    differ = {(k, c): (got[k][c], want[k][c]) for k in want for c in want[k] if got[k][c] != want[k][c]}
    assert not differ, differ
