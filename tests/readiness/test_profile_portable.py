"""The readiness profile of a table is the same on DuckDB and on the Postgres warehouse (issue 18)."""

from __future__ import annotations

import pytest

from soloml.readiness.profile import profile_table
from warehouse.backends import BACKENDS, fresh

ROWS = [(1, "a", 2.5, "2024-01-03"), (2, "b", None, "2024-02-01"), (3, "a", 4.5, None), (4, None, 1.0, "2024-01-10")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_profile_counts_filled_distinct_and_ranges_on_each_backend(backend: str) -> None:
    with fresh(backend) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute("CREATE TABLE raw.t (id INTEGER, plan VARCHAR, amount DOUBLE, seen DATE)")
        for row in ROWS:
            con.execute("INSERT INTO raw.t VALUES (?, ?, ?, CAST(? AS DATE))", list(row))
        p = profile_table(con, "raw.t")
    assert p.rows == 4
    got = {c.name: (c.filled, c.distinct, str(c.minimum), str(c.maximum)) for c in p.columns}
    assert got == {
        "id": (4, 4, "1", "4"),
        "plan": (3, 2, "a", "b"),
        "amount": (3, 3, "1.0", "4.5"),
        "seen": (3, 3, "2024-01-03", "2024-02-01"),
    }
