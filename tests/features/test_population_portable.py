"""The churn recipe's cutoffs and population temp tables are made the same way on DuckDB and on Postgres (issue 18):
no CREATE OR REPLACE TABLE, any_value or GROUP BY ALL."""

from __future__ import annotations

from datetime import datetime

import pytest

from features.test_recipes import CHURN_LABELS, shop, spec_for  # noqa: F401 - shop is a fixture
from soloml.features.frame_sql import recipe_frame_query
from soloml.projects.recipes.base import POPULATION_TABLE
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
