"""Headers into column names: snake_case, unique, and never a name the warehouse reserves for itself."""

from __future__ import annotations

import pytest

from soloml.warehouse.names import column_names


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["a", "a_2", "a"], ["a", "a_2", "a_3"]),
        (["a", "a", "a_2"], ["a", "a_3", "a_2"]),
        (["Email", "email", "EMAIL"], ["email", "email_2", "email_3"]),
        (["x", "x_2", "x_3", "x", "x"], ["x", "x_2", "x_3", "x_4", "x_5"]),
        (["Created (UTC)", "Amount"], ["created_utc", "amount"]),
        (["", "", "column_1"], ["column_1", "column_2", "column_1_2"]),
    ],
)
def test_every_header_gets_its_own_column_name_even_when_a_suffix_is_already_taken(headers, expected):
    assert column_names(headers) == expected


@pytest.mark.parametrize(("header", "name"), [("rowid", "row_id"), ("ROWID", "row_id"), ("_source_row", "source_row")])
def test_a_header_never_becomes_a_name_duckdb_or_the_loader_reserves(header, name):
    assert column_names([header]) == [name]


def test_a_reserved_name_that_collides_after_renaming_is_still_unique():
    assert column_names(["rowid", "row_id"]) == ["row_id", "row_id_2"]
