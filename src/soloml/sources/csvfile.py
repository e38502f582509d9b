"""CSV / TSV (and Google Sheets CSV exports) into a staging table of text columns, read by DuckDB.

Python decides the dialect from the first 64 KB: the delimiter, and which line is the header (report
exports put a title above it). DuckDB reads every row as text with that dialect fixed (its own sniffer
silently drops rows of ragged files). Rows DuckDB cannot split into the header's number of fields are kept
aside as rejects, one per physical line, and quarantined by the loader. A quote that is never closed, or
that runs on for more than MAX_QUOTED_LINES lines, fails the load: it would swallow the rows after it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from soloml.errors import LoadError
from soloml.sources.encoding import (
    TextFile,
    TextSource,
    encoding_note,
    read_head,
    utf8_copy,
)
from soloml.sources.header import header_index, looks_like_header
from soloml.sources.scratch import Scratch
from soloml.sources.units import RejectedLine, Staged
from soloml.sql_quoting import quote_literal
from soloml.warehouse import ops
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_names

DELIMITERS = (",", ";", "\t", "|")
REJECTS = "_soloml_rejects"
REJECT_SCANS = "_soloml_reject_scans"
MAX_QUOTED_LINES = 100  # a quoted value longer than this is a quote left open, not a long note
WIDE_ENOUGH = 0.9  # share of rows at least as wide as a first-line header for it to beat a title skip
CSV_LINE_LIMIT = 10_000  # DuckDB keeps at most this many characters of a rejected record


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    headers: tuple[str, ...]
    header_line: int = 1  # physical line of the header (1 unless title lines sit above it)


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(physical line, fields) of the complete records in the 64 KB head; blank lines are empty records."""
    body = text if len(text) < (1 << 16) - 8 else text[: text.rfind("\n") + 1]  # drop a partial last line
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter, quotechar='"', doublequote=True)
    out, line = [], 1
    try:
        for record in reader:
            out.append((line, record))
            line = reader.line_num + 1
    except csv.Error:
        pass
    return out


def sniff_dialect(text: TextFile, *, suffix: str) -> Dialect:
    """The delimiter whose field count is most consistent from the header on; .tsv files are tab-separated.

    A delimiter that skips the first line as a title loses to one that reads that line as a header with rows at
    least as wide: a ';' inside a value of a comma file whose rows are all ragged must not make ';' the delimiter.
    """
    head = read_head(text)
    if not head.strip():
        raise LoadError(f"{text.original.name} is empty.", hint="Export it again with its header row and data.")
    options = ("\t",) if suffix in (".tsv", ".tab") else DELIMITERS
    best: tuple[float, int] | None = None
    chosen: Dialect | None = None
    first_line_headers: list[Dialect] = []
    for delim in options:
        records = _records(head, delim)[:200]
        if not any(r for _, r in records):
            continue
        at = header_index([r for _, r in records])
        line, header = records[at]
        rows = [r for _, r in records[at + 1 :] if r] or [header]
        width = len(header)
        dialect = Dialect(delim, tuple(h.strip() for h in header), line)
        wide_rows = sum(len(r) >= width for r in rows)
        if (
            width > 1
            and at == _first_filled(records)
            and looks_like_header(header)
            and wide_rows >= WIDE_ENOUGH * len(rows)
        ):
            first_line_headers.append(dialect)
        score = (sum(len(r) == width for r in rows) / len(rows) if width > 1 else 0.0, width)
        if best is None or score > best:
            best, chosen = score, dialect
    if chosen is None:
        raise LoadError(f"{text.original.name} has no readable header row.", hint="Check that it is a CSV export.")
    if first_line_headers and chosen.header_line > first_line_headers[0].header_line:
        return max(first_line_headers, key=lambda d: len(d.headers))
    return chosen


def _first_filled(records: list[tuple[int, list[str]]]) -> int:
    return next((i for i, (_, r) in enumerate(records) if any(c.strip() for c in r)), 0)


class _MixedLineEndings(Exception):
    """DuckDB could not read the file because its lines end in both CRLF and LF."""


def _unix_line_endings(text: TextFile, scratch: Scratch) -> TextFile:
    """A copy of the UTF-8 file with every CRLF as LF (the line count stays the same)."""
    target = scratch.file(".csv")
    try:
        with text.path.open("rb") as src, target.open("wb") as dst:
            carry = b""
            while chunk := src.read(1 << 20):
                data = carry + chunk
                carry = data[-1:] if data.endswith(b"\r") else b""
                dst.write((data[:-1] if carry else data).replace(b"\r\n", b"\n"))
            dst.write(carry)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        text.cleanup()
    return TextFile(text.original, target, text.encoding, True)


def header_note(dialect: Dialect) -> str | None:
    if dialect.header_line == 1:
        return None
    above = dialect.header_line - 1
    return f"the header is on line {dialect.header_line}: the {above} line{'s' if above != 1 else ''} above it (a report title) were skipped"


def stage_text(con: Connection, table: str, source: TextSource, scratch: Scratch, *, suffix: str) -> Staged:
    """Stage a CSV/TSV file (any encoding) into temp `table`, with its rejects, row numbering and notes."""
    text = utf8_copy(source, scratch)
    endings = None
    try:
        dialect = sniff_dialect(text, suffix=suffix)
        lines, blank = line_facts(text.path)
        try:
            columns, rejected = stage_csv(con, text, table, dialect, blank)
        except _MixedLineEndings:
            text = _unix_line_endings(text, scratch)
            endings = "the file mixes Windows (CRLF) and Unix (LF) line endings: it was read with LF throughout"
            columns, rejected = stage_csv(con, text, table, dialect, blank, lf_only=True)
        row_sql = source_row_sql(rejected, blank, dialect.header_line)
        refuse_long_values(con, table, columns, text, dialect, len(rejected), row_sql, lines, blank)
    finally:
        text.cleanup()
    notes = tuple(n for n in (header_note(dialect), encoding_note(source, dialect.header_line), endings) if n)
    return Staged(dialect.headers, tuple(columns), tuple(rejected), dialect.delimiter == ";", row_sql, notes=notes)


def stage_csv(
    con: Connection, text: TextFile, table: str, dialect: Dialect, blank: list[int], *, lf_only: bool = False
) -> tuple[list[str], list[RejectedLine]]:
    """Read every row as text into temp `table` (columns = snake_case headers). Returns columns and rejected lines."""
    columns = column_names(list(dialect.headers))
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
    path, delim = quote_literal(str(text.path)), quote_literal(dialect.delimiter)
    con.execute(f"DROP TABLE IF EXISTS {REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {REJECT_SCANS}")
    try:
        con.execute(
            f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({path}, auto_detect=false, header=true, "
            f"skip={dialect.header_line - 1}, delim={delim}, quote='\"', escape='\"', columns={spec}, store_rejects=true, "
            f"rejects_table='{REJECTS}', rejects_scan='{REJECT_SCANS}', max_line_size=16777216)"
        )
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        if "state machine reached an invalid state" in first and not lf_only:
            raise _MixedLineEndings from exc  # DuckDB refuses CRLF and LF lines in one file
        raise LoadError(
            f"{text.original.name} could not be read as CSV: {first}.", hint="Check the file is a complete CSV export."
        ) from exc
    rows = con.execute(f"SELECT line, csv_line, error_type, error_message FROM {REJECTS} ORDER BY line").fetchall()
    con.execute(f"DROP TABLE IF EXISTS {REJECTS}")
    con.execute(f"DROP TABLE IF EXISTS {REJECT_SCANS}")
    staged = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    rejected: dict[int, list[RejectedLine]] = {}
    for line, csv_line, etype, message in rows:
        row = int(line) - dialect.header_line
        if row not in rejected:
            rejected[row] = _rejected_rows(text, dialect, row, csv_line or "", str(etype), str(message), len(columns))
    _refuse_open_quote(text, dialect, rejected, staged, blank)
    return columns, [r for row in sorted(rejected) for r in rejected[row]]


def _rejected_rows(
    text: TextFile, dialect: Dialect, row: int, csv_line: str, etype: str, message: str, width: int
) -> list[RejectedLine]:
    """One rejected row per physical line of a rejected record (a broken quote can swallow several lines)."""
    body = csv_line.removesuffix("\n")  # the record's own line end, not an empty line
    parts = body.removesuffix("\r").split("\n")
    line = row + dialect.header_line
    if (
        etype == "LINE SIZE OVER MAXIMUM"
        or (len(csv_line) >= CSV_LINE_LIMIT and len(parts) > 1)
        or len(parts) > MAX_QUOTED_LINES
    ):
        raise _open_quote(text, line, f"runs over {len(parts):,}+ lines")
    if len(parts) == 1:
        return [RejectedLine(row, parts[0], f"row {row} cannot be split into the {width} header columns: {message}")]
    reason = (
        f"rows {row}-{row + len(parts) - 1} (lines {line}-{line + len(parts) - 1}) are one broken record: "
        f"a quote opened on line {line} does not close where a value ends ({message})"
    )
    return [RejectedLine(row + i, part.rstrip("\r"), reason) for i, part in enumerate(parts)]


def _refuse_open_quote(
    text: TextFile, dialect: Dialect, rejected: dict[int, list[RejectedLine]], staged: int, blank: list[int]
) -> None:
    """An unterminated quote in the last rejected record, with nothing read after it, ran to the end of the file."""
    if not rejected:
        return
    last = max(rejected)
    record = rejected[last]
    inside = {r.row for rows in rejected.values() for r in rows}  # a broken record may hold empty lines itself
    total = (
        staged
        + len(inside)
        + sum(1 for n in blank if n > dialect.header_line and n - dialect.header_line not in inside)
    )
    if "unterminated quote" in record[0].reason.lower() and record[-1].row >= total:
        raise _open_quote(text, last + dialect.header_line, "is never closed: it runs to the end of the file")


def _open_quote(text: TextFile, line: int, what: str) -> LoadError:
    return LoadError(
        f"{text.original.name}: the quoted value opened on line {line:,} {what}, so the rows after it cannot be read. "
        "Nothing was loaded.",
        hint=f"Fix the quote on line {line:,} (a value's quotes open and close on the same row unless it really holds line breaks) "
        "and export the file again.",
    )


def line_facts(path: Path) -> tuple[int, list[int]]:
    """(physical lines, line numbers of empty lines), in one fast pass over the bytes (a second only if some are empty)."""
    count, found, tail, last = 0, False, b"", b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
            if not found:
                edge = tail + chunk[:2]
                found = b"\n\n" in chunk or b"\n\r\n" in chunk or b"\n\n" in edge or b"\n\r\n" in edge
            tail, last = chunk[-2:], chunk[-1:]
    return count + (1 if last not in (b"", b"\n") else 0), (blank_lines(path) if found else [])


def blank_lines(path: Path) -> list[int]:
    """Physical line numbers of empty lines, which DuckDB skips."""
    out = []
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line in (b"\n", b"\r\n"):
                out.append(number)
    return out


def refuse_long_values(
    con: Connection,
    table: str,
    columns: list[str],
    text: TextFile,
    dialect: Dialect,
    rejected: int,
    row_sql: str,
    lines: int,
    blank: list[int],
) -> None:
    """Fail when a staged row holds a value running over MAX_QUOTED_LINES lines (a quote closed rows later).

    Free unless the file's values hold at least that many line breaks in all (lines beyond one per row); then
    one scan of the values that hold any."""
    staged = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
    extra = lines - (dialect.header_line + staged + rejected + sum(1 for n in blank if n > dialect.header_line))
    if extra < MAX_QUOTED_LINES or not columns:
        return
    breaks = " + ".join(
        f"CASE WHEN contains({quote_ident(c)}, chr(10)) THEN strlen({quote_ident(c)}) - strlen(replace({quote_ident(c)}, chr(10), '')) "
        f"ELSE 0 END"
        for c in columns
    )
    if (con.execute(f"SELECT max({breaks}) FROM {table}").fetchone()[0] or 0) < MAX_QUOTED_LINES:  # type: ignore[index]
        return
    found = con.execute(
        f"SELECT r, before FROM (SELECT {row_sql} AS r, n, coalesce(sum(n) OVER (ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING "
        f"AND 1 PRECEDING), 0) AS before FROM (SELECT rowid, {breaks} AS n FROM {table})) WHERE n >= {MAX_QUOTED_LINES} ORDER BY r LIMIT 1"
    ).fetchall()
    if found:
        row, before = found[0]
        raise _open_quote(
            text, int(row) + dialect.header_line + int(before), f"runs over more than {MAX_QUOTED_LINES} lines"
        )


def source_row_sql(rejected: list[RejectedLine], blank: list[int] = (), header_line: int = 1, limit: int = 2000) -> str:  # type: ignore[assignment]
    """Map staged row order to the file's data-row number (line - header line), skipping rows DuckDB did not stage:
    rejected rows and empty lines. (An empty line inside a quoted value is counted too: rare, off by one.)"""
    skipped = sorted({r.row for r in rejected} | {b - header_line for b in blank if b > header_line})
    if not skipped or len(skipped) > limit:
        return "rowid + 1"
    # the i-th skipped row (1-based) sits after a_i = row_i - i staged rows
    gaps = [row - i for i, row in enumerate(skipped, start=1)]
    bumps = " + ".join(f"(rowid + 1 > {a})::BIGINT" for a in gaps)
    return f"rowid + 1 + {bumps}"


def quarantine_rejected(con: Connection, rejected: list[RejectedLine], *, load_id: str, source: str) -> None:
    if not rejected:
        return
    ops.insert_many(
        con,
        "quarantine",
        [
            {"load_id": load_id, "row_number": r.row, "raw_row": r.line, "reason": r.reason, "source": source}
            for r in rejected
        ],
        exprs={"raw_row": "json_object('line', ?)"},
    )
