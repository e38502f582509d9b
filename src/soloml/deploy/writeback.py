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
from typing import Any

import pandas as pd

from soloml.errors import DeployError

# The write-back table: the columns a CRM needs, in this order. After soloml's entity_id, the business's
# own ids (features/ids.py): the source system, its id for the entity and the email.
COLUMNS = ("run_id", "project", "model_version", "entity_id", "source_system", "source_id", "email", "score", "decision", "rank",
           "top_reasons", "scored_at")
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
    if is_file_target(target):
        write_file(Path(target), frame.loc[:, list(COLUMNS)])
        return WriteBack(target=str(Path(target).resolve()), table=None, rows=len(frame))
    done, staged = stage_target(target, frame, table=table, project=project, chunk_rows=chunk_rows)
    staged.publish()
    return done


def write_file(path: Path, frame: pd.DataFrame) -> None:
    """Write a .csv/.parquet file whole: next to itself first, then renamed over the old one."""
    os.replace(stage_file(path, frame), path)


def stage_file(path: Path, frame: pd.DataFrame) -> Path:
    """Write `frame` to a hidden file beside `path` and return it; `os.replace(staged, path)` publishes it."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DeployError(f"Cannot write predictions to '{path}': the file must end in .csv or .parquet.", hint="Pass e.g. --to predictions.csv, or a database URL such as postgresql+psycopg://user@host/db.")
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DeployError(f"Cannot write predictions to {path}: {exc}.", hint="Check the folder exists and is writable; the previous file is unchanged.") from exc
    return tmp


def is_file_target(target: str) -> bool:
    return not is_database_url(target) and not target.endswith((".duckdb", ".db"))


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
    staged = stage_table(url, table, frame, chunk_rows=chunk_rows)
    staged.publish()


class StagedTable:
    """A table holding every new row under a temporary name; `publish()` swaps it in, `discard()` drops it."""

    def __init__(self, url: str, table: str, engine: Any, schema: str | None, name: str, staging_name: str) -> None:
        self.url, self.table, self.engine = url, table, engine
        self.schema, self.name, self.staging_name = schema, name, staging_name

    def _q(self, name: str) -> str:
        prep = self.engine.dialect.identifier_preparer
        return f"{prep.quote_identifier(self.schema)}.{prep.quote_identifier(name)}" if self.schema else prep.quote_identifier(name)

    def publish(self) -> None:
        import sqlalchemy as sa

        try:
            exists = sa.inspect(self.engine).has_table(self.name, schema=self.schema)
            with self.engine.begin() as conn:
                if self.engine.dialect.name in ("mysql", "mariadb"):
                    old = self.staging_name.replace("__new_", "__old_")
                    if exists:
                        conn.execute(sa.text(f"RENAME TABLE {self._q(self.name)} TO {self._q(old)}, {self._q(self.staging_name)} TO {self._q(self.name)}"))
                        conn.execute(sa.text(f"DROP TABLE {self._q(old)}"))
                    else:
                        conn.execute(sa.text(f"RENAME TABLE {self._q(self.staging_name)} TO {self._q(self.name)}"))
                else:
                    if exists:
                        conn.execute(sa.text(f"DROP TABLE {self._q(self.name)}"))
                    prep = self.engine.dialect.identifier_preparer
                    conn.execute(sa.text(f"ALTER TABLE {self._q(self.staging_name)} RENAME TO {prep.quote_identifier(self.name)}"))
        except sa.exc.SQLAlchemyError as exc:
            self.discard()
            raise _failed(self.url, self.table, exc) from exc
        finally:
            self.engine.dispose()

    def discard(self) -> None:
        import sqlalchemy as sa

        try:
            with self.engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {self._q(self.staging_name)}"))
        except sa.exc.SQLAlchemyError:
            pass  # the database went away; a leftover *__new_* table holds nothing live
        finally:
            self.engine.dispose()


def stage_table(url: str, table: str, frame: pd.DataFrame, *, chunk_rows: int = 5_000) -> StagedTable:
    """Create `<table>__new_<token>` and insert every row; nothing live changes yet."""
    import sqlalchemy as sa

    schema, name = check_table_name(table)
    staging_name = f"{name}__new_{secrets.token_hex(4)}"
    try:
        engine = sa.create_engine(url)
    except Exception as exc:  # noqa: BLE001 - a bad URL or missing driver
        raise DeployError(f"Cannot use '{safe_url(url)}' as a write-back target: {exc}.", hint="Pass an SQLAlchemy URL such as postgresql+psycopg://user@host/db or mysql+pymysql://user@host/db.") from exc
    staged = StagedTable(url, table, engine, schema, name, staging_name)
    staging = sa.Table(staging_name, sa.MetaData(schema=schema), *_sql_columns(sa))
    try:
        staging.create(engine)
    except sa.exc.SQLAlchemyError as exc:
        engine.dispose()
        raise _failed(url, table, exc) from exc
    try:
        records = _records(frame)
        with engine.begin() as conn:
            for start in range(0, len(records), chunk_rows):
                conn.execute(staging.insert(), records[start:start + chunk_rows])
    except BaseException as exc:
        staged.discard()
        if isinstance(exc, sa.exc.SQLAlchemyError):
            raise _failed(url, table, exc) from exc
        raise
    return staged


def _failed(url: str, table: str, exc: Exception) -> DeployError:
    detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return DeployError(
        f"Writing predictions to table '{table}' at {safe_url(url)} failed: {detail}.",
        hint=f"Nothing was replaced: the previous '{table}' is unchanged. Fix the database problem and re-run the same command.",
    )


def write_duckdb_table(url: str, table: str, frame: pd.DataFrame) -> None:
    """The same staging + swap in a DuckDB file (`duckdb:///path/to/file.duckdb`)."""
    stage_duckdb_table(url, table, frame).publish()


class StagedDuckTable:
    """A staged table in a DuckDB file; `publish()` drops the old table and renames in one transaction."""

    def __init__(self, path: str, table: str, schema: str | None, name: str, staging_name: str) -> None:
        self.path, self.table, self.schema, self.name, self.staging_name = path, table, schema, name, staging_name

    def _q(self, name: str) -> str:
        from soloml.warehouse.connection import quote_ident

        return f"{quote_ident(self.schema)}.{quote_ident(name)}" if self.schema else quote_ident(name)

    def _run(self, statements: list[str]) -> None:
        import duckdb

        from soloml.warehouse.connection import DUCKDB_CONFIG

        try:
            con = duckdb.connect(self.path, config=dict(DUCKDB_CONFIG))
        except duckdb.Error as exc:
            raise DeployError(f"Cannot open DuckDB file {self.path} for the write-back: {exc}.", hint="Close the program holding it and re-run.") from exc
        try:
            con.execute("BEGIN")
            for sql in statements:
                con.execute(sql)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise DeployError(f"Writing predictions to table '{self.table}' in {self.path} failed: {exc}.", hint=f"Nothing was replaced: the previous '{self.table}' is unchanged.") from exc
        finally:
            con.close()

    def publish(self) -> None:
        from soloml.warehouse.connection import quote_ident

        try:
            self._run([f"DROP TABLE IF EXISTS {self._q(self.name)}", f"ALTER TABLE {self._q(self.staging_name)} RENAME TO {quote_ident(self.name)}"])
        except DeployError:
            self.discard()
            raise

    def discard(self) -> None:
        try:
            self._run([f"DROP TABLE IF EXISTS {self._q(self.staging_name)}"])
        except DeployError:
            pass


def stage_duckdb_table(url: str, table: str, frame: pd.DataFrame) -> StagedDuckTable:
    import duckdb

    from soloml.warehouse.connection import DUCKDB_CONFIG, quote_ident

    schema, name = check_table_name(table)
    path = url[len("duckdb:///"):] if url.startswith("duckdb:///") else url.split(":", 1)[1]
    staged = StagedDuckTable(path, table, schema, name, f"{name}__new_{secrets.token_hex(4)}")
    try:
        con = duckdb.connect(path, config=dict(DUCKDB_CONFIG))
    except duckdb.Error as exc:
        raise DeployError(f"Cannot open DuckDB file {path} for the write-back: {exc}.", hint="Close the program holding it and re-run.") from exc
    try:
        if schema:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")
        con.register("soloml_writeback", frame)
        con.execute(
            f"CREATE TABLE {staged._q(staged.staging_name)} AS SELECT run_id::VARCHAR AS run_id, project::VARCHAR AS project, "
            "model_version::VARCHAR AS model_version, entity_id::VARCHAR AS entity_id, source_system::VARCHAR AS source_system, "
            "source_id::VARCHAR AS source_id, email::VARCHAR AS email, score::DOUBLE AS score, decision::BOOLEAN AS decision, "
            "rank::INTEGER AS rank, top_reasons::VARCHAR AS top_reasons, scored_at::TIMESTAMP AS scored_at FROM soloml_writeback"
        )
    except duckdb.Error as exc:
        raise DeployError(f"Writing predictions to table '{table}' in {path} failed: {exc}.", hint=f"Nothing was replaced: the previous '{table}' is unchanged.") from exc
    finally:
        con.close()
    return staged


def stage_target(target: str, frame: pd.DataFrame, *, table: str | None = None, project: str = "", chunk_rows: int = 5_000) -> tuple[WriteBack, StagedTable | StagedDuckTable]:
    """Stage a database target (URL or .duckdb file) without touching the live table."""
    frame = frame.loc[:, list(COLUMNS)]
    name = table or default_table(project)
    if is_database_url(target) and not target.startswith("duckdb:"):
        return WriteBack(target=safe_url(target), table=name, rows=len(frame)), stage_table(target, name, frame, chunk_rows=chunk_rows)
    url = target if target.startswith("duckdb:") else "duckdb:" + target
    shown = target if target.startswith("duckdb:") else str(Path(target).resolve())
    return WriteBack(target=shown, table=name, rows=len(frame)), stage_duckdb_table(url, name, frame)


def _sql_columns(sa):  # noqa: ANN001, ANN202 - sqlalchemy module passed in to keep the import lazy
    return (
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("project", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(255)),
        sa.Column("source_system", sa.String(255)),
        sa.Column("source_id", sa.String(255)),
        sa.Column("email", sa.String(320)),
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
