"""Write-back: put a run's predictions where the business's CRM or app can read them.

A database target (SQLAlchemy URL: Postgres, MySQL/MariaDB, SQLite, or `duckdb:///file.duckdb`) gets the
rows in a staging table first; only when every row is in does one swap replace the live table:

- Postgres / SQLite / DuckDB: `DROP TABLE t; ALTER TABLE staging RENAME TO t` in one transaction;
- MySQL / MariaDB (DDL is not transactional there): one atomic `RENAME TABLE t TO old, staging TO t`.

A failure at any point drops the staging table and leaves the previous table exactly as it was.
A file target (.csv or .parquet) is written next to itself and renamed over the old file.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from soloml.errors import DeployError

# The write-back table: the columns a CRM needs, in this order.
COLUMNS = ("run_id", "project", "model_version", "entity_id", "score", "decision", "rank", "top_reasons", "scored_at")
_TABLE_NAME = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]{0,40}\.)?[A-Za-z_][A-Za-z0-9_]{0,40}$")


@dataclass(frozen=True)
class WriteBack:
    """Where one run's predictions went."""

    target: str
    table: str | None
    rows: int


def default_table(project: str) -> str:
    return f"soloml_{project.replace('-', '_')}_predictions"


def is_database_url(target: str) -> bool:
    return "://" in target


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def write_back(target: str, frame: pd.DataFrame, *, table: str | None = None, project: str = "", chunk_rows: int = 5_000) -> WriteBack:
    """Write `frame` (the COLUMNS) to a database URL (table default soloml_<project>_predictions) or a .csv/.parquet file."""
    frame = frame.loc[:, list(COLUMNS)]
    if is_database_url(target):
        name = table or default_table(project)
        if target.startswith("duckdb:"):
            write_duckdb_table(target, name, frame)
        else:
            write_sql_table(target, name, frame, chunk_rows=chunk_rows)
        return WriteBack(target=safe_url(target), table=name, rows=len(frame))
    if target.endswith((".duckdb", ".db")):
        name = table or default_table(project)
        write_duckdb_table("duckdb:" + target, name, frame)
        return WriteBack(target=str(Path(target).resolve()), table=name, rows=len(frame))
    write_file(Path(target), frame)
    return WriteBack(target=str(Path(target).resolve()), table=None, rows=len(frame))


def write_file(path: Path, frame: pd.DataFrame) -> None:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DeployError(f"Cannot write predictions to '{path}': the file must end in .csv or .parquet.", hint="Pass e.g. --to predictions.csv, or a database URL such as postgresql://user@host/db.")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DeployError(f"Cannot write predictions to {path}: {exc}.", hint="Check the folder exists and is writable; the previous file is unchanged.") from exc


def check_table_name(table: str) -> tuple[str | None, str]:
    if not _TABLE_NAME.match(table):
        raise DeployError(
            f"'{table}' is not a usable table name for the write-back.",
            hint="Use letters, digits and underscores (at most 40), optionally as schema.table, e.g. crm.churn_scores.",
        )
    schema, _, name = table.rpartition(".")
    return schema or None, name


def write_sql_table(url: str, table: str, frame: pd.DataFrame, *, chunk_rows: int = 5_000) -> None:
    """Staging table, then an atomic swap (see module docstring). Raises DeployError; the old table stays."""
    import sqlalchemy as sa

    schema, name = check_table_name(table)
    token = secrets.token_hex(4)
    staging_name, old_name = f"{name}__new_{token}", f"{name}__old_{token}"
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # noqa: BLE001 - a bad URL or missing driver
        raise DeployError(f"Cannot use '{safe_url(url)}' as a write-back target: {exc}.", hint="Pass an SQLAlchemy URL such as postgresql+psycopg://user@host/db or mysql+pymysql://user@host/db.") from exc
    staging = sa.Table(staging_name, sa.MetaData(schema=schema), *_sql_columns(sa))
    is_mysql = engine.dialect.name in ("mysql", "mariadb")
    prep = engine.dialect.identifier_preparer
    qualify = (lambda n: f"{prep.quote_identifier(schema)}.{prep.quote_identifier(n)}") if schema else prep.quote_identifier
    try:
        staging.create(engine)
        try:
            records = _records(frame)
            with engine.begin() as conn:
                for start in range(0, len(records), chunk_rows):
                    conn.execute(staging.insert(), records[start:start + chunk_rows])
            exists = sa.inspect(engine).has_table(name, schema=schema)
            with engine.begin() as conn:
                if is_mysql:
                    if exists:
                        conn.execute(sa.text(f"RENAME TABLE {qualify(name)} TO {qualify(old_name)}, {qualify(staging_name)} TO {qualify(name)}"))
                        conn.execute(sa.text(f"DROP TABLE {qualify(old_name)}"))
                    else:
                        conn.execute(sa.text(f"RENAME TABLE {qualify(staging_name)} TO {qualify(name)}"))
                else:
                    if exists:
                        conn.execute(sa.text(f"DROP TABLE {qualify(name)}"))
                    conn.execute(sa.text(f"ALTER TABLE {qualify(staging_name)} RENAME TO {prep.quote_identifier(name)}"))
        except BaseException:
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {qualify(staging_name)}"))
            raise
    except sa.exc.SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise DeployError(
            f"Writing predictions to table '{table}' at {safe_url(url)} failed: {detail}.",
            hint=f"Nothing was replaced: the previous '{table}' is unchanged. Fix the database problem and re-run the same command.",
        ) from exc
    finally:
        engine.dispose()


def write_duckdb_table(url: str, table: str, frame: pd.DataFrame) -> None:
    """The same swap in a DuckDB file (`duckdb:///path/to/file.duckdb`), in one transaction."""
    import duckdb

    from soloml.warehouse.connection import DUCKDB_CONFIG, quote_ident

    schema, name = check_table_name(table)
    path = url[len("duckdb:///"):] if url.startswith("duckdb:///") else url.split(":", 1)[1]
    qualified = f"{quote_ident(schema)}.{quote_ident(name)}" if schema else quote_ident(name)
    staging = quote_ident(f"{name}__new_{secrets.token_hex(4)}")
    staging_q = f"{quote_ident(schema)}.{staging}" if schema else staging
    try:
        con = duckdb.connect(path, config=dict(DUCKDB_CONFIG))
    except duckdb.Error as exc:
        raise DeployError(f"Cannot open DuckDB file {path} for the write-back: {exc}.", hint="Close the program holding it and re-run.") from exc
    try:
        con.execute("BEGIN")
        if schema:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
        con.register("soloml_writeback", frame)
        con.execute(
            f"CREATE TABLE {staging_q} AS SELECT run_id::VARCHAR AS run_id, project::VARCHAR AS project, model_version::VARCHAR AS model_version, "
            "entity_id::VARCHAR AS entity_id, score::DOUBLE AS score, decision::BOOLEAN AS decision, rank::INTEGER AS rank, "
            "top_reasons::VARCHAR AS top_reasons, scored_at::TIMESTAMP AS scored_at FROM soloml_writeback"
        )
        con.execute(f"DROP TABLE IF EXISTS {qualified}")
        con.execute(f"ALTER TABLE {staging_q} RENAME TO {quote_ident(name)}")
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise DeployError(f"Writing predictions to table '{table}' in {path} failed: {exc}.", hint=f"Nothing was replaced: the previous '{table}' is unchanged.") from exc
    finally:
        con.close()


def _sql_columns(sa):  # noqa: ANN001, ANN202 - sqlalchemy module passed in to keep the import lazy
    return (
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(255)),
        sa.Column("score", sa.Float(53)),
        sa.Column("decision", sa.Boolean),
        sa.Column("rank", sa.Integer),
        sa.Column("top_reasons", sa.Text),
        sa.Column("scored_at", sa.DateTime),
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Plain Python values (NaN -> NULL) so every driver accepts them."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")
