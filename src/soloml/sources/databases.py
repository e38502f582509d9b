"""One table of a SQL database (PostgreSQL, MySQL/MariaDB, SQLite) as a load unit, read through SQLAlchemy.

Rows arrive typed (numbers, dates, decimals stay what the database says); text columns still go through
soloml's type inference like a CSV's. The fingerprint for "same data again" is a hash of the rows' content.
"""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from soloml.errors import LoadError
from soloml.sources.units import Staged, Unit
from soloml.temp_names import registered
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_names, table_name

SCHEMES = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
}


def redact(url: str) -> str:
    """The URL without its password, for messages and the journal."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported by the caller
        return url.split("@")[-1]


def is_database_url(text: str) -> bool:
    return "://" in text and text.split("://", 1)[0].split("+", 1)[0].lower() in SCHEMES


def _engine_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    base = scheme.split("+", 1)[0].lower()
    if "+" in scheme:
        return f"{SCHEMES[base]}+{scheme.split('+', 1)[1]}://{rest}"
    driver = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "sqlite": "sqlite"}[SCHEMES[base]]
    return f"{driver}://{rest}"


MAX_DECIMAL_DIGITS = 38  # the widest DECIMAL DuckDB holds


def _decimal_shape(values: list[Decimal]) -> tuple[int, int]:
    """(precision, scale) wide enough for every finite value."""
    whole, scale = 1, 0
    for d in values:
        _, digits, exponent = d.as_tuple()
        places = max(-int(exponent), 0)
        scale = max(scale, places)
        whole = max(whole, len(digits) + int(exponent) if int(exponent) >= 0 else len(digits) - places)
    return whole + scale, scale


def _arrow_column(name: str, values: list) -> tuple[pa.Array, str | None]:
    """The column as Arrow, and a note when it could not keep the database's type.

    Decimals keep their scale up to 38 digits; wider ones, or ones holding Infinity/NaN (Postgres numeric),
    become DOUBLE. Anything pyarrow cannot infer falls back to text."""
    decimals = [v for v in values if v is not None]
    if decimals and all(isinstance(v, Decimal) for v in decimals):
        if all(d.is_finite() for d in decimals):
            precision, scale = _decimal_shape(decimals)
            if precision <= MAX_DECIMAL_DIGITS:  # room to grow: a later load's larger amounts still fit
                return pa.array(values, pa.decimal128(18 if precision <= 18 else MAX_DECIMAL_DIGITS, scale)), None
            why = f"holds numbers of {precision} digits, wider than the {MAX_DECIMAL_DIGITS} a warehouse decimal keeps"
        else:
            why = "holds Infinity or NaN, which a decimal cannot"
        doubles = pa.array([None if v is None else float(v) for v in values], pa.float64())
        return doubles, f"column '{name}' {why}: read as DOUBLE (about 15 significant digits)"
    try:
        return pa.array(values), None
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        if all(v is None or isinstance(v, Decimal | int | float) for v in values):
            return pa.array(
                [None if v is None else float(v) for v in values], pa.float64()
            ), f"column '{name}' mixes number types: read as DOUBLE"
        return pa.array(
            [None if v is None else str(v) for v in values], pa.string()
        ), f"column '{name}' mixes value types: read as text"


def _arrow_table(
    headers: list[str], columns: list[str], rows: list, shown: str, table: str
) -> tuple[pa.Table, tuple[str, ...]]:
    arrays, notes = {}, []
    for i, (header, column) in enumerate(zip(headers, columns, strict=True)):
        values = [r[i] for r in rows]
        try:
            arrays[column], note = _arrow_column(header, values)
        except (pa.ArrowException, TypeError, ValueError, OverflowError) as exc:
            kinds = sorted({type(v).__name__ for v in values if v is not None})
            raise LoadError(
                f"Cannot read column '{header}' of table '{table}' from {shown}: its values ({', '.join(kinds)}) do not fit one type: {exc}.",
                hint=f"Cast '{header}' to text or a plain number in a view and load the view instead.",
            ) from exc
        if note:
            notes.append(note)
    return (pa.table(arrays) if arrays else pa.table({})), tuple(notes)


def database_unit(url: str, table: str | None) -> Unit:
    """A unit reading `table` ('orders' or 'schema.orders') from the database at `url`."""
    shown = redact(url)
    if not table:
        raise LoadError(
            f"Which table of {shown} should be loaded?",
            hint=f"Pass --table, e.g. `soloml load '{shown}' --table orders`.",
        )
    fmt = SCHEMES[url.split("://", 1)[0].split("+", 1)[0].lower()]

    def stage(con: Connection, stage_table: str) -> Staged:
        import sqlalchemy as sa

        schema, _, name = table.rpartition(".")
        try:
            engine = sa.create_engine(_engine_url(url))
        except Exception as exc:
            raise LoadError(
                f"Cannot use database URL {shown}: {exc}.",
                hint="Check the URL: postgresql://user@host:5432/db, mysql://user@host/db or sqlite:///path.db.",
            ) from exc
        try:
            with engine.connect() as db:
                quoted = ".".join(
                    engine.dialect.identifier_preparer.quote(p) for p in ([schema] if schema else []) + [name]
                )
                result = db.execute(sa.text(f"SELECT * FROM {quoted}"))
                headers = list(result.keys())
                rows = result.fetchall()
        except sa.exc.SQLAlchemyError as exc:
            first = str(exc).splitlines()[0]
            raise LoadError(
                f"Cannot read table '{table}' from {shown}: {first}.",
                hint="Check the table name, the server and your access rights.",
            ) from exc
        finally:
            engine.dispose()
        columns = column_names(headers)
        arrow, notes = _arrow_table(headers, columns, rows, shown, table)
        with registered(con, arrow, "db_rows") as rows_view:
            con.execute(f"CREATE TEMP TABLE {stage_table} AS SELECT * FROM {rows_view}")
        cols = ", ".join(f"'{c}=' || coalesce(CAST({quote_ident(c)} AS VARCHAR), '')" for c in columns) or "''"
        sha = con.execute(
            f"SELECT md5(? || coalesce(string_agg(h, ',' ORDER BY h), '')) "
            f"FROM (SELECT md5(concat_ws(chr(31), {cols})) AS h FROM {stage_table})",
            [table + ":"],
        ).fetchall()[0][0]
        return Staged(tuple(headers), tuple(columns), sha256=f"content-md5:{sha}", notes=notes)

    return Unit(f"{shown}#{table}", fmt, table_name(table.rpartition(".")[2]), None, stage)
