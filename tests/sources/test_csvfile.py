"""CSV files as exported: title lines above the header, quotes that never close, columns named like staging's own."""

from __future__ import annotations

import pytest

from soloml.errors import LoadError
from soloml.sources import load_paths

from .samples import snapshot, write

ROWS = "".join(f"{i},name {i},{i}.50\n" for i in range(1, 1001))


@pytest.mark.parametrize(
    ("quote_row", "tail"),
    [(990, ""), (3, ""), (500, ""), (995, "\n\n")],
    ids=["near the end", "near the start", "in the middle", "with empty lines after it"],
)
def test_an_unterminated_quote_fails_the_load_naming_the_line_where_it_opened(con, tmp_path, quote_row, tail):
    lines = ["id,name,amount", *ROWS.splitlines()]
    lines[quote_row] = f'{quote_row},"name {quote_row},{quote_row}.50'  # the closing quote is missing
    lines[quote_row + 2] = ""
    path = write(tmp_path, "customers.csv", "\n".join(lines) + "\n" + tail)
    before = snapshot(con)
    with pytest.raises(LoadError) as info:
        load_paths(con, [path], max_quarantine_share=0.5)
    message = " ".join(str(info.value).split())
    assert "customers.csv" in message and f"line {quote_row + 1}" in message and "quote" in message
    assert snapshot(con) == before


def test_a_quoted_value_running_over_hundreds_of_lines_fails_instead_of_swallowing_rows(con, tmp_path):
    lines = ["id,name,amount", *ROWS.splitlines()]
    lines[10] = '10,"name 10,10.50'  # opens a quote ...
    lines[400] = '400,name 400",400.50'  # ... that a later row happens to close: one "valid" row of 390 lines
    path = write(tmp_path, "swallowed.csv", "\n".join(lines) + "\n")
    with pytest.raises(LoadError) as info:
        load_paths(con, [path], max_quarantine_share=0.5)
    assert "swallowed.csv" in str(info.value) and "line 11" in str(info.value)
    assert snapshot(con) == {"ops.quarantine": 0}


def test_a_row_whose_bad_quote_spans_lines_counts_every_line_and_keeps_later_row_numbers(con, tmp_path):
    text = 'id,name\n1,ann\n2,"bo\n3,cy\n4,"di" x\n5,ed\n' + "".join(f"{i},name {i}\n" for i in range(6, 101))
    (result,) = load_paths(con, [write(tmp_path, "spans.csv", text)], max_quarantine_share=0.1)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (100, 97, 3)
    assert dict(con.execute("SELECT id, _source_row FROM raw.spans WHERE id IN (1, 5, 100)").fetchall()) == {
        1: 1,
        5: 5,
        100: 100,
    }


TITLED = """Sales by product
"Date range: Jan 1, 2024 - Jan 31, 2024"

Product,Units,Revenue
Mug,3,$24.00
Tee,1,$18.50
"""


def test_title_lines_above_the_header_are_skipped_and_the_report_says_which_line_was_the_header(con, tmp_path):
    (result,) = load_paths(con, [write(tmp_path, "report.csv", TITLED)])
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 2, 0)
    assert con.execute("SELECT product, units, revenue, _source_row FROM raw.report ORDER BY 4").fetchall() == [
        ("Mug", 3, 24, 1),
        ("Tee", 1, 18.5, 2),
    ]
    assert any("line 4" in note and "3 lines above it" in note for note in result.notes), result.notes


def test_title_lines_padded_with_delimiters_are_skipped_too(con, tmp_path):
    padded = "Orders export,,\nGenerated 2024-02-01,,\nid,placed,total\n1,2024-01-05,5.00\n2,2024-01-06,7.00\n"
    (result,) = load_paths(con, [write(tmp_path, "padded.csv", padded)])
    assert result.rows_loaded == 2
    assert [c[0] for c in con.execute("DESCRIBE raw.padded").fetchall()][:3] == ["id", "placed", "total"]


def test_a_header_without_title_lines_is_the_first_line_even_when_it_holds_numbers(con, tmp_path):
    (result,) = load_paths(con, [write(tmp_path, "years.csv", "region,2023,2024\nnorth,5,7\nsouth,1,2\n")])
    assert result.rows_loaded == 2 and not result.notes
    assert [c[0] for c in con.execute("DESCRIBE raw.years").fetchall()][:3] == ["region", "c_2023", "c_2024"]


@pytest.mark.parametrize("header", ["rowid", "ROWID"])
def test_a_column_named_rowid_loads_and_source_rows_come_from_the_file_not_the_column(con, tmp_path, header):
    path = write(tmp_path, "export.csv", f"{header},name\n100,a\n200,b\n")
    (result,) = load_paths(con, [path])
    assert result.rows_loaded == 2
    assert con.execute("SELECT row_id, name, _source_row FROM raw.export ORDER BY 3").fetchall() == [
        (100, "a", 1),
        (200, "b", 2),
    ]


def test_a_windows_file_with_a_last_line_appended_in_unix_line_endings_loads_whole(con, tmp_path):
    path = write(tmp_path, "appended.csv", "id,name\r\n1,ann\r\n2,bo\r\n3,cy\n")
    (result,) = load_paths(con, [path])
    assert (result.rows_in, result.rows_loaded) == (3, 3)
    assert any("line endings" in note for note in result.notes)


def test_a_comma_file_whose_every_row_is_ragged_is_read_with_commas_not_split_on_a_semicolon_in_a_value(con, tmp_path):
    # found by the loader property test: a ';' in a text cell made ';' look like the delimiter, the header line
    # was skipped as a "title" and the second line became a two-column header: rows silently mangled
    text = "id,stamp,note,placed,memo\nr0,2000-01-01 00:00:00,,,;,extra\nr1,2000-01-01 00:00:00,;,,,extra\n"
    path = write(tmp_path, "ragged.csv", text)
    before = snapshot(con)
    with pytest.raises(LoadError) as info:
        load_paths(con, [path], max_quarantine_share=0.5)
    assert "ragged.csv" in str(info.value)
    assert snapshot(con) == before
    (result,) = load_paths(con, [path], max_quarantine_share=1.0)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (2, 0, 2)
    assert con.execute("SELECT count(*) FROM ops.quarantine WHERE reason LIKE '%5 header columns%'").fetchone() == (2,)


def test_a_semicolon_file_under_a_title_with_a_comma_keeps_the_semicolon(con, tmp_path):
    path = write(tmp_path, "titled.csv", "Report, January 2024\nid;name;amount\n1;a;3\n2;b;4\n")
    (result,) = load_paths(con, [path])
    assert (result.rows_in, result.rows_loaded) == (2, 2)
    assert con.execute("SELECT id, name, amount FROM raw.titled ORDER BY 1").fetchall() == [(1, "a", 3), (2, "b", 4)]
