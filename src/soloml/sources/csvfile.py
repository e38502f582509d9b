"""CSV / TSV (and Google Sheets CSV exports) into a staging table of text columns, read by DuckDB.

Python only decides the encoding and the dialect from the first 64 KB and parses the header line;
DuckDB reads every row as text with that dialect fixed (its own sniffer silently drops rows of ragged
files). Rows DuckDB cannot split into the header's number of fields are kept aside as rejects and
quarantined by the loader.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from soloml.errors import LoadError
from soloml.sources.encoding import TextFile, read_head
from soloml.warehouse.names import column_names

DELIMITERS = (",", ";", "\t", "|")
REJECTS = "_soloml_rejects"
REJECT_SCANS = "_soloml_reject_scans"


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    headers: tuple[str, ...]


@dataclass(frozen=True)
class RejectedLine:
    row: int  # data row (header = row 0), from the physical line number
    line: str
    reason: str


def _records(text: str, delimiter: str) -> list[list[str]]:
    # drop a partial last line of the 64 KB head
    body = text if len(text) < (1 << 16) - 8 else text[: text.rfind("\n") + 1]
    try:
        return list(csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', doublequote=True))
    except csv.Error:
        return []


def sniff_dialect(text: TextFile, *, suffix: str) -> Dialect:
    """The delimiter whose field count is most consistent over the first rows; .tsv files are tab-separated."""
    head = read_head(text)
    if not head.strip():
        raise LoadError(f"{text.original.name} is empty.", hint="Export it again with its header row and data.")
    options = ("\t",) if suffix in (".tsv", ".tab") else DELIMITERS
    best: tuple[float, int, str] | None = None
    best_records: list[list[str]] = []
    for delim in options:
        records = [r for r in _records(head, delim)[:200] if r]
        if not records:
            continue
        width = len(records[0])
        rows = records[1:] or [records[0]]
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = (consistent if width > 1 else 0.0, width, delim)
        if best is None or score[:2] > best[:2]:
            best, best_records = score, records
    if best is None:
        raise LoadError(f"{text.original.name} has no readable header row.", hint="Check that it is a CSV export.")
    headers = tuple(h.strip() for h in best_records[0])
    return Dialect(best[2], headers)


def stage_csv(con: duckdb.DuckDBPyConnection, text: TextFile, table: str, dialect: Dialect) -> tuple[list[str], list[RejectedLine]]:
    """Read every row as text into temp `table` (columns = snake_case headers). Returns columns and rejected lines."""
    columns = column_names(list(dialect.headers))
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
    path = str(text.path).replace("'", "''")
    delim = dialect.delimiter.replace("'", "''")
    con.execute(f"DROP TABLE IF EXISTS {REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {REJECT_SCANS}")
    try:
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv('{path}', auto_detect=false, header=true, "
            f"delim='{delim}', quote='\"', escape='\"', columns={spec}, store_rejects=true, "
            f"rejects_table='{REJECTS}', rejects_scan='{REJECT_SCANS}', max_line_size=16777216)"
        )
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise LoadError(f"{text.original.name} could not be read as CSV: {first}.", hint="Check the file is a complete CSV export.") from exc
    rows = con.execute(f"SELECT line, csv_line, error_type, error_message FROM {REJECTS} ORDER BY line").fetchall()
    con.execute(f"DROP TABLE IF EXISTS {REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {REJECT_SCANS}")
    rejected: dict[int, RejectedLine] = {}
    for line, csv_line, _etype, message in rows:
        row = int(line) - 1
        if row not in rejected:
            rejected[row] = RejectedLine(row, csv_line or "", f"row {row} cannot be split into the {len(columns)} header columns: {message}")
    return columns, sorted(rejected.values(), key=lambda r: r.row)


def blank_lines(path: Path) -> list[int]:
    """Physical line numbers of empty lines, which DuckDB skips (a fast byte search first; rare files pay more)."""
    found = False
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            if b"\n\n" in data or b"\n\r\n" in data:
                found = True
                break
            tail = data[-2:]
    if not found:
        return []
    out = []
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line in (b"\n", b"\r\n"):
                out.append(number)
    return out


def source_row_sql(rejected: list[RejectedLine], blank: list[int] = (), limit: int = 2000) -> str:  # type: ignore[assignment]
    """Map staged row order to the file's data-row number (line - 1), skipping rows DuckDB did not stage:
    rejected rows and empty lines. (An empty line inside a quoted value is counted too: rare, off by one.)"""
    skipped = sorted({r.row for r in rejected} | {b - 1 for b in blank})
    if not skipped or len(skipped) > limit:
        return "rowid + 1"
    # the i-th skipped row (1-based) sits after a_i = row_i - i staged rows
    gaps = [row - i for i, row in enumerate(skipped, start=1)]
    bumps = " + ".join(f"(rowid + 1 > {a})::BIGINT" for a in gaps)
    return f"rowid + 1 + {bumps}"


def quarantine_rejected(con: duckdb.DuckDBPyConnection, rejected: list[RejectedLine], *, load_id: str, source: str) -> None:
    if not rejected:
        return
    con.executemany(
        "INSERT INTO ops.quarantine (load_id, row_number, raw_row, reason, source) VALUES (?, ?, json_object('line', ?), ?, ?)",
        [[load_id, r.row, r.line, r.reason, source] for r in rejected],
    )
