"""The board through a real spreadsheet program: LibreOffice converts it to XLSX, a person edits it, LibreOffice saves CSV."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from soloml.tracker.board import refresh_board
from soloml.tracker.event_log import make_log
from soloml.tracker.sheet import read_sheet, write_csv
from tracker.helpers import START, contract, event

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (Debian: apt-get install libreoffice-calc-nogui; .ci/run does it)",
)

CSV_UTF8 = "44,34,76,1"  # comma, double quote, UTF-8, from line 1
TODAY = date(2026, 12, 1)


def _convert(source: Path, target: str, outdir: Path, profile: Path, *, infilter: str | None = None) -> Path:
    command = [
        SOFFICE,
        "--headless",
        "--norestore",
        f"-env:UserInstallation=file://{profile}",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        str(source),
    ]
    if infilter:
        command[3:3] = [f"--infilter={infilter}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    produced = outdir / f"{source.stem}.{target.split(':')[0]}"
    assert done.returncode == 0 and produced.is_file(), done.stdout + done.stderr
    return produced


def _type_note(ws, project: str, note: str) -> None:
    """A person types a note into board.csv (soloml writes it back neutralised on the next refresh)."""
    sheet = read_sheet(ws.board_path)
    rows = [{**r, "Notes": note} if r["Project"] == project else r for r in sheet.rows]
    write_csv(ws.board_path, sheet.header, [[r[h] for h in sheet.header] for r in rows])


def test_the_board_survives_libreoffice_to_xlsx_an_edit_and_back_to_csv(ws, tmp_path):
    from openpyxl import load_workbook

    events = [
        event("project_agreed", 0, **contract(deadline="2026-12-31")),
        event("project_agreed", 1, project="upsell", **contract()),
        event("model_trained", 10, subject="v0001", verdict="DONE", spec_hash="h1", expected_value=1140.0),
    ]
    log = make_log(events, START.replace(month=12))
    refresh_board(ws, log=log, today=TODAY)
    _type_note(ws, "upsell", "=SUM(1,2)")
    profile = tmp_path / "lo-profile"
    xlsx = _convert(ws.board_path, "xlsx", tmp_path / "x", profile, infilter=f"CSV:{CSV_UTF8}")

    book = load_workbook(xlsx)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    rows = {sheet.cell(row=r, column=col["Project"]).value: r for r in range(2, sheet.max_row + 1)}
    formula = sheet.cell(row=rows["upsell"], column=col["Notes"])
    assert (formula.value, formula.data_type) == ("'=SUM(1,2)", "s")  # LibreOffice kept it as text, it did not run it
    sheet.cell(row=rows["churn"], column=col["Notes"]).value = 'Ask Dana, "soon"; café list'
    sheet.cell(row=rows["churn"], column=col["Effort (days)"]).value = 4
    sheet.cell(row=rows["upsell"], column=col["Next step"]).value = "Wait for the spring catalogue"
    sheet.cell(row=rows["upsell"], column=col["Due"]).value = date(2027, 3, 1)
    sheet.cell(row=rows["upsell"], column=col["Due"]).number_format = "yyyy-mm-dd"
    sheet.cell(row=1, column=sheet.max_column + 1).value = "Budget"
    sheet.cell(row=rows["churn"], column=sheet.max_column).value = "$2k"
    book.save(xlsx)
    back = _convert(xlsx, f"csv:Text - txt - csv (StarCalc):{CSV_UTF8}", tmp_path / "c", profile)
    ws.board_path.write_bytes(back.read_bytes())

    board = refresh_board(ws, log=log, today=TODAY)
    churn, upsell = board.row("churn").values, board.row("upsell").values
    assert (churn["notes"], churn["effort_days"], churn["due"], churn["stage"]) == (
        'Ask Dana, "soon"; café list',
        "4",
        "2026-12-31",
        "trained",
    )
    assert churn["priority"] == "1" and "4 days of work left" in churn["priority_reason"]
    assert (upsell["next_step"], upsell["due"], upsell["notes"]) == (
        "Wait for the spring catalogue",
        "2027-03-01",
        "=SUM(1,2)",
    )
    assert board.row("churn").cells["Budget"] == "$2k"
    assert [r["Id"] for r in read_sheet(ws.board_path).rows] == ["P001", "P002"]
