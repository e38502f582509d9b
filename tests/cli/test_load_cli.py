"""`soloml load` and `soloml tables` through the CLI runner: reports, --json, and corrupt files that change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app

runner = CliRunner()

GOOD = "id,Created (UTC),Amount\n" + "".join(f"c{i},2024-01-{i % 28 + 1:02d} 10:00:00,${i}.50\n" for i in range(1, 41))


def invoke(ws, *args: str):
    return runner.invoke(app, [*args, "--workspace", str(ws.root)])


def warehouse_state(ws) -> tuple:
    con = ws.connect(read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('raw', 'core', 'features') ORDER BY 1"
        ).fetchall()
        counts = tuple((t, con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for (t,) in tables)
        quarantined = con.execute("SELECT count(*) FROM ops.quarantine").fetchall()[0][0]
        journal = con.execute("SELECT status, count(*) FROM ops.loads GROUP BY status ORDER BY status").fetchall()
    finally:
        con.close()
    return counts, quarantined, dict(journal)


@pytest.fixture
def good_file(tmp_path) -> Path:
    path = tmp_path / "payments.csv"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_load_reports_format_rows_and_target(ws, good_file):
    result = invoke(ws, "load", str(good_file))
    assert result.exit_code == 0, result.output
    assert "payments.csv (csv) -> raw.payments" in result.output
    assert "40 in, 40 loaded, 0 quarantined" in result.output
    assert "not recognised" in result.output


def test_load_json_lists_each_load(ws, good_file):
    result = invoke(ws, "load", str(good_file), "--as", "charges", "--json")
    assert result.exit_code == 0, result.output
    (load,) = json.loads(result.stdout)["loads"]
    assert (load["raw_table"], load["rows_loaded"], load["status"], load["format"]) == (
        "raw.charges",
        40,
        "loaded",
        "csv",
    )
    again = json.loads(invoke(ws, "load", str(good_file), "--as", "charges", "--json").stdout)["loads"][0]
    assert again["status"] == "unchanged" and again["load_id"] == load["load_id"]


def test_reload_says_unchanged(ws, good_file):
    invoke(ws, "load", str(good_file))
    result = invoke(ws, "load", str(good_file))
    assert result.exit_code == 0
    assert "unchanged (same file loaded as L" in result.output


def bad_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "bytes.csv"
    path.write_bytes(GOOD.encode() + b"c99,2024-01-01 10:00:00,\x81\x8d\n")
    return path


def ragged(tmp_path: Path) -> Path:
    path = tmp_path / "ragged.csv"
    path.write_text(GOOD + "c98,2024-01-01 10:00:00\n" * 5, encoding="utf-8")
    return path


def type_violations(tmp_path: Path) -> Path:
    path = tmp_path / "dates.csv"
    path.write_text(GOOD + "c97,31/31/2024,$5.00\n" * 2, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("make", "must_mention"),
    [
        (bad_bytes, ["bytes.csv", "row 41", "column 'Amount'", "0x81"]),
        (ragged, ["ragged.csv", "row 41", "cannot be split"]),
        (type_violations, ["dates.csv", "row 41", "column 'Created (UTC)'", "'31/31/2024'", "--date-format"]),
    ],
)
def test_a_corrupt_file_fails_naming_file_row_and_column_and_changes_nothing(
    ws, tmp_path, good_file, make, must_mention
):
    assert invoke(ws, "load", str(good_file)).exit_code == 0
    counts, quarantined, journal = warehouse_state(ws)
    result = invoke(ws, "load", str(make(tmp_path)), "--as", "payments", "--max-bad-rows-share", "0.01")
    assert result.exit_code == 1
    for text in must_mention:
        assert text in " ".join(result.output.split()), (text, result.output)
    after_counts, after_quarantined, after_journal = warehouse_state(ws)
    assert (after_counts, after_quarantined) == (counts, quarantined)
    assert after_journal == {**journal, "failed": 1}


def test_max_bad_rows_share_flag_lets_a_messy_file_load_with_quarantine(ws, tmp_path):
    result = invoke(ws, "load", str(type_violations(tmp_path)), "--max-bad-rows-share", "0.10", "--json")
    assert result.exit_code == 0, result.output
    load = json.loads(result.stdout)["loads"][0]
    assert (load["rows_in"], load["rows_loaded"], load["rows_quarantined"]) == (42, 40, 2)


def test_date_format_flag_reads_day_first_dates(ws, tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("id,Day\n1,01/02/2024\n2,03/04/2024\n", encoding="utf-8")
    assert invoke(ws, "load", str(path), "--date-format", "dmy").exit_code == 0
    con = ws.connect(read_only=True)
    assert str(con.execute("SELECT day FROM raw.eu ORDER BY id").fetchall()[0][0]) == "2024-02-01"
    con.close()
    bad = invoke(ws, "load", str(path), "--date-format", "european")
    assert bad.exit_code == 1 and "--date-format" in bad.output


def test_tables_lists_rows_columns_headers_and_last_load(ws, good_file):
    invoke(ws, "load", str(good_file))
    text = invoke(ws, "tables")
    assert text.exit_code == 0
    assert "raw.payments: 40 rows, 3 columns" in text.output and "('Created (UTC)')" in text.output
    data = json.loads(invoke(ws, "tables", "--json").stdout)["tables"]
    payments = next(t for t in data if t["table"] == "raw.payments")
    assert payments["rows"] == 40
    assert {"name": "created_utc", "type": "TIMESTAMP", "header": "Created (UTC)"} in payments["columns"]
    assert payments["last_load"]["source"].endswith("payments.csv")


def test_tables_on_an_empty_warehouse_says_how_to_load(ws):
    result = invoke(ws, "tables")
    assert result.exit_code == 0 and "soloml load" in result.output


def test_load_shows_the_recognised_vendor_object_and_core_rows(ws, good_file, monkeypatch):
    from soloml.canonical import ingest
    from soloml.sources.contracts import Detection

    monkeypatch.setattr(
        ingest,
        "detect",
        lambda headers, sample, as_name, **_: Detection(
            "stripe_payments", ("id",), "stripe.payments", 0.9, "header matches 3 of 3 columns"
        ),
    )
    monkeypatch.setattr(ingest, "route", lambda con, landed, **_: {"payments": landed.rows_loaded, "_test_mode": 2})
    result = invoke(ws, "load", str(good_file))
    assert result.exit_code == 0, result.output
    assert "-> raw.stripe_payments" in result.output
    assert "recognised as stripe.payments (confidence 90%): header matches 3 of 3 columns" in result.output
    assert "core rows: payments 40" in result.output and "left out of core: 2 test mode" in result.output


def test_a_bad_file_among_several_fails_alone_and_the_others_load(ws, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("id,amount\n1,5.00\n2,7.50\n")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,amount\n1,5.00\n2,\xff\xfe\x00bad\n")
    other = tmp_path / "other.csv"
    other.write_text("id,name\n1,a\n")
    result = CliRunner().invoke(app, ["load", str(good), str(bad), str(other), "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    assert [(Path(r["source"]).name, r["status"]) for r in payload["loads"]] == [
        ("good.csv", "loaded"),
        ("bad.csv", "failed"),
        ("other.csv", "loaded"),
    ]
    assert [Path(f["source"]).name for f in payload["failed"]] == ["bad.csv"]
    assert "1 of 3 files failed" in result.stderr and "bad.csv" in result.stderr


def _with_sources(ws, text: str) -> None:
    config = ws.root / "soloml.yaml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_load_without_arguments_reruns_every_source_listed_in_soloml_yaml(ws, tmp_path):
    import sqlite3

    exports = ws.root / "exports"
    (exports / "shop").mkdir(parents=True)
    (exports / "payments.csv").write_text(GOOD, encoding="utf-8")
    (exports / "shop" / "orders.csv").write_text("id,total\n1,5.00\n", encoding="utf-8")
    (exports / "shop" / "refunds.json").write_text('[{"id": "r1", "amount": 2}]', encoding="utf-8")
    with sqlite3.connect(ws.root / "app.db") as lite:
        lite.execute("CREATE TABLE customers (id INTEGER, email TEXT)")
        lite.execute("INSERT INTO customers VALUES (1, 'a@x.com')")
    _with_sources(
        ws, "sources:\n  - path: exports/payments.csv\n  - path: exports/shop\n  - path: app.db\n    table: customers\n"
    )
    first = runner.invoke(app, ["load", "--workspace", str(ws.root), "--json"])
    assert first.exit_code == 0, first.output
    loads = json.loads(first.stdout)["loads"]
    assert [(r["raw_table"], r["status"]) for r in loads] == [
        ("raw.payments", "loaded"),
        ("raw.orders", "loaded"),
        ("raw.refunds", "loaded"),
        ("raw.customers", "loaded"),
    ]
    again = runner.invoke(app, ["load", "--workspace", str(ws.root)])
    assert again.exit_code == 0 and again.output.count("unchanged") == 4, again.output


def test_a_configured_source_that_fails_fails_alone_and_the_command_exits_1(ws):
    (ws.root / "payments.csv").write_text(GOOD, encoding="utf-8")
    _with_sources(ws, "sources:\n  - path: missing.csv\n  - path: payments.csv\n")
    result = runner.invoke(app, ["load", "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 1
    loads = json.loads(result.stdout)["loads"]
    assert [(Path(r["source"]).name, r["status"]) for r in loads] == [
        ("missing.csv", "failed"),
        ("payments.csv", "loaded"),
    ]
    assert "missing.csv" in result.stderr


def test_load_without_arguments_or_configured_sources_says_how_to_list_them(ws):
    result = runner.invoke(app, ["load", "--workspace", str(ws.root)])
    assert result.exit_code == 1
    assert "sources:" in result.output and "soloml.yaml" in result.output


def test_the_summary_lists_every_sheet_and_file_as_loaded_failed_or_not_attempted(ws, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Orders"
    for row in [["id", "placed"], *[[i, "2024-01-05"] for i in range(20)]]:
        book.active.append(row)
    bad = book.create_sheet("Refunds")
    for row in [["id", "amount"], *[[i, f"=C{i + 2}*2"] for i in range(20)]]:  # formulas never calculated
        bad.append(row)
    book.create_sheet("Notes").append(["id", "note"])
    book["Notes"].append([1, "hello"])
    book.save(tmp_path / "book.xlsx")
    (tmp_path / "good.csv").write_text("id\n1\n", encoding="utf-8")
    result = runner.invoke(
        app, ["load", str(tmp_path / "good.csv"), str(tmp_path / "book.xlsx"), "--workspace", str(ws.root), "--json"]
    )
    assert result.exit_code == 1
    loads = json.loads(result.stdout)["loads"]
    assert [(Path(r["source"]).name, r["status"]) for r in loads] == [
        ("good.csv", "loaded"),
        ("book.xlsx [Orders]", "failed"),
        ("book.xlsx [Refunds]", "failed"),
        ("book.xlsx [Notes]", "not_attempted"),
    ]
    text = runner.invoke(app, ["load", str(tmp_path / "book.xlsx"), "--workspace", str(ws.root)])
    assert text.exit_code == 1
    flat = " ".join(text.output.split())
    assert "book.xlsx [Orders]: failed" in flat and "book.xlsx [Notes]: not attempted" in flat
