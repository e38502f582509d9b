"""Excel workbooks: every sheet with data is a load unit, and the workbook loads in one transaction.

Per sheet, every cell is accounted for: the header row is found (title rows above it are skipped, and the
report says so); values right of the header are kept in columns named by position and reported; a
formula whose value was never saved (a workbook written by a script, never opened in Excel) sends its row to
quarantine naming the formula; `_source_row` is the sheet row minus the header row, blank rows included.
Empty sheets are skipped with a note; a workbook without any data is an error.
"""

from __future__ import annotations

import hashlib
import html
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

import pyarrow as pa

from soloml.errors import LoadError
from soloml.sources.encoding import sha256_of
from soloml.sources.header import header_index
from soloml.sources.units import RejectedLine, Staged, Unit, UnitGroup
from soloml.temp_names import registered
from soloml.warehouse.base import Connection
from soloml.warehouse.names import column_names, table_name

HEADER_SCAN_ROWS = 40
ROW = "_soloml_src_row"
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(r"([A-Z]+)([0-9]+)")


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):  # Excel stores dates as midnight date-times
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _letters(column: int) -> str:
    out = ""
    while column:
        column, rest = divmod(column - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part in the archive, from the workbook and its relationships."""
    book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {
        m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels)
    }
    targets.update(
        {m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)}
    )
    out = {}
    for m in re.finditer(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', book):
        target = targets.get(m.group(2), "")
        out[html.unescape(m.group(1))] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def uncached_formulas(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Per sheet: (row, column) -> formula, for formula cells saved without their value."""
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for sheet, part in _sheet_paths(archive).items():
                xml = archive.read(part)
                if not re.search(rb"<f[ >/]", xml):
                    continue
                found = {}
                for attrs, inner in _CELL.findall(xml):
                    if not inner or b"<f" not in inner:
                        continue
                    value = re.search(rb"<v>(.*?)</v>", inner, re.DOTALL)
                    typed = re.search(rb'\bt="([^"]+)"', attrs)
                    if (value and value.group(1).strip()) or (typed and typed.group(1) == b"str" and b"<v" in inner):
                        continue
                    ref = re.search(rb'\br="([A-Z]+[0-9]+)"', attrs)
                    text = re.search(rb"<f[^>]*>(.*?)</f>", inner, re.DOTALL)
                    if ref:
                        letters, number = _REF.fullmatch(ref.group(1).decode()).groups()  # type: ignore[union-attr]
                        formula = "=" + html.unescape(text.group(1).decode()) if text else "a shared formula"
                        found[(int(number), _column_number(letters))] = formula
                if found:
                    out[sheet] = found
    except (KeyError, zipfile.BadZipFile):
        return {}
    return out


def _open(path: Path):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise LoadError(
            f"{path.name} is not a readable Excel workbook: {exc}.", hint="Open it in Excel and save it again as .xlsx."
        ) from exc


def _rows(path: Path, sheet: str) -> list[tuple]:
    """Every row of `sheet`, blank ones included, so list index + 1 is the sheet's row number."""
    book = _open(path)
    try:
        ws = book[sheet]
        ws.reset_dimensions()
        return list(ws.iter_rows(min_row=1, min_col=1, values_only=True))
    finally:
        book.close()


def _blank(row: tuple) -> bool:
    return not any(c is not None and str(c).strip() != "" for c in row)


def _has_data(book, sheet: str) -> bool:
    ws = book[sheet]
    ws.reset_dimensions()
    return any(not _blank(r) for r in ws.iter_rows(values_only=True))


def xlsx_group(path: Path) -> UnitGroup:
    """One unit per sheet with data; empty sheets are noted."""
    book = _open(path)
    try:
        sheets = list(book.sheetnames)
        with_data = [s for s in sheets if _has_data(book, s)]
    finally:
        book.close()
    if not with_data:
        raise LoadError(
            f"{path.name} has no sheet with data (sheets: {', '.join(repr(s) for s in sheets)}).",
            hint="Add a header row and data to a sheet, or export the right file.",
        )
    notes = tuple(f"sheet '{s}' is empty: skipped" for s in sheets if s not in with_data)
    file_sha = sha256_of(path)
    formulas = uncached_formulas(path)
    stem = table_name(path.stem)
    units = []
    for sheet in with_data:

        def stage(con: Connection, table: str, sheet: str = sheet) -> Staged:
            return stage_sheet(con, table, path, sheet, formulas.get(sheet, {}))

        sha = hashlib.sha256(f"{file_sha}:{sheet}".encode()).hexdigest()
        suffix = "" if len(sheets) == 1 else f"_{table_name(sheet)}"
        units.append(Unit(f"{path} [{sheet}]", "xlsx", f"{stem}{suffix}", sha, stage, suffix=suffix))
    return UnitGroup(str(path), tuple(units), notes)


def _width(row: tuple) -> int:
    return max((i + 1 for i, c in enumerate(row) if c is not None and str(c).strip() != ""), default=0)


def stage_sheet(con: Connection, table: str, path: Path, sheet: str, formulas: dict[tuple[int, int], str]) -> Staged:
    rows = _rows(path, sheet)
    scan = [[_cell_text(c) or "" for c in r] for r in rows[:HEADER_SCAN_ROWS]]
    at = header_index(scan)
    header_row = at + 1
    header_width = _width(rows[at])
    data = [(n, r) for n, r in enumerate(rows[at + 1 :], start=header_row + 1) if not _blank(r)]
    width = max([header_width, *(_width(r) for _, r in data)])
    headers = tuple((_cell_text(c) or "") for c in (list(rows[at]) + [None] * width)[:width])
    columns = column_names(list(headers))
    cols: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    rejected: list[RejectedLine] = []
    beyond: list[str] = []
    for sheet_row, r in data:
        cells = list(r) + [None] * (width - len(r))
        if _width(r) > header_width:
            beyond += [f"{_letters(i + 1)}{sheet_row}" for i in range(header_width, width) if not _blank((cells[i],))]
        missing = [(i, formulas[(sheet_row, i + 1)]) for i in range(width) if (sheet_row, i + 1) in formulas]
        if missing:
            reason = "; ".join(
                f"column '{headers[i] or columns[i]}' holds a formula ({f}) with no saved value" for i, f in missing
            )
            line = ", ".join(_cell_text(c) or "" for c in cells[:width])
            rejected.append(
                RejectedLine(
                    sheet_row - header_row,
                    line,
                    f"{reason}: open the file in Excel or LibreOffice and save it, so its values are stored",
                )
            )
            continue
        numbers.append(sheet_row - header_row)
        for i in range(width):
            cols[i].append(_cell_text(cells[i]))
    arrow = pa.table(
        {
            **{c: pa.array(v, pa.string()) for c, v in zip(columns, cols, strict=True)},
            ROW: pa.array(numbers, pa.int64()),
        }
    )
    with registered(con, arrow, "sheet") as sheet_rows:
        con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM {sheet_rows}")
    return Staged(
        headers,
        tuple(columns),
        tuple(rejected),
        row_sql=ROW,
        notes=_notes(sheet, header_row, header_width, columns, beyond),
    )


def _notes(sheet: str, header_row: int, header_width: int, columns: list[str], beyond: list[str]) -> tuple[str, ...]:
    notes = []
    if header_row > 1:
        above = header_row - 1
        notes.append(
            f"sheet '{sheet}': the header is on row {header_row}: the {above} row{'s' if above != 1 else ''} above it (a report title) were skipped"
        )
    if beyond:
        extra = ", ".join(f"'{c}'" for c in columns[header_width:])
        cells = ", ".join(beyond[:5]) + (f" and {len(beyond) - 5} more" if len(beyond) > 5 else "")
        notes.append(
            f"sheet '{sheet}': {len(beyond)} value{'s' if len(beyond) != 1 else ''} beyond the header's {header_width} columns "
            f"kept in column{'s' if len(columns) - header_width != 1 else ''} {extra}: {cells}"
        )
    return tuple(notes)
