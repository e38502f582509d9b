"""Excel workbooks: one file, one transaction; every cell accounted for; the sheet's own row numbers."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from soloml.errors import LoadError, QuarantineLimitError
from soloml.sources import load_paths

from .samples import journal, snapshot, write

ORDERS = [["Order ID", "Placed", "Total"], *[[f"A-{i}", datetime(2024, 1, i), i * 1.5] for i in range(1, 21)]]
CUSTOMERS = [["Email", "Name"], ["a@x.com", "Ann"], ["b@x.com", "Bob"]]
# every amount a formula nobody ever calculated (the workbook was written by a script): no row can be read
BAD_REFUNDS = [["Refund ID", "Amount"], *[[f"R-{i}", f"=C{i + 1}*2"] for i in range(1, 21)]]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_a_workbook_with_one_bad_sheet_loads_none_of_its_sheets(con, tmp_path):
    path = workbook(tmp_path / "book.xlsx", {"Orders": ORDERS, "Refunds": BAD_REFUNDS, "Customers": CUSTOMERS})
    before = snapshot(con)
    with pytest.raises(QuarantineLimitError, match="Refunds") as info:
        load_paths(con, [path])
    assert snapshot(con) == before
    assert [(Path(r.source).name, r.status) for r in info.value.outcomes] == [
        ("book.xlsx [Orders]", "failed"),
        ("book.xlsx [Refunds]", "failed"),
        ("book.xlsx [Customers]", "not_attempted"),
    ]
    assert "rolled back" in info.value.outcomes[0].message and "Refunds" in info.value.outcomes[0].message
    assert [status for _, status in journal(con)] == ["failed", "failed", "failed"]


def test_each_file_of_several_stands_alone_and_the_summary_lists_every_outcome(con, tmp_path):
    from soloml.sources import LoadRequest, load_all

    good = write(tmp_path, "good.csv", "id,amount\n1,5.00\n")
    book = workbook(tmp_path / "book.xlsx", {"Orders": ORDERS, "Refunds": BAD_REFUNDS})
    other = write(tmp_path, "other.csv", "id,name\n1,a\n")
    summary = load_all(con, [LoadRequest(str(p)) for p in (good, book, other)])
    assert [(Path(r.source).name, r.status) for r in summary.results] == [
        ("good.csv", "loaded"),
        ("book.xlsx [Orders]", "failed"),
        ("book.xlsx [Refunds]", "failed"),
        ("other.csv", "loaded"),
    ]
    assert not summary.ok and [Path(r.source).name for r in summary.failed] == [
        "book.xlsx [Orders]",
        "book.xlsx [Refunds]",
    ]
    assert snapshot(con) == {"raw.good": 1, "raw.other": 1, "ops.quarantine": 0}
    with pytest.raises(QuarantineLimitError) as info:  # the Python API: every file tried, then the failure raised
        load_paths(con, [write(tmp_path, "more.csv", "id\n7\n"), book])
    assert [r.status for r in info.value.outcomes] == ["loaded", "failed", "failed"]
    assert con.execute("SELECT count(*) FROM raw.more").fetchone()[0] == 1


def test_several_failed_files_raise_one_error_naming_each(con, tmp_path):
    first = write(tmp_path, "first.json", "[1, 2]")
    second = write(tmp_path, "second.json", '[{"id": 1},')
    with pytest.raises(LoadError, match=r"2 of 2 files failed.*first\.json.*second\.json") as info:
        load_paths(con, [first, second])
    assert [r.status for r in info.value.outcomes] == ["failed", "failed"]


def test_an_empty_sheet_is_skipped_with_a_note_while_the_others_load(con, tmp_path):
    path = workbook(tmp_path / "book.xlsx", {"Orders": ORDERS, "Sheet2": [], "Customers": CUSTOMERS})
    results = load_paths(con, [path])
    assert [r.raw_table for r in results] == ["raw.book_orders", "raw.book_customers"]
    assert any("'Sheet2' is empty" in n for n in results[0].notes)
    with pytest.raises(LoadError, match="no sheet with data"):
        load_paths(con, [workbook(tmp_path / "blank.xlsx", {"Sheet1": [], "Sheet2": []})])


def test_values_beyond_the_header_are_kept_in_their_own_column_and_reported(con, tmp_path):
    rows = [["id", "name"], [1, "a"], [2, "b", None, "call back"], [3, "c"]]
    (result,) = load_paths(con, [workbook(tmp_path / "sheet.xlsx", {"People": rows})])
    assert con.execute("SELECT id, column_4 FROM raw.sheet ORDER BY id").fetchall() == [
        (1, None),
        (2, "call back"),
        (3, None),
    ]
    assert any("beyond the header" in n and "D3" in n for n in result.notes), result.notes


def _with_cached_value(path: Path, cell: str, value: str) -> None:
    """Give one formula cell the value Excel would have saved with it (openpyxl never writes one)."""
    with zipfile.ZipFile(path) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode()
    xml, n = re.subn(rf'(<c r="{cell}"[^>]*>\s*<f>[^<]*</f>)\s*(<v\s*/>|<v>\s*</v>)?', rf"\1<v>{value}</v>", xml)
    assert n == 1, xml
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in parts.items():
            dst.writestr(name, data)


def test_a_formula_without_a_saved_value_sends_its_row_to_quarantine_naming_the_formula(con, tmp_path):
    rows = [["id", "qty", "total"], *[[i, i, i * 2] for i in range(1, 31)], [31, 4, "=B32*2"], [32, 5, "=B33*2"]]
    path = workbook(tmp_path / "calc.xlsx", {"Calc": rows})
    _with_cached_value(path, "C33", "10")  # Excel saved this one's value: it loads
    (result,) = load_paths(con, [path])
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (32, 31, 1)
    assert con.execute("SELECT total FROM raw.calc WHERE id = 32").fetchall() == [(10,)]
    row_number, reason = con.execute("SELECT row_number, reason FROM ops.quarantine").fetchall()[0]
    assert row_number == 31 and "'total'" in reason and "=B32*2" in reason and "no saved value" in reason


def test_a_sheet_keeps_its_real_row_numbers_across_blank_rows(con, tmp_path):
    rows = [["id", "name"], [1, "a"], [2, "b"], [None, None], [None, None], [5, "e"]]
    load_paths(con, [workbook(tmp_path / "gaps.xlsx", {"People": rows})])
    assert con.execute("SELECT id, _source_row FROM raw.gaps ORDER BY id").fetchall() == [(1, 1), (2, 2), (5, 5)]


def test_title_rows_above_a_sheets_header_are_skipped_and_the_report_says_which_row_was_the_header(con, tmp_path):
    rows = [["Sales report"], ["January 2024"], [], ["Product", "Units", "Revenue"], ["Mug", 3, 24.0], ["Tee", 1, 18.5]]
    (result,) = load_paths(con, [workbook(tmp_path / "report.xlsx", {"Sales": rows})])
    assert con.execute("SELECT product, units, _source_row FROM raw.report ORDER BY 3").fetchall() == [
        ("Mug", 3, 1),
        ("Tee", 1, 2),
    ]
    assert any("row 4" in n for n in result.notes), result.notes


def test_a_warehouse_that_stops_taking_writes_ends_the_run_and_the_rest_are_not_attempted(con, tmp_path, monkeypatch):
    import duckdb

    from soloml.sources import LoadRequest, batch, load_all

    real_start, calls = batch.start, []

    def disk_full_on_the_second_file(connection, entries):
        calls.append(entries)
        if len(calls) == 2:
            raise duckdb.IOException("IO Error: could not write file: No space left on device")
        real_start(connection, entries)

    monkeypatch.setattr(batch, "start", disk_full_on_the_second_file)
    paths = [write(tmp_path, f"{name}.csv", "id\n1\n") for name in ("first", "second", "third")]
    summary = load_all(con, [LoadRequest(str(p)) for p in paths])
    assert [(Path(r.source).name, r.status) for r in summary.results] == [
        ("first.csv", "loaded"),
        ("second.csv", "failed"),
        ("third.csv", "not_attempted"),
    ]
    assert "stopped accepting writes" in summary.results[1].message and "No space left" in summary.results[1].message
