"""The churn recipe's cutoffs and population temp tables are made the same way on DuckDB and on Postgres (issue 18):
no CREATE OR REPLACE TABLE, any_value or GROUP BY ALL."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from features.conftest import insert_rows
from features.test_recipes import CHURN_LABELS, shop, spec_for  # noqa: F401 - shop is a fixture
from soloml.canonical.schema import TABLES, create_core_tables
from soloml.features.frame_sql import recipe_frame_query
from soloml.projects.recipes.base import POPULATION_TABLE
from soloml.warehouse.postgres import PostgresConnection
from warehouse.backends import BACKENDS, fresh

D = datetime.fromisoformat
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


CRM_CONTACTS = [
    {
        "contact_id": "hubspot:1",
        "customer_id": "A",
        "email": "a@x.com",
        "lifecycle_stage": "customer",
        "lead_source": "ads",
        "created_at": D("2023-11-01"),
        "became_customer_at": D("2024-01-10"),
    },
    {
        "contact_id": "hubspot:2",
        "email": "lead@x.com",
        "lifecycle_stage": "lead",
        "lead_source": "referral",
        "created_at": D("2024-02-01"),
        "stage_changed_at": D("2024-03-01"),
    },
    {
        "contact_id": "hubspot:3",
        "email": "late@x.com",
        "lifecycle_stage": "customer",
        "created_at": D("2024-03-05"),
        "became_customer_at": D("2024-05-10"),
    },  # converts within the horizon of the 05-01 cutoff
]
CRM_DEALS = [
    {"deal_id": "hubspot:d1", "contact_id": "hubspot:2", "amount": 500, "stage": "open", "created_at": D("2024-03-10")},
    {
        "deal_id": "hubspot:d2",
        "contact_id": "hubspot:3",
        "customer_id": "A",
        "amount": 900,
        "stage": "won",
        "won": True,
        "created_at": D("2024-03-10"),
        "closed_at": D("2024-04-20"),
    },
]
EMAILS = [
    {"event_id": f"e{i}", "customer_id": "A", "email": "a@x.com", "event_type": kind, "occurred_at": D(when)}
    for i, (kind, when) in enumerate([("sent", "2024-03-01"), ("open", "2024-03-02"), ("click", "2024-04-15")])
]


def _frame(con, recipe: str) -> dict[tuple[str, str], dict[str, object]]:
    cur = con.execute(recipe_frame_query(con, spec_for(recipe), CUTOFFS).sql)
    names = [d[0] for d in cur.description]
    out = {}
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        key = (row.pop("entity_id"), f"{row.pop('cutoff'):%Y-%m-%d}")
        out[key] = {k: round(float(v), 9) if isinstance(v, int | float | Decimal) else v for k, v in row.items()}
    return out


@pytest.mark.parametrize("recipe", ["churn", "buy_again", "spend", "conversion"])
def test_features_on_postgres_equal_duckdb(con, shop, recipe: str) -> None:  # noqa: F811
    """Every label and feature value of a recipe's training frame, Postgres against DuckDB on a copy of the same rows."""
    if not isinstance(con, PostgresConnection):
        pytest.skip("compares Postgres with DuckDB: nothing to compare on DuckDB alone")
    insert_rows(con, "contacts", [{"source": "hubspot", **c} for c in CRM_CONTACTS])
    insert_rows(con, "deals", [{"source": "hubspot", **d} for d in CRM_DEALS])
    insert_rows(con, "marketing_events", EMAILS)
    with fresh("duckdb") as duck:
        create_core_tables(duck)
        for name, table in TABLES.items():
            cols = list(table.column_names)
            rows = con.execute(f"SELECT {', '.join(cols)} FROM core.{name}").fetchall()
            if rows:
                duck.executemany(
                    f"INSERT INTO core.{name} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})", rows
                )
        want = _frame(duck, recipe)
    got = _frame(con, recipe)
    assert want and got.keys() == want.keys()
    differ = {(k, c): (got[k][c], want[k][c]) for k in want for c in want[k] if got[k][c] != want[k][c]}
    assert not differ, differ
