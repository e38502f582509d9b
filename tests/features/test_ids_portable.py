"""Business ids of contacts are read the same way on DuckDB and on Postgres (issue 18): no any_value, no text slices."""

from __future__ import annotations

import pytest

from features.conftest import insert_rows
from soloml.canonical.schema import create_core_tables
from soloml.features.ids import CONTACTS, WANTED
from warehouse.backends import BACKENDS, fresh


@pytest.mark.parametrize("backend", BACKENDS)
def test_contact_ids_lose_their_source_prefix(backend: str) -> None:
    with fresh(backend) as con:
        create_core_tables(con)
        insert_rows(
            con,
            "contacts",
            [
                {"contact_id": "hubspot:501", "source": "hubspot", "email": "a@x.com"},
                {"contact_id": "9", "source": "crm", "email": None},
            ],
        )
        con.execute("CREATE TABLE wanted (entity_id VARCHAR)")
        for e in ("hubspot:501", "9", "missing"):
            con.execute("INSERT INTO wanted VALUES (?)", [e])
        got = con.execute(CONTACTS.replace(WANTED, "wanted") + " ORDER BY 1").fetchall()
    assert got == [("9", "crm", "9", None), ("hubspot:501", "hubspot", "501", "a@x.com"), ("missing", None, None, None)]
