"""Encodings as they arrive: broken UTF-16, files mixing UTF-8 and Latin-1 rows, temp copies that never outlive a load."""

from __future__ import annotations

import codecs

import pytest

from soloml.errors import LoadError
from soloml.sources import load_paths

from .samples import journal, snapshot, write

TEXT = "id,name,amount\n1,Zoë,5.00\n2,Çelik,7.50\n"


def odd_byte_count() -> bytes:
    return codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le") + b"\x41"  # half a character at the end


def lone_surrogate() -> bytes:
    body = TEXT.encode("utf-16-le")
    cut = body.index("Çelik".encode("utf-16-le"))
    return codecs.BOM_UTF16_LE + body[:cut] + b"\x00\xd8" + body[cut:]  # a high surrogate with no low one


@pytest.mark.parametrize("make", [odd_byte_count, lone_surrogate], ids=["odd byte count", "lone surrogate"])
def test_malformed_utf16_fails_naming_file_and_byte_offset_and_leaves_no_temp_file(con, tmp_path, make):
    from soloml.sources import LoadRequest, load_all

    data = make()
    bad = write(tmp_path, "export.csv", data)
    good = write(tmp_path, "good.csv", TEXT, encoding="cp1252")  # transcoded through the scratch folder too
    scratch = tmp_path / "scratch"
    summary = load_all(con, [LoadRequest(str(bad)), LoadRequest(str(good))], temp_dir=scratch)
    failed, loaded = summary.results
    assert (failed.status, loaded.status) == ("failed", "loaded")
    expected_at = len(data) - 1 if make is odd_byte_count else data.index(b"\x00\xd8")
    assert "export.csv" in failed.message and "UTF-16" in failed.message and f"byte {expected_at:,}" in failed.message
    assert "UnicodeDecodeError" not in failed.message
    assert journal(con) == [("export.csv", "failed"), ("good.csv", "loaded")]
    assert list(scratch.iterdir()) == []


def test_a_cp1252_file_is_transcoded_into_the_given_temp_folder_and_the_copy_is_removed(con, tmp_path):
    path = write(tmp_path, "windows.csv", TEXT, encoding="cp1252")
    scratch = tmp_path / "scratch"
    (result,) = load_paths(con, [path], temp_dir=scratch)
    assert result.rows_loaded == 2
    assert con.execute("SELECT name FROM raw.windows ORDER BY id").fetchall() == [("Zoë",), ("Çelik",)]
    assert list(scratch.iterdir()) == []


def test_a_mostly_utf8_file_with_a_few_latin1_rows_reads_each_row_in_its_own_encoding_and_says_which(con, tmp_path):
    rows = [f"{i},Zoë {i},{i}.00".encode() for i in range(1, 41)]
    rows[9] = "10,Çelik,10.00".encode("latin-1")
    rows[24] = "25,Müller,25.00".encode("latin-1")
    path = write(tmp_path, "mixed.csv", b"id,name,amount\n" + b"\n".join(rows) + b"\n")
    (result,) = load_paths(con, [path])
    assert result.rows_loaded == 40
    names = dict(con.execute("SELECT id, name FROM raw.mixed").fetchall())
    assert (names[1], names[10], names[25], names[40]) == ("Zoë 1", "Çelik", "Müller", "Zoë 40")
    assert any("Windows-1252" in n and "rows 10, 25" in n for n in result.notes), result.notes


def test_a_file_with_no_utf8_at_all_is_read_as_windows_1252_whole(con, tmp_path):
    (result,) = load_paths(con, [write(tmp_path, "latin.csv", TEXT, encoding="cp1252")])
    assert con.execute("SELECT name FROM raw.latin ORDER BY id").fetchall() == [("Zoë",), ("Çelik",)]
    assert any("Windows-1252" in n for n in result.notes)


def test_a_byte_that_is_neither_utf8_nor_windows_1252_still_fails_naming_row_and_column(con, tmp_path):
    path = write(tmp_path, "junk.csv", "id,name\n1,Zoë\n".encode() + b"2,\x81\n")
    with pytest.raises(LoadError, match=r"junk\.csv row 2 \(line 3\), column 'name'.*0x81"):
        load_paths(con, [path])
    assert snapshot(con) == {"ops.quarantine": 0}
