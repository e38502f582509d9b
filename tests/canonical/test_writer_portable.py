"""conform (the typed, one-row-per-key stage a load writes to core) gives the same rows on DuckDB and on Postgres
(issue 18): the last source row of a key wins, columns are typed and defaulted, no QUALIFY or CREATE OR REPLACE."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from soloml.canonical.schema import TABLES, create_core_tables
from soloml.canonical.writer import conform, write
from warehouse.backends import BACKENDS, fresh

STAGE = [  # payment p1 twice: source row 3 is the later one and wins
    ("p1", "c1", "charge", "succeeded", "10.50", "usd", "2024-01-02 10:00:00", 1),
    ("p2", "c2", "charge", "failed", "5", "eur", "2024-01-03 00:00:00", 2),
    ("p1", "c1", "charge", "refunded", "10.50", "usd", "2024-01-02 10:00:00", 3),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_conform_keeps_the_last_row_per_key_typed(backend: str) -> None:
    with fresh(backend) as con:
        con.execute(
            "CREATE TABLE stage (payment_id VARCHAR, customer_id VARCHAR, kind VARCHAR, status VARCHAR, amount VARCHAR, "
            "currency VARCHAR, paid_at VARCHAR, _source_row INTEGER)"
        )
        for row in STAGE:
            con.execute("INSERT INTO stage VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(row))
        for _ in range(2):  # made twice in one session: the second replaces the first
            conform(con, TABLES["payments"], "stage", "conformed")
        cur = con.execute(
            "SELECT payment_id, status, amount, amount_settled, settlement_currency, paid_at, _changed_at "
            "FROM conformed ORDER BY payment_id"
        )
        got = cur.fetchall()
        names = [d[0] for d in cur.description]
    assert names[-1] == "_changed_at"
    assert [(p, s, Decimal(str(a)), Decimal(str(st)), c, f"{t:%Y-%m-%d %H:%M}", h) for p, s, a, st, c, t, h in got] == [
        ("p1", "refunded", Decimal("10.50"), Decimal("10.50"), "usd", "2024-01-02 10:00", None),
        ("p2", "failed", Decimal("5.00"), Decimal("5.00"), "eur", "2024-01-03 00:00", None),
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_write_upserts_changed_rows_only(backend: str) -> None:
    with fresh(backend) as con:
        create_core_tables(con)
        con.execute(
            "CREATE TABLE stage (payment_id VARCHAR, customer_id VARCHAR, kind VARCHAR, status VARCHAR, amount VARCHAR, "
            "currency VARCHAR, paid_at VARCHAR, _source_row INTEGER)"
        )
        for row in STAGE:
            con.execute("INSERT INTO stage VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(row))
        when = datetime(2024, 2, 1)
        assert write(con, TABLES["payments"], "stage", load_id="l1", loaded_at=when) == 2
        assert write(con, TABLES["payments"], "stage", load_id="l2", loaded_at=when) == 0  # nothing changed
        con.execute("UPDATE stage SET status = 'charged_back' WHERE payment_id = 'p2'")
        assert write(con, TABLES["payments"], "stage", load_id="l3", loaded_at=when) == 1
        got = con.execute("SELECT payment_id, status, _load_id FROM core.payments ORDER BY payment_id").fetchall()
    assert got == [("p1", "refunded", "l1"), ("p2", "charged_back", "l3")]
