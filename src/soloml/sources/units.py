"""What one load reads: a CSV file, one sheet of a workbook, a Parquet or JSON file, or one database table.

A `Unit` stages its rows into a temp table (text columns as VARCHAR, typed columns as they come) and says
what it staged; the loader does the rest the same way for every format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from soloml.warehouse.base import Connection


@dataclass(frozen=True)
class RejectedLine:
    """A source row that could not be staged (split into the header's columns, or read at all)."""

    row: int  # data row (line - header line)
    line: str  # the row as it was in the file
    reason: str


@dataclass(frozen=True)
class Staged:
    headers: tuple[str, ...]  # as in the source
    columns: tuple[str, ...]  # staged (snake_case) names, same order
    rejected: tuple[RejectedLine, ...] = ()
    decimal_comma: bool = False
    row_sql: str = "rowid + 1"
    sha256: str | None = None  # for sources whose fingerprint is known only after reading (databases)
    notes: tuple[str, ...] = ()  # what the report should say about how the source was read


@dataclass(frozen=True)
class Unit:
    source: str  # what the user gave, shown and journaled ('exports/payments.csv', 'book.xlsx [Orders]')
    format: str  # 'csv', 'tsv', 'xlsx', 'parquet', 'json', 'ndjson', 'postgresql', 'mysql', 'sqlite'
    name_hint: str  # default raw table name (file stem, stem_sheet, table)
    sha256: str | None  # known before reading for files
    stage: Callable[[Connection, str], Staged]
    cleanup: Callable[[], None] = field(default=lambda: None)
    suffix: str = ""  # appended to an --as name ('_orders' for one sheet of a multi-sheet workbook)


@dataclass(frozen=True)
class UnitGroup:
    """What one file (every sheet of a workbook) or one database table holds: loaded in one transaction."""

    source: str
    units: tuple[Unit, ...]
    notes: tuple[str, ...] = ()  # about the file as a whole (e.g. empty sheets skipped)
