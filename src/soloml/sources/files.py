"""Files into load units: CSV/TSV, XLSX (every sheet), Parquet, JSON array / NDJSON / a JSON object with records."""

from __future__ import annotations

from pathlib import Path

import duckdb

from soloml.errors import LoadError, did_you_mean
from soloml.sources.csvfile import stage_text
from soloml.sources.encoding import open_text, sha256_of
from soloml.sources.jsonfile import json_unit
from soloml.sources.relation import sql_path, stage_relation
from soloml.sources.scratch import Scratch
from soloml.sources.units import Staged, Unit, UnitGroup
from soloml.sources.xlsxfile import xlsx_group
from soloml.warehouse.base import Connection
from soloml.warehouse.names import table_name

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


def file_group(path: Path, scratch: Scratch) -> UnitGroup:
    """The load units in one file, by its extension; temporary files go to `scratch`."""
    if not path.is_file():
        raise LoadError(
            f"File not found: {path} (looked at {path.resolve()}).",
            hint="Check the path, or quote it if it has spaces.",
        )
    path = path.resolve()  # the journal records where the file was, whatever the current folder
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise LoadError(
            f"{path.name}: soloml cannot read '{path.suffix or '(no extension)'}' files.{did_you_mean(path.suffix.lower(), FORMATS)}",
            hint=f"Export it as one of {known}, or load a database table by URL with --table.",
        )
    if kind == "xlsx":
        return xlsx_group(path)
    if kind in ("csv", "tsv"):
        unit = _csv_unit(path, kind, scratch)
    elif kind == "parquet":
        unit = _parquet_unit(path)
    else:
        unit = json_unit(path, scratch)
    return UnitGroup(str(path), (unit,))


def _csv_unit(path: Path, kind: str, scratch: Scratch) -> Unit:
    source = open_text(path)

    def stage(con: Connection, table: str) -> Staged:
        return stage_text(con, table, source, scratch, suffix=path.suffix.lower())

    return Unit(str(path), kind, table_name(path.stem), source.sha256, stage)


def _parquet_unit(path: Path) -> Unit:
    def stage(con: Connection, table: str) -> Staged:
        try:
            headers, columns = stage_relation(con, f"read_parquet({sql_path(path)})", table)
        except duckdb.Error as exc:
            raise LoadError(
                f"{path.name} is not a readable Parquet file: {str(exc).splitlines()[0]}.", hint="Export it again."
            ) from exc
        return Staged(headers, columns)

    return Unit(str(path), "parquet", table_name(path.stem), sha256_of(path), stage)
