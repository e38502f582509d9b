"""Files into load units: CSV/TSV, XLSX (every sheet), Parquet, JSON array / NDJSON / a JSON object with records."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import pyarrow as pa

from soloml.errors import LoadError, did_you_mean
from soloml.sources.csvfile import blank_lines, sniff_dialect, source_row_sql, stage_csv
from soloml.sources.encoding import open_text, sha256_of
from soloml.sources.units import Staged, Unit
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_names, table_name

FORMATS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".parquet": "parquet", ".pq": "parquet",
    ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson",
}


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def file_units(path: Path) -> list[Unit]:
    """The load units in one file, by its extension."""
    if not path.is_file():
        raise LoadError(f"File not found: {path} (looked at {path.resolve()}).", hint="Check the path, or quote it if it has spaces.")
    path = path.resolve()  # the journal records where the file was, whatever the current folder
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(
            f"{path.name}: soloml cannot read '{path.suffix or '(no extension)'}' files.{did_you_mean(path.suffix.lower(), FORMATS)}",
            hint=f"Export it as one of {known}, or load a database table by URL with --table.",
        )
    if kind in ("csv", "tsv"):
        return [_csv_unit(path, kind)]
    if kind == "xlsx":
        return _xlsx_units(path)
    if kind == "parquet":
        return [_parquet_unit(path)]
    return [_json_unit(path)]


def _csv_unit(path: Path, kind: str) -> Unit:
    text = open_text(path)

    def stage(con: duckdb.DuckDBPyConnection, table: str) -> Staged:
        dialect = sniff_dialect(text, suffix=path.suffix.lower())
        columns, rejected = stage_csv(con, text, table, dialect)
        return Staged(dialect.headers, tuple(columns), tuple(rejected), dialect.delimiter == ";", source_row_sql(rejected, blank_lines(text.path)))

    return Unit(str(path), kind, table_name(path.stem), text.sha256, stage, text.cleanup)


def _rename_select(con: duckdb.DuckDBPyConnection, relation: str, table: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    headers = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    columns = column_names(headers)
    select = ", ".join(f"{quote_ident(h)} AS {quote_ident(c)}" for h, c in zip(headers, columns, strict=True))
    con.execute(f"CREATE TEMP TABLE {table} AS SELECT {select} FROM {relation}")
    return tuple(headers), tuple(columns)


def _parquet_unit(path: Path) -> Unit:
    def stage(con: duckdb.DuckDBPyConnection, table: str) -> Staged:
        try:
            headers, columns = _rename_select(con, f"read_parquet({_sql_path(path)})", table)
        except duckdb.Error as exc:
            raise LoadError(f"{path.name} is not a readable Parquet file: {str(exc).splitlines()[0]}.", hint="Export it again.") from exc
        return Staged(headers, columns)

    return Unit(str(path), "parquet", table_name(path.stem), sha256_of(path), stage)


def _json_shape(path: Path) -> str:
    """'array', 'ndjson' or 'object' from the first bytes and lines."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16).decode("utf-8-sig", errors="ignore")
    stripped = head.lstrip()
    if stripped.startswith("["):
        return "array"
    first_line = stripped.split("\n", 1)[0].strip()
    try:
        json.loads(first_line)
        return "ndjson"
    except ValueError:
        return "object"


def _records_of(document: object) -> list[dict]:
    """Rows of a JSON document that is not itself an array: an API list ({'data': [...]}) or one object."""
    if isinstance(document, dict):
        for key in ("data", "records", "rows", "items", "results"):
            value = document.get(key)
            if isinstance(value, list) and all(isinstance(v, dict) for v in value):
                return value
        return [document]
    raise LoadError("The JSON file holds neither objects nor a list of objects.", hint="Export the records as a JSON array or NDJSON.")


def _json_unit(path: Path) -> Unit:
    shape = "ndjson" if path.suffix.lower() in (".ndjson", ".jsonl") else _json_shape(path)
    temp: list[Path] = []

    def stage(con: duckdb.DuckDBPyConnection, table: str) -> Staged:
        target = path
        fmt = "newline_delimited" if shape == "ndjson" else "array"
        if shape == "object":
            try:
                document = json.loads(path.read_text(encoding="utf-8-sig"))
            except ValueError as exc:
                raise LoadError(f"{path.name} is not valid JSON: {exc}.", hint="Fix the file or export it again.") from exc
            fd, name = tempfile.mkstemp(prefix="soloml-", suffix=".ndjson")
            with open(fd, "w", encoding="utf-8") as fh:
                for record in _records_of(document):
                    fh.write(json.dumps(record) + "\n")
            target = Path(name)
            temp.append(target)
            fmt = "newline_delimited"
        try:
            headers, columns = _rename_select(con, f"read_json({_sql_path(target)}, format='{fmt}', sample_size=-1)", table)
        except duckdb.Error as exc:
            raise LoadError(f"{path.name} could not be read as JSON: {str(exc).splitlines()[0]}.", hint="Check that it is a complete JSON export.") from exc
        return Staged(headers, columns)

    def cleanup() -> None:
        for p in temp:
            p.unlink(missing_ok=True)

    return Unit(str(path), "ndjson" if shape == "ndjson" else "json", table_name(path.stem), sha256_of(path), stage, cleanup)


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


def _sheet_rows(path: Path, sheet: str) -> Iterator[tuple]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        yield from book[sheet].iter_rows(values_only=True)
    finally:
        book.close()


def _xlsx_units(path: Path) -> list[Unit]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise LoadError(f"{path.name} is not a readable Excel workbook: {exc}.", hint="Open it in Excel and save it again as .xlsx.") from exc
    sheets = list(book.sheetnames)
    book.close()
    file_sha = sha256_of(path)
    stem = table_name(path.stem)
    units = []
    for sheet in sheets:
        def stage(con: duckdb.DuckDBPyConnection, table: str, sheet: str = sheet) -> Staged:
            rows = (r for r in _sheet_rows(path, sheet) if any(c is not None and str(c).strip() != "" for c in r))
            header_row = next(rows, None)
            if header_row is None:
                raise LoadError(f"{path.name} sheet '{sheet}' is empty.", hint="Remove the sheet or add its header row and data.")
            width = max(i + 1 for i, c in enumerate(header_row) if c is not None)
            headers = tuple(_cell_text(c) or "" for c in header_row[:width])
            cols: list[list[str | None]] = [[] for _ in range(width)]
            for r in rows:
                for i in range(width):
                    cols[i].append(_cell_text(r[i]) if i < len(r) else None)
            columns = column_names(list(headers))
            arrow = pa.table({c: pa.array(v, pa.string()) for c, v in zip(columns, cols, strict=True)})
            con.register("_soloml_sheet", arrow)
            try:
                con.execute(f"CREATE TEMP TABLE {table} AS SELECT * FROM _soloml_sheet")
            finally:
                con.unregister("_soloml_sheet")
            return Staged(headers, tuple(columns))

        sha = hashlib.sha256(f"{file_sha}:{sheet}".encode()).hexdigest()
        suffix = "" if len(sheets) == 1 else f"_{table_name(sheet)}"
        units.append(Unit(f"{path} [{sheet}]", "xlsx", f"{stem}{suffix}", sha, stage, suffix=suffix))
    return units
