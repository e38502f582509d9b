"""JSON exports: whole arrays, NDJSON, API list envelopes; cut-off downloads and non-record JSON are refused."""

from __future__ import annotations

import json

import pytest

from soloml.errors import LoadError
from soloml.sources import load_paths

from .samples import snapshot, write

RECORDS = [{"id": i, "name": f"n{i}"} for i in range(1000)]


@pytest.mark.parametrize("indent", [None, 2], ids=["one-line array", "pretty-printed array"])
def test_a_json_array_cut_off_after_a_comma_fails_naming_the_file_and_where_it_ends(con, tmp_path, indent):
    text = json.dumps(RECORDS, indent=indent)
    cut = text[: text.rfind("{", 0, text.index('"id": 500'))]  # `[{...}, {...},` and then the download stopped
    assert cut.rstrip().endswith(",")
    path = write(tmp_path, "charges.json", cut)
    before = snapshot(con)
    with pytest.raises(LoadError) as info:
        load_paths(con, [path])
    message = str(info.value)
    assert "charges.json" in message and "cut off" in message
    assert f"byte {len(cut.encode()):,}" in message and f"line {cut.count(chr(10)) + 1:,}" in message
    assert snapshot(con) == before
    assert con.execute("SELECT status FROM ops.loads").fetchall() == [("failed",)]


def test_an_ndjson_file_cut_off_in_its_last_record_fails_naming_the_line(con, tmp_path):
    lines = [json.dumps(r) for r in RECORDS[:10]]
    path = write(tmp_path, "events.ndjson", "\n".join(lines) + '\n{"id": 10, "na')
    with pytest.raises(LoadError, match=r"events\.ndjson.*line 11"):
        load_paths(con, [path])
    assert snapshot(con) == {"ops.quarantine": 0}


ENVELOPE_RECORDS = [{"id": "ch_1", "amount": 500}, {"id": "ch_2", "amount": 700}]


@pytest.mark.parametrize("key", ["data", "results", "items", "records"])
def test_a_one_line_api_response_is_unwrapped_into_its_records(con, tmp_path, key):
    path = write(tmp_path, "api.json", json.dumps({"object": "list", key: ENVELOPE_RECORDS, "has_more": False}))
    (result,) = load_paths(con, [path])
    assert (result.rows_loaded, result.format) == (2, "json")
    assert con.execute("SELECT id, amount FROM raw.api ORDER BY _source_row").fetchall() == [
        ("ch_1", 500),
        ("ch_2", 700),
    ]


def test_one_json_object_per_line_is_still_ndjson_when_there_are_several_lines(con, tmp_path):
    path = write(
        tmp_path, "api.json", "\n".join(json.dumps({"data": [r], "has_more": False}) for r in ENVELOPE_RECORDS) + "\n"
    )
    (result,) = load_paths(con, [path])
    assert (result.format, result.rows_loaded) == ("ndjson", 2)


def test_a_single_json_record_loads_as_one_row(con, tmp_path):
    (result,) = load_paths(con, [write(tmp_path, "one.json", '{"id": "c_1", "email": "a@x.com"}')])
    assert result.rows_loaded == 1
    assert con.execute("SELECT id, email FROM raw.one").fetchall() == [("c_1", "a@x.com")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scalar.json", "42"),
        ("string.json", '"hello"'),
        ("numbers.json", "[1, 2, 3]"),
        ("mixed.json", '[{"id": 1}, 2]'),
        ("numbers.ndjson", "1\n2\n3\n"),
        ("envelope_of_numbers.json", '{"data": [1, 2], "has_more": false}'),
    ],
)
def test_json_that_holds_no_records_is_refused_and_changes_nothing(con, tmp_path, name, content):
    with pytest.raises(LoadError, match="holds neither objects nor a list of objects"):
        load_paths(con, [write(tmp_path, name, content)])
    assert snapshot(con) == {"ops.quarantine": 0}
    assert con.execute("SELECT status FROM ops.loads").fetchall() == [("failed",)]


def test_an_empty_api_list_is_refused_as_holding_no_records(con, tmp_path):
    with pytest.raises(LoadError, match="no records"):
        load_paths(con, [write(tmp_path, "empty.json", '{"data": [], "has_more": false}')])


def test_an_empty_json_file_is_refused_as_empty(con, tmp_path):
    with pytest.raises(LoadError, match=r"empty\.json is empty"):
        load_paths(con, [write(tmp_path, "empty.json", "\n")])
