"""Which tables exist and which carry load ids is read from information_schema, the same on DuckDB and Postgres
(issue 18): feature building finds core.* and the loads a training set came from on either warehouse."""

from __future__ import annotations

import pytest

from soloml.canonical.schema import create_core_tables
from soloml.features.build import read_load_ids
from soloml.features.cutoffs import present_tables
from warehouse.backends import BACKENDS, fresh


@pytest.mark.parametrize("backend", BACKENDS)
def test_tables_and_load_ids_on_each_backend(backend: str) -> None:
    with fresh(backend) as con:
        create_core_tables(con)
        con.execute("INSERT INTO core.customers (customer_id, _load_id) VALUES ('c1', 'load-2'), ('c2', 'load-1')")
        con.execute(
            "INSERT INTO core.orders (order_id, source, ordered_at, _load_id) VALUES ('o1', 's', TIMESTAMP '2024-01-01', 'load-3')"
        )
        con.execute("CREATE VIEW core.recent AS SELECT * FROM core.orders")
        present = present_tables(con)
        ids = read_load_ids(con, ("customers", "orders", "recent", "payments"))
    assert {"core.customers", "core.orders", "core.payments"} <= present and "core.recent" not in present
    assert ids == ("load-1", "load-2", "load-3")  # sorted, each once; the view is not read twice
