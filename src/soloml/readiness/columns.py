"""Columns of the loaded files that will not help: empty in every row, one value in every row, or typed as
text although most of their values are numbers or dates (a few bad values kept the loader from typing them).

The loader types a text column when at least 95% of its values parse (and sets the rest aside); a column
kept as text with a share above that is kept on purpose (zip codes, phone numbers, zero-padded ids).
"""

from __future__ import annotations

from soloml.readiness.findings import Finding, Fix, plural
from soloml.readiness.profile import DATE_SHAPE, NUMBER_SHAPE, ColumnStats, TableProfile
from soloml.readiness.sources import RawSource
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

MOSTLY = 0.5
LOADER_TYPES_AT = 0.95


def check_columns(
    con: Connection, profiles: tuple[TableProfile, ...], sources: dict[str, RawSource]
) -> tuple[Finding, ...]:
    """Per raw table: one note for its empty columns, one for its constant ones, and a fix for each text column of numbers or dates."""
    out: list[Finding] = []
    checked = 0
    for profile in profiles:
        if not profile.table.startswith("raw.") or not profile.rows:
            continue
        source = sources.get(profile.table)
        checked += len(profile.columns)
        out += _empty_and_constant(profile, source)
        out += [f for f in (_text_typed(con, profile, col, source) for col in profile.columns) if f is not None]
    if out or not checked:
        return tuple(out)
    return (
        Finding(
            "columns",
            "ok",
            "raw tables",
            f"All {plural(checked, 'column')} of the loaded files hold usable values.",
            figures={"columns": checked},
        ),
    )


def _empty_and_constant(profile: TableProfile, source: RawSource | None) -> list[Finding]:
    file = source.file_name if source else profile.table
    header = source.header if source else (lambda c: c)
    empty = [c for c in profile.columns if c.all_missing]
    constant = [c for c in profile.columns if c.constant]
    out = []
    if empty:
        names = ", ".join(f"'{header(c.name)}'" for c in empty)
        out.append(
            Finding(
                "all_missing",
                "note",
                profile.table,
                f"{_count(empty)} of {file} {'is' if len(empty) == 1 else 'are'} empty in every row ({profile.rows:,} rows): {names}.",
                Fix(
                    f"Check that the export includes {names}; if {'it is' if len(empty) == 1 else 'they are'} meant to be empty, "
                    "nothing is lost: models leave empty columns out.",
                    file=file,
                    column=", ".join(header(c.name) for c in empty),
                ),
                figures={"columns": [c.name for c in empty], "rows": profile.rows},
            )
        )
    if constant:
        names = ", ".join(f"'{header(c.name)}' ({c.minimum!r})" for c in constant)
        out.append(
            Finding(
                "constant",
                "note",
                profile.table,
                f"{_count(constant)} of {file} {'holds' if len(constant) == 1 else 'hold'} one value in every row: {names}.",
                Fix(
                    "Nothing to do: a column that never changes tells rows apart not at all, so models leave it out.",
                    file=file,
                    column=", ".join(header(c.name) for c in constant),
                ),
                figures={"columns": [c.name for c in constant], "rows": profile.rows},
            )
        )
    return out


def _text_typed(con: Connection, profile: TableProfile, col: ColumnStats, source: RawSource | None) -> Finding | None:
    file = source.file_name if source else profile.table
    header = source.header(col.name) if source else col.name
    for share, what, shape in ((col.numbers_share, "numbers", NUMBER_SHAPE), (col.dates_share, "dates", DATE_SHAPE)):
        if share is not None and MOSTLY <= share < LOADER_TYPES_AT:
            row, value = _first_misfit(con, profile.table, col.name, shape)
            where = (
                f" (data row {row:,} holds {value!r})"
                if row is not None
                else f" (for example {value!r})"
                if value is not None
                else ""
            )
            words = (
                f"Column '{header}' of {file} is stored as text, though {share:.0%} of its values are {what}{where}."
            )
            fix = Fix(
                f"Correct or blank the values of '{header}' that are not {what} in {file}, then load it again so it is typed as {what}.",
                command=f"soloml load {source.file}" if source else None,
                file=file,
                column=header,
            )
            return Finding(
                "text_typed",
                "fix",
                f"{profile.table}.{col.name}",
                words,
                fix,
                figures={
                    "rows": col.rows,
                    "filled": col.filled,
                    f"{what}_share": round(share, 4),
                    "row": row,
                    "value": value,
                },
            )
    return None


def _count(columns: list[ColumnStats]) -> str:
    return "1 column" if len(columns) == 1 else f"{len(columns)} columns"


def _first_misfit(con: Connection, table: str, column: str, shape: str) -> tuple[int | None, str | None]:
    """The first data row whose value does not have `shape`, and the value."""
    schema, _, name = table.partition(".")
    col = quote_ident(column)
    has_row = bool(
        con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = ? AND table_name = ? AND column_name = '_source_row'",
            [schema, name],
        ).fetchall()[0][0]
    )
    order = "_source_row" if has_row else "1"
    row = con.execute(
        f"SELECT {'_source_row' if has_row else 'NULL'}, {col} FROM {quote_ident(schema)}.{quote_ident(name)} "
        f"WHERE NULLIF(trim({col}), '') IS NOT NULL AND NOT regexp_matches(trim({col}), ?) ORDER BY {order} LIMIT 1",
        [shape],
    ).fetchone()
    return (None, None) if row is None else (None if row[0] is None else int(row[0]), str(row[1]))
