"""Quarantining rows runs unchanged on DuckDB and on the Postgres warehouse (issue 18): same rows set aside,
same raw_row JSON (every column of the row but `_current`), same rows left."""

from __future__ import annotations

import json

import pytest

from soloml.canonical.quarantine import _move
from soloml.warehouse import ops
from warehouse.backends import BACKENDS, fresh

ROWS = [  # (name, amount, _load_id, _source_row, _current): row 3 is bad but no longer current, so it stays
    ("Ann", "12.50", "l1", 1, True),
    ("Bob", "12x.50", "l1", 2, True),
    ("Cy", "oops", "l0", 3, False),
    ("Di", "7", "l1", 4, True),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_bad_rows_move_to_quarantine_with_their_raw_row(backend: str) -> None:
    with fresh(backend) as con:
        con.execute("CREATE SCHEMA ops")
        con.execute(ops.table("quarantine").ddl())
        con.execute("CREATE SCHEMA raw")
        con.execute(
            "CREATE TABLE raw.rows (name VARCHAR, amount VARCHAR, _load_id VARCHAR, _source_row INTEGER, _current BOOLEAN)"
        )
        for row in ROWS:
            con.execute("INSERT INTO raw.rows VALUES (?, ?, ?, ?, ?)", list(row))
        reason = "CASE WHEN amount NOT IN ('12.50', '7') THEN 'Column ''Amount'' on row ' || _source_row || ' is not money.' ELSE '' END"

        assert _move(con, "raw.rows", reason, "l2", "stripe") == 1

        got = con.execute("SELECT load_id, row_number, raw_row, reason, source FROM ops.quarantine").fetchall()
        assert len(got) == 1
        load_id, row_number, raw_row, why, source = got[0]
        raw = json.loads(raw_row) if isinstance(raw_row, str) else raw_row
        assert (load_id, row_number, why, source) == ("l2", 2, "Column 'Amount' on row 2 is not money.", "stripe")
        assert list(raw.items()) == [("name", "Bob"), ("amount", "12x.50"), ("_load_id", "l1"), ("_source_row", 2)]
        left = con.execute("SELECT _source_row FROM raw.rows ORDER BY _source_row").fetchall()
        assert [r[0] for r in left] == [1, 3, 4]
