"""board.csv: a row per project from the events, a person's cells kept, safe to open in any spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.errors import ConfigError, TrackerError
from soloml.projects.spec import save_spec
from soloml.reports.wording import wording_problems
from soloml.tracker.board import refresh_board
from soloml.tracker.event_log import make_log
from soloml.tracker.sheet import neutralise, read_sheet, restore
from tracker.helpers import START, contract, event, fixed_log, spec

TODAY = date(2026, 12, 1)


def _rows(ws) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(ws.board_path.read_bytes().decode("utf-8-sig"), newline="")))


def _edit(ws, change) -> None:
    """Edit board.csv as a person would: read it, change cells, save it (no BOM, LF, like LibreOffice does)."""
    rows = _rows(ws)
    header = list(rows[0].keys())
    rows, header = change(rows, header)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    ws.board_path.write_bytes(buffer.getvalue().encode("utf-8"))


def _log(*events):
    return make_log(events, START.replace(month=12))


AGREED = event("project_agreed", 0, **contract(deadline="2026-12-31"))
TRAINED = event(
    "model_trained", 10, subject="v0001", verdict="DONE", spec_hash="h1", expected_value=1140.0, cycle="weekly"
)


def test_the_board_has_a_row_per_project_from_the_workspace_files(ws):
    save_spec(spec(), ws.projects_dir)
    (ws.projects_dir / "broken.yaml").write_text("question: [unclosed\n", encoding="utf-8")
    board = refresh_board(ws, today=TODAY)
    rows = {r["Project"]: r for r in _rows(ws)}
    assert set(rows) == {"churn", "broken"}
    assert (rows["churn"]["Stage"], rows["churn"]["Status"], rows["churn"]["Owner"], rows["churn"]["Stakeholder"]) == (
        "agreed",
        "green",
        "Sam",
        "Dana",
    )
    assert rows["churn"]["Done line"] == "at least 35.0%" and rows["churn"]["Metric"] == "hit rate among those acted on"
    assert rows["broken"]["Status"] == "red" and rows["broken"]["Why"].startswith("The contract file does not read")
    assert board.row("churn").values["id"] == rows["churn"]["Id"]


def test_a_persons_cells_added_columns_and_order_survive_a_regeneration(ws):
    second = event("project_agreed", 1, project="upsell", **contract())
    refresh_board(ws, log=_log(AGREED, second), today=TODAY)

    def person(rows, header):
        churn = next(r for r in rows if r["Project"] == "churn")
        churn.update(
            {
                "Notes": 'Dana wants a "short" check-in, mid-month',
                "Due": "2027-01-15",
                "Next step": "Call Dana first",
                "Effort (days)": "3",
            }
        )
        for r in rows:
            r["Budget"] = "$2k" if r["Project"] == "churn" else ""
        header = ["Project", "Notes", *[h for h in header if h not in ("Project", "Notes")], "Budget"]
        return list(reversed(rows)), header  # upsell first now

    _edit(ws, person)
    board = refresh_board(
        ws, log=_log(AGREED, second, TRAINED, event("project_agreed", 12, project="leads", **contract())), today=TODAY
    )
    rows = _rows(ws)
    assert [r["Project"] for r in rows] == ["upsell", "churn", "leads"]
    assert list(rows[0])[:2] == ["Project", "Notes"] and list(rows[0])[-1] == "Budget"
    churn = rows[1]
    assert (churn["Notes"], churn["Due"], churn["Next step"], churn["Effort (days)"], churn["Budget"]) == (
        'Dana wants a "short" check-in, mid-month',
        "2027-01-15",
        "Call Dana first",
        "3",
        "$2k",
    )
    assert churn["Stage"] == "trained"  # soloml's own column follows the events
    assert churn["Priority"] == "1" and churn["Why this priority"].startswith(
        "churn first: about $1,140 a week at stake"
    )
    assert any("Kept your Next step for churn" in e.words() for e in board.edits)


def test_soloml_keeps_its_own_suggestion_current_and_takes_back_a_cleared_cell(ws):
    refresh_board(ws, log=_log(AGREED), today=TODAY)
    assert _rows(ws)[0]["Next step"] == "Train a first model against today's rule"
    refresh_board(ws, log=_log(AGREED, TRAINED), today=TODAY)
    assert _rows(ws)[0]["Next step"] == "Put the model live and score on a schedule"
    _edit(ws, lambda rows, header: ([{**rows[0], "Due": "2027-02-01"}], header))
    refresh_board(ws, log=_log(AGREED, TRAINED), today=TODAY)
    assert _rows(ws)[0]["Due"] == "2027-02-01"
    _edit(ws, lambda rows, header: ([{**rows[0], "Due": ""}], header))
    refresh_board(ws, log=_log(AGREED, TRAINED), today=TODAY)
    assert _rows(ws)[0]["Due"] == "2026-12-31"  # the contract's deadline again


def test_parked_is_a_persons_call_and_any_other_typed_stage_is_replaced_and_said(ws):
    refresh_board(ws, log=_log(AGREED, event("project_agreed", 1, project="upsell", **contract())), today=TODAY)
    _edit(ws, lambda rows, header: ([{**rows[0], "Stage": "parked"}, {**rows[1], "Stage": "proven"}], header))
    board = refresh_board(
        ws, log=_log(AGREED, TRAINED, event("project_agreed", 1, project="upsell", **contract())), today=TODAY
    )
    rows = {r["Project"]: r for r in _rows(ws)}
    assert (rows["churn"]["Stage"], rows["churn"]["Status"], rows["churn"]["Priority"]) == ("parked", "grey", "")
    assert rows["upsell"]["Stage"] == "agreed"
    assert any(
        "Stage is soloml's column: your 'proven' for upsell was replaced by 'agreed'" in e.words() for e in board.edits
    )


def test_ids_are_text_and_stable_even_when_a_row_is_deleted_and_comes_back(ws):
    log = _log(AGREED, event("project_agreed", 1, project="upsell", **contract()))
    refresh_board(ws, log=log, today=TODAY)
    ids = {r["Project"]: r["Id"] for r in _rows(ws)}
    assert ids == {"churn": "P001", "upsell": "P002"}
    _edit(ws, lambda rows, header: ([r for r in rows if r["Project"] != "churn"], header))
    refresh_board(ws, log=log, today=TODAY)
    assert {r["Project"]: r["Id"] for r in _rows(ws)} == ids


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("-2", "-2"),
        ("+3.5", "+3.5"),
        ('plain, with "quotes"', 'plain, with "quotes"'),
    ],
)
def test_cells_a_spreadsheet_would_run_are_written_as_text_and_read_back_as_typed(ws, typed, written):
    assert neutralise(typed) == written and restore(written) == typed
    refresh_board(ws, log=_log(AGREED), today=TODAY)
    _edit(ws, lambda rows, header: ([{**rows[0], "Notes": typed}], header))
    refresh_board(ws, log=_log(AGREED), today=TODAY)
    assert _rows(ws)[0]["Notes"] == written
    assert read_sheet(ws.board_path).rows[0]["Notes"] == typed


def test_the_file_is_utf8_with_a_bom_crlf_rows_rfc4180_quoting_and_iso_dates(ws):
    refresh_board(ws, log=_log(AGREED, TRAINED), today=TODAY)
    _edit(ws, lambda rows, header: ([{**rows[0], "Notes": 'Café, "déjà vu"\nsecond line'}], header))
    refresh_board(ws, log=_log(AGREED, TRAINED), today=TODAY)
    raw = ws.board_path.read_bytes()
    assert (
        raw.startswith(b"\xef\xbb\xbf")
        and raw.count(b"\r\n") == 2
        and b'"Caf\xc3\xa9, ""d\xc3\xa9j\xc3\xa0 vu""\nsecond line"' in raw
    )
    row = _rows(ws)[0]
    assert row["Notes"] == 'Café, "déjà vu"\nsecond line'
    assert (row["Due"], row["Last event"]) == ("2026-12-31", "2026-11-11")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Id,Project,Notes\r\nP001,churn,a\r\nP002,churn,b\r\n", "lists project 'churn' twice (rows 2 and 3)"),
        ("Id,Project,Notes\r\nP001,,a note\r\n", "row 2 has no project name"),
        ("Id,Project,Notes\r\nP001,churn,a\r\nP001,upsell,b\r\n", "rows 2 and 3 share the id 'P001'"),
        ("Id,Project\r\nP001,churn,stray\r\n", "row 2 has 3 cells but the header has 2 columns (extra value 'stray')"),
        ("Id,Project,Project\r\n", "two columns named 'Project' (columns 2 and 3)"),
        ("Id,,Notes\r\n", "column 2 has no header name"),
        ("Id,Project,Next step,next_step\r\n", "two columns that both mean Next step: 'Next step' and 'next_step'"),
    ],
)
def test_a_board_a_person_broke_gets_an_error_naming_the_row_and_nothing_is_written(ws, content, message):
    ws.board_path.write_bytes(content.encode("utf-8"))
    with pytest.raises(TrackerError, match="board.csv") as info:
        refresh_board(ws, log=_log(AGREED), today=TODAY)
    assert message in str(info.value)
    assert ws.board_path.read_bytes() == content.encode("utf-8")


def test_the_header_of_an_older_workspace_is_read_and_completed(ws):
    ws.board_path.write_bytes(b"project,stage,status,owner,stakeholder,next_step,due,updated_at\n")
    refresh_board(ws, log=_log(AGREED), today=TODAY)
    header = list(_rows(ws)[0])
    assert header[:8] == ["project", "stage", "status", "owner", "stakeholder", "next_step", "due", "updated_at"]
    assert {"Id", "Why", "Priority", "Notes"} <= set(header) and _rows(ws)[0]["updated_at"] == "2026-11-01"


def test_a_board_saved_in_a_legacy_encoding_is_refused_with_what_to_do(ws):
    ws.board_path.write_bytes("Id,Project,Notes\r\nP001,churn,caf\xe9\r\n".encode("cp1252"))
    with pytest.raises(TrackerError, match="not UTF-8 text.*CSV UTF-8"):
        refresh_board(ws, log=_log(AGREED), today=TODAY)


def test_semicolon_separated_boards_from_european_spreadsheets_are_read(ws):
    ws.board_path.write_text("Id;Project;Notes\r\nP001;churn;bonjour, Dana\r\n", encoding="utf-8")
    refresh_board(ws, log=_log(AGREED), today=TODAY)
    assert _rows(ws)[0]["Notes"] == "bonjour, Dana"


def test_an_unknown_person_column_in_the_settings_is_refused_with_did_you_mean(ws):
    (ws.root / "soloml.yaml").write_text("name: x\nboard:\n  person_columns: [notes, nxt_step]\n", encoding="utf-8")
    from soloml.workspace import open_workspace

    with pytest.raises(ConfigError, match="'nxt_step'.*Did you mean 'next_step'"):
        refresh_board(open_workspace(ws.root), log=_log(AGREED), today=TODAY)


def test_the_xlsx_copy_types_text_as_text_dates_as_dates_and_colours_the_status(ws):
    from openpyxl import load_workbook

    refresh_board(ws, log=_log(AGREED), today=TODAY)
    _edit(ws, lambda rows, header: ([{**rows[0], "Notes": "=1+1"}], header))
    board = refresh_board(ws, log=_log(AGREED, TRAINED), today=TODAY, xlsx=True)
    sheet = load_workbook(board.xlsx).active
    header = [c.value for c in sheet[1]]
    notes, due, status = (sheet.cell(row=2, column=header.index(n) + 1) for n in ("Notes", "Due", "Status"))
    assert (notes.value, notes.data_type) == ("=1+1", "s")
    assert due.value.date() == date(2026, 12, 31) and due.number_format == "yyyy-mm-dd"
    assert status.value == "green" and status.fill.fgColor.rgb.endswith("C6EFCE")


def test_every_word_on_the_board_follows_the_wording_rules(ws):
    board = refresh_board(ws, log=fixed_log(), today=TODAY)
    words = "\n".join(v for r in board.rows for k, v in r.values.items() if k not in ("project", "id"))
    assert {r.values["status"] for r in board.rows} >= {"green", "amber", "red"}
    assert wording_problems(words) == []


def test_soloml_board_json_prints_the_rows_and_writes_the_files(ws):
    save_spec(spec(), ws.projects_dir)
    result = CliRunner().invoke(app, ["board", "--workspace", str(ws.root), "--json", "--xlsx"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert [r["project"] for r in facts["rows"]] == ["churn"] and facts["rows"][0]["stage"] == "agreed"
    assert (ws.root / "board.xlsx").is_file() and facts["xlsx"].endswith("board.xlsx")
    human = CliRunner().invoke(app, ["board", "--workspace", str(ws.root)])
    assert "P001 churn: agreed, green" in human.stdout and "Wrote" in human.stdout
