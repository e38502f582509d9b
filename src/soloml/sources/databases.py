"""One table of a SQL database (PostgreSQL, MySQL/MariaDB, SQLite) as a load unit, read through SQLAlchemy.

Rows arrive typed (numbers, dates, decimals stay what the database says); text columns still go through
soloml's type inference like a CSV's. The fingerprint for "same data again" is a hash of the rows' content.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa

from soloml.errors import LoadError
from soloml.sources.units import Staged, Unit
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_names, table_name

SCHEMES = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}


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


def _arrow_column(values: list) -> pa.Array:
    """pyarrow's own inference, with mixed-scale decimals and odd objects falling back to text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        if all(v is None or isinstance(v, Decimal | int | float) for v in values):
            return pa.array([None if v is None else float(v) for v in values], pa.float64())
        return pa.array([None if v is None else str(v) for v in values], pa.string())


def database_unit(url: str, table: str | None) -> Unit:
    """A unit reading `table` ('orders' or 'schema.orders') from the database at `url`."""
    shown = redact(url)
    if not table:
        raise LoadError(f"Which table of {shown} should be loaded?", hint=f"Pass --table, e.g. `soloml load '{shown}' --table orders`.")
    fmt = SCHEMES[url.split("://", 1)[0].split("+", 1)[0].lower()]

    def stage(con: duckdb.DuckDBPyConnection, stage_table: str) -> Staged:
        import sqlalchemy as sa

        schema, _, name = table.rpartition(".")
        try:
            engine = sa.create_engine(_engine_url(url))
        except Exception as exc:
            raise LoadError(f"Cannot use database URL {shown}: {exc}.", hint="Check the URL: postgresql://user@host:5432/db, mysql://user@host/db or sqlite:///path.db.") from exc
        try:
            with engine.connect() as db:
                quoted = ".".join(engine.dialect.identifier_preparer.quote(p) for p in ([schema] if schema else []) + [name])
                result = db.execute(sa.text(f"SELECT * FROM {quoted}"))
                headers = list(result.keys())
                rows = result.fetchall()
        except sa.exc.SQLAlchemyError as exc:
            first = str(exc).splitlines()[0]
            raise LoadError(f"Cannot read table '{table}' from {shown}: {first}.", hint="Check the table name, the server and your access rights.") from exc
        finally:
            engine.dispose()
        columns = column_names(headers)
        arrow = pa.table({c: _arrow_column([r[i] for r in rows]) for i, c in enumerate(columns)}) if columns else pa.table({})
        con.register("_soloml_db", arrow)
        try:
            con.execute(f"CREATE TEMP TABLE {stage_table} AS SELECT * FROM _soloml_db")
        finally:
            con.unregister("_soloml_db")
        cols = ", ".join(f"'{c}=' || coalesce(CAST({quote_ident(c)} AS VARCHAR), '')" for c in columns) or "''"
        sha = con.execute(
            f"SELECT md5(? || coalesce(string_agg(h, ',' ORDER BY h), '')) "
            f"FROM (SELECT md5(concat_ws(chr(31), {cols})) AS h FROM {stage_table})",
            [table + ":"],
        ).fetchall()[0][0]
        return Staged(tuple(headers), tuple(columns), sha256=f"content-md5:{sha}")

    return Unit(f"{shown}#{table}", fmt, table_name(table.rpartition(".")[2]), None, stage)
