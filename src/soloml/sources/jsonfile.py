"""JSON exports: an array of records, NDJSON (one record per line), or an API response wrapping its records.

A file is NDJSON when it has several lines and its first is a whole object; a single document (one line or
pretty-printed) is unwrapped from the usual API list envelopes (`data`, `results`, `items`, `records`,
`rows`), or is itself one record. Before DuckDB reads an array, the whole document is checked to be valid
JSON: a download cut off after a comma would otherwise load as the records before the cut. Every element
must be an object; scalars and lists of scalars are refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import duckdb

from soloml.errors import LoadError
from soloml.sources.encoding import sha256_of
from soloml.sources.relation import sql_path, stage_relation
from soloml.sources.scratch import Scratch
from soloml.sources.units import Staged, Unit
from soloml.warehouse.base import Connection
from soloml.warehouse.names import table_name

ENVELOPE_KEYS = ("data", "results", "items", "records", "rows")
Shape = Literal["array", "ndjson", "document"]
HINT = "Export the records as a JSON array of objects or as NDJSON (one object per line)."


def json_shape(path: Path) -> Shape:
    """'array', 'ndjson' or 'document' from the first 64 KB."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16).decode("utf-8-sig", errors="ignore").lstrip()
    if head.startswith("["):
        return "array"
    lines = [line for line in head.splitlines() if line.strip()]
    if len(lines) >= 2:
        try:
            if isinstance(json.loads(lines[0]), dict):
                return "ndjson"
        except ValueError:
            pass
    return "document"


def _not_records(path: Path) -> LoadError:
    return LoadError(f"{path.name} holds neither objects nor a list of objects, so it has no rows to load.", hint=HINT)


def _no_records(path: Path) -> LoadError:
    return LoadError(
        f"{path.name} holds no records (its list of objects is empty).", hint="Export it again once it has data."
    )


def _invalid(path: Path) -> LoadError:
    """Where a JSON document stops being valid: a cut-off download, or a broken byte in the middle."""
    data = path.read_bytes()
    text = data.decode("utf-8-sig", errors="replace")
    if not text.strip():
        return LoadError(f"{path.name} is empty.", hint="Export it again with its records.")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        if not text[exc.pos :].strip() or exc.msg.startswith("Unterminated string"):
            return LoadError(
                f"{path.name} is cut off: its JSON stops at byte {len(data):,} (line {text.count(chr(10)) + 1:,}) "
                "before the document is complete, so nothing was loaded (an interrupted download?).",
                hint="Download or export the file again.",
            )
        at = len(text[: exc.pos].encode("utf-8"))
        return LoadError(
            f"{path.name} is not valid JSON at line {exc.lineno:,}, column {exc.colno:,} (byte {at:,}): {exc.msg}.",
            hint="Fix the file or export it again.",
        )
    return LoadError(f"{path.name} could not be read as JSON.", hint="Check that it is a complete JSON export.")


def _bad_line(path: Path) -> LoadError:
    """The first NDJSON line that is not a whole JSON value."""
    lines = path.read_bytes().decode("utf-8-sig", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            json.loads(line)
        except ValueError as exc:
            if number == len(lines) or not any(rest.strip() for rest in lines[number:]):
                return LoadError(
                    f"{path.name} is cut off: its last record, on line {number:,}, is incomplete (an interrupted download?). "
                    "Nothing was loaded.",
                    hint="Download or export the file again.",
                )
            return LoadError(
                f"{path.name} line {number:,} is not valid JSON: {exc}.", hint="Fix that line or export the file again."
            )
    return LoadError(f"{path.name} could not be read as NDJSON.", hint=HINT)


def _check_elements(con: Connection, path: Path, fmt: str) -> None:
    """Every element (array) or line (NDJSON) is an object, and there is at least one."""
    try:
        if (
            fmt == "array"
            and not con.execute(
                f"SELECT json_valid(ltrim(content, chr(65279))) FROM read_text({sql_path(path)})"
            ).fetchone()[0]
        ):  # type: ignore[index]
            raise _invalid(path)
        odd, total = con.execute(
            f"SELECT count(*) FILTER (WHERE json_type(json) <> 'OBJECT'), count(*) FROM read_json_objects({sql_path(path)}, format='{fmt}')"
        ).fetchone()  # type: ignore[misc]
    except duckdb.Error as exc:
        raise (_invalid(path) if fmt == "array" else _bad_line(path)) from exc
    if odd:
        raise _not_records(path)
    if not total:
        raise _no_records(path)


def _records_of(path: Path, document: object) -> list[dict]:
    """The rows of a document that is not an array: an API list ({'data': [...]}) or one object."""
    if isinstance(document, dict):
        for key in ENVELOPE_KEYS:
            value = document.get(key)
            if isinstance(value, list):
                if not all(isinstance(v, dict) for v in value):
                    raise _not_records(path)
                if not value:
                    raise _no_records(path)
                return value
        return [document]
    raise _not_records(path)


def _document_records(path: Path) -> list[dict] | None:
    """The records of a single JSON document; None when the file is NDJSON after all (lines over 64 KB)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and "\n" in exc.doc[: exc.pos + 1]:
            return None
        raise _invalid(path) from exc
    except ValueError as exc:
        raise _invalid(path) from exc
    return _records_of(path, document)


def json_unit(path: Path, scratch: Scratch) -> Unit:
    shape = "ndjson" if path.suffix.lower() in (".ndjson", ".jsonl") else json_shape(path)

    def stage(con: Connection, table: str) -> Staged:
        target = path
        made: list[Path] = []
        try:
            records = _document_records(path) if shape == "document" else None
            if records is not None:
                target = scratch.file(".ndjson")
                made.append(target)
                with target.open("w", encoding="utf-8") as fh:
                    for record in records:
                        fh.write(json.dumps(record) + "\n")
                fmt = "newline_delimited"
            else:
                fmt = "array" if shape == "array" else "newline_delimited"
                _check_elements(con, path, fmt)
            try:
                headers, columns = stage_relation(
                    con, f"read_json({sql_path(target)}, format='{fmt}', sample_size=-1)", table
                )
            except duckdb.Error as exc:
                first = str(exc).splitlines()[0]
                raise LoadError(
                    f"{path.name} could not be read as JSON: {first}.", hint="Check that it is a complete JSON export."
                ) from exc
        finally:
            for p in made:
                p.unlink(missing_ok=True)
        return Staged(headers, columns)

    return Unit(str(path), "ndjson" if shape == "ndjson" else "json", table_name(path.stem), sha256_of(path), stage)
