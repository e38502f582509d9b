"""Duplicate keys: an id that should name one record names several different ones (in a loaded file, or in a
business table). Exact repeats of a whole row (an export that lists a record twice) are harmless: soloml
keeps each record once, and says so in a note.

Raw tables are checked on the key soloml recognised for the file (e.g. Stripe's `id`); core tables on the
canonical key (history tables among their current versions).
"""

from __future__ import annotations

from collections.abc import Sequence

from soloml.canonical.schema import TABLES
from soloml.readiness.findings import Finding, Fix, plural
from soloml.readiness.sources import RawSource
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident, table_exists


def check_keys(con: Connection, sources: dict[str, RawSource]) -> tuple[Finding, ...]:
    out: list[Finding] = []
    checked = 0
    for source in sources.values():
        if source.key and table_exists(con, source.table):
            checked += 1
            found = _duplicates(con, source.table, source.key, "")
            if found:
                out.append(_raw_finding(source, *found))
            repeats = _exact_repeats(con, source.table)
            if repeats:
                out.append(_repeats_finding(source, repeats))
    for spec in TABLES.values():
        if table_exists(con, spec.qualified):
            checked += 1
            found = _duplicates(con, spec.qualified, spec.key, "WHERE is_current" if spec.history else "")
            if found:
                out.append(_core_finding(spec.qualified, spec.key, *found))
    if out or not checked:
        return tuple(out)
    return (
        Finding(
            "duplicate_keys",
            "ok",
            "keys",
            f"No id names two different records ({plural(checked, 'table')} with ids checked).",
            figures={"tables": checked},
        ),
    )


def _duplicates(con: Connection, table: str, key: Sequence[str], where: str) -> tuple[int, str] | None:
    """(how many key values name more than one different record, the first such value) or None."""
    cols = ", ".join(quote_ident(k) for k in key)
    distinct = f"SELECT DISTINCT {_record_columns(con, table)} FROM {_relation(table)} {where}"
    row = con.execute(
        f"SELECT count(*), min(shown) FROM (SELECT concat_ws(' / ', {cols}) AS shown FROM ({distinct}) AS records "
        f"GROUP BY {cols} HAVING count(*) > 1) AS repeated"
    ).fetchone()
    if not row or not row[0]:
        return None
    return int(row[0]), str(row[1])


def _exact_repeats(con: Connection, table: str) -> int:
    """Rows that repeat another row of the table in every column (soloml's lineage columns aside)."""
    relation = _relation(table)
    row = con.execute(
        f"SELECT (SELECT count(*) FROM {relation}) - "
        f"(SELECT count(*) FROM (SELECT DISTINCT {_record_columns(con, table)} FROM {relation}) AS records)"
    ).fetchone()
    return int(row[0]) if row else 0


LINEAGE = ("_load_id", "_loaded_at", "_source_row")  # where a row came from, not part of the record


def _record_columns(con: Connection, table: str) -> str:
    """The table's columns but soloml's lineage ones, quoted, in table order (portable: no `* EXCLUDE`)."""
    schema, _, name = table.partition(".")
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    return ", ".join(quote_ident(r[0]) for r in rows if r[0] not in LINEAGE)


def _repeats_finding(source: RawSource, repeats: int) -> Finding:
    words = f"{plural(repeats, 'row')} of {source.file_name} repeat{'s' if repeats == 1 else ''} another row exactly; soloml keeps each record once."
    fix = Fix("Nothing to do (an export listed some records twice).", file=source.file_name)
    return Finding("repeated_rows", "note", source.table, words, fix, figures={"repeated_rows": repeats})


def _raw_finding(source: RawSource, repeats: int, example: str) -> Finding:
    header = " + ".join(f"'{source.header(k)}'" for k in source.key)
    words = (
        f"{plural(repeats, 'id')} in column {header} of {source.file_name} name{'s' if repeats == 1 else ''} more than one different record (for example {example!r}): "
        "soloml cannot tell which one is right."
    )
    fix = Fix(
        f"Keep one row per id in {source.file_name} (or export it again), then load it again.",
        command=f"soloml load {source.file}",
        file=source.file_name,
        column=" + ".join(source.header(k) for k in source.key),
    )
    return Finding(
        "duplicate_keys", "fix", source.table, words, fix, figures={"repeated_ids": repeats, "example": example}
    )


def _core_finding(table: str, key: Sequence[str], repeats: int, example: str) -> Finding:
    words = f"{plural(repeats, 'value')} of {', '.join(key)} name{'s' if repeats == 1 else ''} more than one different record in {table} (for example {example!r})."
    fix = Fix(
        "Two sources wrote records under the same id: check which files hold it and load each file once, under its own vendor.",
        command="soloml tables",
        column=", ".join(key),
    )
    return Finding("duplicate_keys", "fix", table, words, fix, figures={"repeated_ids": repeats, "example": example})


def _relation(table: str) -> str:
    return ".".join(quote_ident(p) for p in table.split("."))
