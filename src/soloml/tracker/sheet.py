"""board.csv as a spreadsheet sees it: UTF-8 with a BOM, RFC 4180 quoting, no cell a spreadsheet would run.

A cell starting with = + - @ (or a tab or carriage return) is written with a leading apostrophe, the
mark spreadsheets read as "this is text"; reading strips that apostrophe again, so a round trip is
stable. Plain numbers ("-2", "+3.5") are left as they are. Writes go to a temporary file renamed into
place, so a crash never leaves half a board.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from soloml.errors import TrackerError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Sheet:
    """A table as read: the header as typed and each row as header -> text (row numbers as a spreadsheet counts them)."""

    path: Path
    header: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    row_numbers: tuple[int, ...]


def neutralise(text: str) -> str:
    """The cell as written: a leading apostrophe before anything a spreadsheet would evaluate."""
    if text.startswith(FORMULA_START) and not NUMBER.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The cell as meant: drop the apostrophe `neutralise` (or a person) put before a formula-looking start."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def read_sheet(path: Path) -> Sheet:
    """Read a CSV a person may have saved from Excel, LibreOffice or Sheets (comma, semicolon or tab separated)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TrackerError(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be read).",
            hint="Save it again as 'CSV UTF-8' from your spreadsheet program.",
        ) from exc
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TrackerError(
            f"{path} is not a readable CSV file: {exc}.", hint="Save it again as CSV from your spreadsheet program."
        ) from exc
    if not records:
        return Sheet(path, (), (), ())
    header = tuple(h.strip() for h in records[0])
    _check_header(path, header)
    rows, numbers = [], []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header) :]):
            raise TrackerError(
                f"{path} row {number} has {len(record)} cells but the header has {len(header)} columns "
                f"(extra value {record[len(header)]!r}).",
                hint="Give the extra column a header name, or delete the stray cells.",
            )
        cells = [restore(c) for c in record] + [""] * (len(header) - len(record))
        rows.append(dict(zip(header, cells, strict=False)))  # empty cells past the header were allowed above
        numbers.append(number)
    return Sheet(path, header, tuple(rows), tuple(numbers))


def _check_header(path: Path, header: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if not name:
            raise TrackerError(
                f"{path} column {i} has no header name.",
                hint="Type a name in row 1 of that column, or delete the column.",
            )
        if name.lower() in seen:
            raise TrackerError(
                f"{path} has two columns named '{name}' (columns {seen[name.lower()]} and {i}).",
                hint="Rename or delete one of them.",
            )
        seen[name.lower()] = i


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(c) for c in row] for row in rows)
    _replace(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))


STATUS_FILLS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE", "grey": "E7E6E6"}


def write_xlsx(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    status_column: str | None,
    date_columns: Sequence[str],
) -> None:
    """The same table as an Excel file: text cells typed as text (never formulas), dates as dates, status cells coloured."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "Board"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, (name, text) in enumerate(zip(header, row, strict=True), start=1):
            cell = sheet.cell(row=r, column=c)
            if name in date_columns and _iso_date(text):
                cell.value, cell.number_format = date.fromisoformat(text), "yyyy-mm-dd"
            else:
                cell.value = text
                cell.data_type = "s"  # a string typed as a string: '=SUM(A1)' stays text, not a formula
            if name == status_column and text in STATUS_FILLS:
                cell.fill = PatternFill("solid", fgColor=STATUS_FILLS[text])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    _replace(path, buffer.getvalue())


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TrackerError(
            f"Could not write {path}: {exc.strerror or exc}.",
            hint="Close the file if a spreadsheet program holds it, and check the folder is writable.",
        ) from exc
