"""Type inference reads each text column the way a person reading the export would."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from soloml.warehouse.types import infer_plans


def _typed(values: list[str | None], *, date_order: str = "auto", decimal_comma_first: bool = False):
    con = duckdb.connect()
    con.register("frame", pd.DataFrame({"col": pd.Series(values, dtype=object)}))
    con.execute("CREATE TABLE stage AS SELECT CAST(col AS VARCHAR) AS col FROM frame")
    (plan,) = infer_plans(con, "stage", date_order=date_order, decimal_comma_first=decimal_comma_first)  # type: ignore[arg-type]
    values_out = [r[0] for r in con.execute(f"SELECT {plan.value_sql()} FROM stage ORDER BY rowid").fetchall()]
    return plan, values_out


@pytest.mark.parametrize(
    ("values", "sql_type", "expected"),
    [
        (["1", "-2", "1,234", ""], "BIGINT", [1, -2, 1234, None]),
        (
            ["$1,234.50", "-$45.00", "$0.99", "($3.00)"],
            "DECIMAL(18,2)",
            [Decimal("1234.50"), Decimal("-45.00"), Decimal("0.99"), Decimal("-3.00")],
        ),
        (["€12.50", "£3", "¥100"], "DECIMAL(18,2)", [Decimal("12.50"), Decimal("3.00"), Decimal("100.00")]),
        (["0.12345", "1e-3", "2"], "DOUBLE", [0.12345, 0.001, 2.0]),
        (["2024-01-05", "2024-12-31", "2024/02/03"], "DATE", [date(2024, 1, 5), date(2024, 12, 31), date(2024, 2, 3)]),
        (["01/15/2024", "12/31/2024", "1/5/2024"], "DATE", [date(2024, 1, 15), date(2024, 12, 31), date(2024, 1, 5)]),
        (["15/01/2024", "31.12.2024", "1/5/2024"], "DATE", [date(2024, 1, 15), date(2024, 12, 31), date(2024, 5, 1)]),
        (
            ["15 Jan 2024", "Jan 15, 2024", "March 3, 2024"],
            "DATE",
            [date(2024, 1, 15), date(2024, 1, 15), date(2024, 3, 3)],
        ),
        (
            ["2024-01-05 10:12:33", "2024-01-05T10:12", "2024-01-06"],
            "TIMESTAMP",
            [datetime(2024, 1, 5, 10, 12, 33), datetime(2024, 1, 5, 10, 12), datetime(2024, 1, 6)],
        ),
        (
            ["2024-01-05 10:12:33 -0500", "2024-01-05T10:12:33Z", "2024-01-05 10:12:33+01:00"],
            "TIMESTAMP",
            [datetime(2024, 1, 5, 15, 12, 33), datetime(2024, 1, 5, 10, 12, 33), datetime(2024, 1, 5, 9, 12, 33)],
        ),
        (
            ["1/15/2024 2:30 PM", "01/15/2024 14:30", "12/31/2024 11:59:59 pm"],
            "TIMESTAMP",
            [datetime(2024, 1, 15, 14, 30), datetime(2024, 1, 15, 14, 30), datetime(2024, 12, 31, 23, 59, 59)],
        ),
        (["true", "false", "Yes", "no"], "BOOLEAN", [True, False, True, False]),
        (["02134", "10001", "94105"], "VARCHAR", ["02134", "10001", "94105"]),
        (
            ["4242424242424242", "12345678901234567890123", "1"],
            "VARCHAR",
            ["4242424242424242", "12345678901234567890123", "1"],
        ),
        (["12%", "3%"], "VARCHAR", ["12%", "3%"]),
        (["", "", None], "VARCHAR", [None, None, None]),
    ],
)
def test_text_columns_get_the_type_their_values_show(values, sql_type, expected):
    plan, out = _typed(values)
    assert plan.sql_type == sql_type
    assert out == expected


@pytest.mark.parametrize(
    "values",
    [["1.234,50", "12,5", "3"], ["1 234,50 €", "12,50 €", "3 €"], ["1\u00a0234,50", "12,5", "3"]],
)
def test_decimal_comma_is_read_when_the_file_uses_semicolons(values):
    plan, out = _typed(values, decimal_comma_first=True)
    assert plan.sql_type == "DECIMAL(18,2)"
    assert out == [Decimal("1234.50"), Decimal("12.50"), Decimal("3.00")]


def test_one_zero_padded_id_keeps_the_whole_column_text():
    plan, out = _typed([str(100 + i) for i in range(99)] + ["00123"])
    assert plan.sql_type == "VARCHAR" and out[-1] == "00123"


def test_ambiguous_dates_follow_the_stated_date_order():
    values = ["01/02/2024", "03/04/2024", "05/06/2024"]
    auto, auto_out = _typed(values)
    dmy, dmy_out = _typed(values, date_order="dmy")
    assert auto_out[0] == date(2024, 1, 2) and "month/day" in auto.note
    assert dmy_out[0] == date(2024, 2, 1) and dmy.note == ""


def test_a_column_mostly_of_numbers_with_a_few_decimals_becomes_decimal_not_integer():
    plan, out = _typed([str(i) for i in range(97)] + ["1.5", "2.25", "3.75"])
    assert plan.sql_type == "DECIMAL(18,2)"
    assert out[-1] == Decimal("3.75")


def test_a_column_under_95_percent_parseable_stays_text():
    plan, out = _typed([str(i) for i in range(90)] + ["n/a"] * 10)
    assert plan.sql_type == "VARCHAR"
    assert out[-1] == "n/a"


@pytest.mark.parametrize("name", ["phone", "phone_number", "billing_zip", "lineitem_sku", "postal_code"])
def test_label_columns_stay_text_even_when_all_digits(name):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE stage AS SELECT * FROM (VALUES ('5551234567'), ('5559876543')) v({name})")
    (plan,) = infer_plans(con, "stage")
    assert plan.sql_type == "VARCHAR"


@pytest.mark.parametrize(
    ("name", "values", "sql_type"),
    [
        ("phone_service", ["0", "1", "1", "0"], "BIGINT"),  # a yes/no flag about phones is a number, not a phone number
        ("has_phone", ["yes", "no", "yes", "no"], "BOOLEAN"),
        ("phone_calls", ["3", "12", "0", "7"], "BIGINT"),
        ("phone", ["555-123-4567", "(555) 987 6543", "5551112222", "555 000 1111"], "VARCHAR"),
        ("mobile", ["+44 7700 900123", "07700900456", "447700900789", "7700900111"], "VARCHAR"),
    ],
)
def test_phone_named_columns_are_typed_by_their_values_unless_they_hold_phone_numbers(name, values, sql_type):
    con = duckdb.connect()
    con.execute(f"CREATE TABLE stage AS SELECT * FROM (VALUES {', '.join(f'({v!r})' for v in values)}) v({name})")
    (plan,) = infer_plans(con, "stage")
    assert plan.sql_type == sql_type


def test_a_column_the_sample_misjudged_is_decided_again_over_every_row(con, tmp_path):
    """Whole amounts with a rare one in cents: the 5,000-row sample sees only whole numbers, the full pass
    finds the cents, and the column is decided again (DECIMAL) instead of quarantining those rows."""
    from soloml.sources import load_paths

    rows = [f"{i},{10 + i % 90}" for i in range(200_000)]
    for k in range(1, 20):
        rows[k * 10_000 + 1] = f"{k * 10_000 + 1},12.{k:02d}"
    path = tmp_path / "amounts.csv"
    path.write_text("id,amount\n" + "\n".join(rows) + "\n")
    (result,) = load_paths(con, [path])
    assert (result.status, result.rows_loaded, result.rows_quarantined) == ("loaded", 200_000, 0)
    assert float(
        con.execute("SELECT sum(amount) FROM raw.amounts WHERE amount < 13 AND amount > 12").fetchone()[0]
    ) == pytest.approx(sum(12 + k / 100 for k in range(1, 20)))


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_whole_number_ids_are_bigint_whatever_the_delimiter(con, tmp_path, delimiter):
    from soloml.sources import load_paths

    amounts = ["5.00", "7.50", "1234.00"] if delimiter == "," else ["5,00", "7,50", "1.234,00"]
    rows = [f"{i}{delimiter}{i * 10}{delimiter}{a}" for i, a in zip((1, 2, 3), amounts, strict=True)]
    path = tmp_path / "orders.csv"
    path.write_text(f"id{delimiter}qty{delimiter}amount\n" + "\n".join(rows) + "\n", encoding="utf-8")
    load_paths(con, [path])
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"
        ).fetchall()
    )
    assert (types["id"], types["qty"], types["amount"]) == ("BIGINT", "BIGINT", "DECIMAL(18,2)")
    assert con.execute("SELECT id, amount FROM raw.orders ORDER BY id").fetchall()[2] == (3, 1234)


def test_european_thousands_separators_in_a_semicolon_file_read_as_whole_numbers(con, tmp_path):
    from soloml.sources import load_paths

    path = tmp_path / "stock.csv"
    path.write_text("sku_name;units\nMug;1.250\nTee;12\nCap;3.000\n", encoding="utf-8")
    load_paths(con, [path])
    assert con.execute("SELECT units FROM raw.stock ORDER BY sku_name").fetchall() == [(3000,), (1250,), (12,)]
    assert (
        con.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_name = 'stock' AND column_name = 'units'"
        ).fetchone()[0]
        == "BIGINT"
    )
