"""Landing into an existing raw table: a column's type widens to hold the old values and the new ones."""

from __future__ import annotations

import pytest

from soloml.warehouse.land import common_type


@pytest.mark.parametrize(
    ("old", "new", "wanted"),
    [
        ("DECIMAL(18,2)", "DECIMAL(18,4)", "DECIMAL(20,4)"),
        ("DECIMAL(4,2)", "DECIMAL(7,2)", "DECIMAL(7,2)"),
        ("DECIMAL(38,10)", "DECIMAL(38,0)", "DOUBLE"),
        ("BIGINT", "DECIMAL(18,2)", "DECIMAL(18,2)"),
        ("DATE", "TIMESTAMP", "TIMESTAMP"),
        ("BIGINT", "VARCHAR", "VARCHAR"),
    ],
)
def test_a_column_widens_to_hold_both_loads_values(old, new, wanted):
    assert common_type(old, new) == wanted
