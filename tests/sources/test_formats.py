"""Every input format a small business hands over lands as the same typed raw table."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from soloml.errors import LoadError
from soloml.sources import load_paths

EXPECTED = [
    ("A-1", date(2024, 1, 15), Decimal("1234.50"), "Zoë"),
    ("A-2", date(2024, 2, 3), Decimal("-45.00"), "Çelik"),
]


def rows_of(con, table: str) -> list[tuple]:
    return con.execute(f"SELECT order_id, order_date, total, customer FROM {table} ORDER BY _source_row").fetchall()


def types_of(con, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
    )


TEXT_FILES = {
    "comma.csv": (
        "utf-8",
        'Order ID,Order Date,Total,Customer\nA-1,2024-01-15,"$1,234.50",Zoë\nA-2,2024-02-03,-$45.00,Çelik\n',
    ),
    "tabs.tsv": (
        "utf-8",
        "Order ID\tOrder Date\tTotal\tCustomer\nA-1\t2024-01-15\t1234.50\tZoë\nA-2\t2024-02-03\t-45.00\tÇelik\n",
    ),
    "european.csv": (
        "utf-8",
        "Order ID;Order Date;Total;Customer\nA-1;15.01.2024;1.234,50 €;Zoë\nA-2;03.02.2024;-45,00 €;Çelik\n",
    ),
    "utf16.csv": (
        "utf-16",
        "Order ID,Order Date,Total,Customer\nA-1,2024-01-15,1234.50,Zoë\nA-2,2024-02-03,-45.00,Çelik\n",
    ),
    "bom.csv": (
        "utf-8-sig",
        "Order ID,Order Date,Total,Customer\nA-1,2024-01-15,1234.50,Zoë\nA-2,2024-02-03,-45.00,Çelik\n",
    ),
    "windows.csv": (
        "cp1252",
        'Order ID,Order Date,Total,Customer\r\nA-1,01/15/2024,"$1,234.50",Zoë\r\nA-2,02/03/2024,($45.00),Çelik\r\n',
    ),
    "Sales tracker - Orders.csv": (
        "utf-8",
        'Order ID,Order Date,Total,Customer\r\nA-1,1/15/2024,"$1,234.50",Zoë\r\nA-2,2/3/2024,-$45.00,Çelik\r\n',
    ),
}


@pytest.mark.parametrize("name", list(TEXT_FILES))
def test_text_exports_load_typed(con, tmp_path, name):
    encoding, text = TEXT_FILES[name]
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    (result,) = load_paths(con, [path], as_name="orders")
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    assert rows_of(con, "raw.orders") == EXPECTED
    assert types_of(con, "raw.orders")["total"] == "DECIMAL(18,2)"


def test_quoted_fields_may_hold_delimiters_quotes_and_newlines(con, tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(
        'id,Note,Amount\n1,"line one\nline two",5\n2,"she said ""hi"", then left",6\n3,plain,7\n', encoding="utf-8"
    )
    (result,) = load_paths(con, [path])
    assert result.rows_loaded == 3
    notes = con.execute("SELECT note, _source_row FROM raw.notes ORDER BY _source_row").fetchall()
    assert notes == [("line one\nline two", 1), ('she said "hi", then left', 2), ("plain", 3)]


def test_every_sheet_of_a_workbook_becomes_its_own_table(con, tmp_path):
    book = openpyxl.Workbook()
    orders = book.active
    orders.title = "Orders"
    orders.append(["Order ID", "Order Date", "Total", "Customer", "Paid At"])
    orders.append(["A-1", datetime(2024, 1, 15), 1234.5, "Zoë", datetime(2024, 1, 15, 9, 30)])
    orders.append(["A-2", datetime(2024, 2, 3), -45, "Çelik", None])
    people = book.create_sheet("Customer list")
    people.append(["Name", "Since", "Zip"])
    people.append(["Zoë", "2023-05-01", "02134"])
    book.create_sheet("Empty")
    path = tmp_path / "book.xlsx"
    book.save(path)
    results = load_paths(con, [path])
    assert [r.raw_table for r in results] == ["raw.book_orders", "raw.book_customer_list"]
    assert "sheet 'Empty' is empty: skipped" in results[0].notes
    assert rows_of(con, "raw.book_orders") == EXPECTED
    assert con.execute("SELECT paid_at FROM raw.book_orders ORDER BY _source_row").fetchall() == [
        (datetime(2024, 1, 15, 9, 30),),
        (None,),
    ]
    assert con.execute("SELECT zip, since FROM raw.book_customer_list").fetchall() == [("02134", date(2023, 5, 1))]
    assert all(r.status == "unchanged" for r in load_paths(con, [path]))


def test_parquet_keeps_its_types(con, tmp_path):
    table = pa.table(
        {
            "Order ID": ["A-1", "A-2"],
            "Order Date": pa.array([date(2024, 1, 15), date(2024, 2, 3)]),
            "Total": pa.array([Decimal("1234.50"), Decimal("-45.00")], pa.decimal128(10, 2)),
            "Customer": ["Zoë", "Çelik"],
            "Paid At": pa.array([datetime(2024, 1, 15, 10), None], pa.timestamp("us", tz="America/New_York")),
        }
    )
    pq.write_table(table, tmp_path / "orders.parquet")
    (result,) = load_paths(con, [tmp_path / "orders.parquet"])
    assert result.format == "parquet" and rows_of(con, "raw.orders") == EXPECTED
    assert con.execute("SELECT paid_at FROM raw.orders WHERE order_id = 'A-1'").fetchall()[0][0] == datetime(
        2024, 1, 15, 10
    )


JSON_RECORDS = [
    {
        "Order ID": "A-1",
        "Order Date": "2024-01-15",
        "Total": "$1,234.50",
        "Customer": "Zoë",
        "metadata": {"channel": "web"},
    },
    {
        "Order ID": "A-2",
        "Order Date": "2024-02-03",
        "Total": "-$45.00",
        "Customer": "Çelik",
        "metadata": {"channel": "pos"},
    },
]


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("orders.json", json.dumps(JSON_RECORDS), "json"),
        ("orders.ndjson", "\n".join(json.dumps(r) for r in JSON_RECORDS) + "\n", "ndjson"),
        ("lines.json", "\n".join(json.dumps(r) for r in JSON_RECORDS) + "\n", "ndjson"),
        ("api_list.json", json.dumps({"object": "list", "data": JSON_RECORDS, "has_more": False}, indent=2), "json"),
    ],
)
def test_json_arrays_ndjson_and_api_lists_load(con, tmp_path, name, content, fmt):
    (tmp_path / name).write_text(content, encoding="utf-8")
    (result,) = load_paths(con, [tmp_path / name], as_name="orders")
    assert result.format == fmt
    assert rows_of(con, "raw.orders") == EXPECTED
    assert json.loads(con.execute("SELECT metadata FROM raw.orders ORDER BY _source_row").fetchall()[0][0]) == {
        "channel": "web"
    }


def test_a_sqlite_table_loads_by_url_and_reloads_as_a_no_op(con, tmp_path):
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as lite:
        lite.execute('CREATE TABLE "Orders" ("Order ID" TEXT, "Order Date" TEXT, "Total" NUMERIC, "Customer" TEXT)')
        lite.executemany(
            "INSERT INTO Orders VALUES (?, ?, ?, ?)",
            [("A-1", "2024-01-15", 1234.5, "Zoë"), ("A-2", "2024-02-03", -45, "Çelik")],
        )
    (result,) = load_paths(con, [f"sqlite:///{db}"], table="Orders")
    assert (result.format, result.raw_table, result.rows_loaded) == ("sqlite", "raw.orders", 2)
    got = con.execute("SELECT order_id, order_date, total, customer FROM raw.orders ORDER BY _source_row").fetchall()
    assert [(r[0], r[1], float(r[2]), r[3]) for r in got] == [
        ("A-1", date(2024, 1, 15), 1234.5, "Zoë"),
        ("A-2", date(2024, 2, 3), -45.0, "Çelik"),
    ]
    assert load_paths(con, [f"sqlite:///{db}"], table="Orders")[0].status == "unchanged"
    with pytest.raises(LoadError, match="--table"):
        load_paths(con, [f"sqlite:///{db}"])


def test_a_folder_loads_every_export_in_it(con, tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    (tmp_path / "b.ndjson").write_text('{"y": 2}\n', encoding="utf-8")
    (tmp_path / "notes.md").write_text("not data", encoding="utf-8")
    assert [r.raw_table for r in load_paths(con, [tmp_path])] == ["raw.a", "raw.b"]


def test_an_unknown_extension_says_what_can_be_read(con, tmp_path):
    (tmp_path / "data.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(LoadError, match=r"cannot read '\.xls' files.*xlsx"):
        load_paths(con, [tmp_path / "data.xls"])


def test_every_reference_vendor_sample_loads_without_bad_rows(con, reference_data):
    """The synced-table and API shapes of real vendors (shared/data/reference) all load cleanly."""
    files = sorted(reference_data.glob("*/*.csv")) + sorted(reference_data.glob("*/*.json"))
    assert files
    for path in files:
        (result,) = load_paths(con, [path], as_name=f"{path.parent.name}_{path.stem}")
        assert (result.status, result.rows_quarantined) == ("loaded", 0), path
        assert result.rows_loaded == result.rows_in > 0, path
