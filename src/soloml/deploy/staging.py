"""Staged write-back targets: every new row sits under a temporary name until one swap publishes it.

Each kind of target is one class with the same five steps, so a scoring run can name every staging
place before it creates any (and record them), and a later run can find them again after a crash:

    staged = StagedTable(url, "crm.churn_scores")   # names only, no I/O
    staged.record()                                 # {"kind": "table", "target": <url, password masked>, "table", "staging"}
    staged.stage(frame)                             # rows into crm.churn_scores__new_<hex>
    staged.publish()                                # one swap; or staged.discard() drops the staging copy
    staged.live_run_id()                            # the run_id the live table holds now (None: no table yet)

- Postgres / SQLite / DuckDB: `DROP TABLE t; ALTER TABLE staging RENAME TO t` in one transaction;
- MySQL / MariaDB (DDL is not transactional there): one atomic `RENAME TABLE t TO old, staging TO t`;
- a .csv/.parquet file: written beside itself (`.<name>.<hex>.tmp`) and renamed over the old file.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from soloml.errors import DeployError

_TABLE_NAME = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]{0,40}\.)?[A-Za-z_][A-Za-z0-9_]{0,40}$")


def safe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def check_table_name(table: str) -> tuple[str | None, str]:
    if not _TABLE_NAME.match(table):
        raise DeployError(
            f"'{table}' is not a usable table name for the write-back.",
            hint="Use letters, digits and underscores (at most 40), optionally as schema.table, e.g. crm.churn_scores.",
        )
    schema, _, name = table.rpartition(".")
    return schema or None, name


def _staging_name(name: str) -> str:
    return f"{name}__new_{secrets.token_hex(4)}"


class StagedTable:
    """A table in a database reached through SQLAlchemy (Postgres, MySQL/MariaDB, SQLite)."""

    def __init__(self, url: str, table: str, *, staging_name: str | None = None) -> None:
        self.url, self.table = url, table
        self.schema, self.name = check_table_name(table)
        self.staging_name = staging_name or _staging_name(self.name)
        self._engine: Any = None

    @property
    def engine(self) -> Any:
        if self._engine is None:
            import sqlalchemy as sa

            try:
                self._engine = sa.create_engine(self.url)
            except Exception as exc:  # noqa: BLE001 - a bad URL or missing driver
                raise DeployError(
                    f"Cannot use '{safe_url(self.url)}' as a write-back target: {exc}.",
                    hint="Pass an SQLAlchemy URL such as postgresql+psycopg://user@host/db or mysql+pymysql://user@host/db.",
                ) from exc
        return self._engine

    def record(self) -> dict[str, str]:
        return {"kind": "table", "target": safe_url(self.url), "table": self.table, "staging": self.staging_name}

    def _q(self, name: str) -> str:
        prep = self.engine.dialect.identifier_preparer
        return (
            f"{prep.quote_identifier(self.schema)}.{prep.quote_identifier(name)}"
            if self.schema
            else prep.quote_identifier(name)
        )

    def stage(self, frame: pd.DataFrame, *, chunk_rows: int = 5_000) -> StagedTable:
        """Create the staging table and insert every row; nothing live changes yet."""
        import sqlalchemy as sa

        staging = sa.Table(self.staging_name, sa.MetaData(schema=self.schema), *_sql_columns(sa, frame.columns))
        try:
            staging.create(self.engine)
        except sa.exc.SQLAlchemyError as exc:
            self.engine.dispose()
            raise self._failed(exc) from exc
        try:
            records = _records(frame)
            with self.engine.begin() as conn:
                for start in range(0, len(records), chunk_rows):
                    conn.execute(staging.insert(), records[start : start + chunk_rows])
        except BaseException as exc:
            self.discard()
            if isinstance(exc, sa.exc.SQLAlchemyError):
                raise self._failed(exc) from exc
            raise
        return self

    def publish(self) -> None:
        import sqlalchemy as sa

        try:
            exists = sa.inspect(self.engine).has_table(self.name, schema=self.schema)
            with self.engine.begin() as conn:
                if self.engine.dialect.name in ("mysql", "mariadb"):
                    old = self.staging_name.replace("__new_", "__old_")
                    if exists:
                        conn.execute(
                            sa.text(
                                f"RENAME TABLE {self._q(self.name)} TO {self._q(old)}, {self._q(self.staging_name)} TO {self._q(self.name)}"
                            )
                        )
                        conn.execute(sa.text(f"DROP TABLE {self._q(old)}"))
                    else:
                        conn.execute(sa.text(f"RENAME TABLE {self._q(self.staging_name)} TO {self._q(self.name)}"))
                else:
                    if exists:
                        conn.execute(sa.text(f"DROP TABLE {self._q(self.name)}"))
                    prep = self.engine.dialect.identifier_preparer
                    conn.execute(
                        sa.text(
                            f"ALTER TABLE {self._q(self.staging_name)} RENAME TO {prep.quote_identifier(self.name)}"
                        )
                    )
        except sa.exc.SQLAlchemyError as exc:
            self.discard()
            raise self._failed(exc) from exc
        finally:
            self.engine.dispose()

    def discard(self) -> None:
        """Drop the staging copy (and MySQL's `__old_` copy of an interrupted swap), if they exist."""
        import sqlalchemy as sa

        try:
            with self.engine.begin() as conn:
                for name in (self.staging_name, self.staging_name.replace("__new_", "__old_")):
                    conn.execute(sa.text(f"DROP TABLE IF EXISTS {self._q(name)}"))
        except sa.exc.SQLAlchemyError:
            pass  # the database went away; a leftover *__new_* table holds nothing live
        finally:
            self.engine.dispose()

    def live_run_id(self) -> str | None:
        import sqlalchemy as sa

        try:
            if not sa.inspect(self.engine).has_table(self.name, schema=self.schema):
                return None
            with self.engine.connect() as conn:
                value = conn.execute(sa.text(f"SELECT run_id FROM {self._q(self.name)} LIMIT 1")).scalar()
        except sa.exc.SQLAlchemyError as exc:
            raise self._failed(exc, reading=True) from exc
        finally:
            self.engine.dispose()
        return None if value is None else str(value)

    def _failed(self, exc: Exception, *, reading: bool = False) -> DeployError:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        if reading:
            return DeployError(
                f"Reading table '{self.table}' at {safe_url(self.url)} failed: {detail}.",
                hint="Check the database is reachable.",
            )
        return DeployError(
            f"Writing predictions to table '{self.table}' at {safe_url(self.url)} failed: {detail}.",
            hint=f"Nothing was replaced: the previous '{self.table}' is unchanged. Fix the database problem and re-run the same command.",
        )


class StagedDuckTable:
    """A table in a DuckDB file (`duckdb:///path/to/file.duckdb`); `publish()` drops the old table and renames in one transaction."""

    def __init__(self, path: str, table: str, *, staging_name: str | None = None) -> None:
        self.path, self.table = path, table
        self.schema, self.name = check_table_name(table)
        self.staging_name = staging_name or _staging_name(self.name)

    def record(self) -> dict[str, str]:
        return {"kind": "duckdb", "target": self.path, "table": self.table, "staging": self.staging_name}

    def _q(self, name: str) -> str:
        from soloml.warehouse.connection import quote_ident

        return f"{quote_ident(self.schema)}.{quote_ident(name)}" if self.schema else quote_ident(name)

    def _connect(self) -> Any:
        import duckdb

        from soloml.warehouse.connection import DUCKDB_CONFIG

        try:
            return duckdb.connect(self.path, config=dict(DUCKDB_CONFIG))
        except duckdb.Error as exc:
            raise DeployError(
                f"Cannot open DuckDB file {self.path} for the write-back: {exc}.",
                hint="Close the program holding it and re-run.",
            ) from exc

    def _run(self, statements: list[str]) -> None:
        import duckdb

        con = self._connect()
        try:
            con.execute("BEGIN")
            for sql in statements:
                con.execute(sql)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise DeployError(
                f"Writing predictions to table '{self.table}' in {self.path} failed: {exc}.",
                hint=f"Nothing was replaced: the previous '{self.table}' is unchanged.",
            ) from exc
        finally:
            con.close()

    def stage(self, frame: pd.DataFrame) -> StagedDuckTable:
        import duckdb

        from soloml.warehouse.connection import quote_ident

        con = self._connect()
        try:
            if self.schema:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(self.schema)}")
            con.register("soloml_writeback", frame)
            columns = ", ".join(
                f"{quote_ident(c)}::{_DUCK_TYPES.get(c, 'VARCHAR')} AS {quote_ident(c)}" for c in frame.columns
            )
            con.execute(f"CREATE TABLE {self._q(self.staging_name)} AS SELECT {columns} FROM soloml_writeback")
        except duckdb.Error as exc:
            raise DeployError(
                f"Writing predictions to table '{self.table}' in {self.path} failed: {exc}.",
                hint=f"Nothing was replaced: the previous '{self.table}' is unchanged.",
            ) from exc
        finally:
            con.close()
        return self

    def publish(self) -> None:
        from soloml.warehouse.connection import quote_ident

        try:
            self._run(
                [
                    f"DROP TABLE IF EXISTS {self._q(self.name)}",
                    f"ALTER TABLE {self._q(self.staging_name)} RENAME TO {quote_ident(self.name)}",
                ]
            )
        except DeployError:
            self.discard()
            raise

    def discard(self) -> None:
        try:
            self._run([f"DROP TABLE IF EXISTS {self._q(self.staging_name)}"])
        except DeployError:
            pass

    def live_run_id(self) -> str | None:
        import duckdb

        con = self._connect()
        try:
            value = con.execute(f"SELECT run_id FROM {self._q(self.name)} LIMIT 1").fetchone()
        except duckdb.CatalogException:
            return None
        finally:
            con.close()
        return None if value is None or value[0] is None else str(value[0])


class StagedFile:
    """A .csv or .parquet file, written beside itself and renamed over the old one."""

    def __init__(self, path: Path, *, staging: Path | None = None) -> None:
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise DeployError(
                f"Cannot write predictions to '{path}': the file must end in .csv or .parquet.",
                hint="Pass e.g. --to predictions.csv, or a database URL such as postgresql+psycopg://user@host/db.",
            )
        self.staging = (
            Path(staging) if staging else self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        )

    def record(self) -> dict[str, str]:
        return {"kind": "file", "target": str(self.path.resolve()), "staging": str(self.staging.resolve())}

    def stage(self, frame: pd.DataFrame) -> StagedFile:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.path.suffix.lower() == ".csv":
                frame.to_csv(self.staging, index=False)
            else:
                frame.to_parquet(self.staging, index=False)
        except OSError as exc:
            self.staging.unlink(missing_ok=True)
            raise DeployError(
                f"Cannot write predictions to {self.path}: {exc}.",
                hint="Check the folder exists and is writable; the previous file is unchanged.",
            ) from exc
        return self

    def publish(self) -> None:
        os.replace(self.staging, self.path)

    def discard(self) -> None:
        self.staging.unlink(missing_ok=True)

    def live_run_id(self) -> str | None:
        if not self.path.is_file():
            return None
        try:
            if self.path.suffix.lower() == ".csv":
                first = pd.read_csv(self.path, usecols=["run_id"], nrows=1, dtype=str)
            else:
                first = pd.read_parquet(self.path, columns=["run_id"]).head(1)
        except (OSError, ValueError) as exc:
            raise DeployError(f"Cannot read {self.path}: {exc}.", hint="Check the file is readable.") from exc
        return None if first.empty else str(first["run_id"].iloc[0])


Staged = StagedTable | StagedDuckTable | StagedFile


def from_record(record: dict[str, Any], urls: Sequence[str] = ()) -> Staged | None:
    """The staged target a run recorded, to check or clean it later; None when its URL's password was masked and no given URL matches."""
    kind, target = record.get("kind"), str(record.get("target", ""))
    if kind == "file":
        return StagedFile(Path(target), staging=Path(record["staging"]))
    if kind == "duckdb":
        return StagedDuckTable(target, record["table"], staging_name=record["staging"])
    url = target if "***" not in target else next((u for u in urls if safe_url(u) == target), None)
    return None if url is None else StagedTable(url, record["table"], staging_name=record["staging"])


_DUCK_TYPES = {
    "score": "DOUBLE",
    "decision": "BOOLEAN",
    "rank": "INTEGER",
    "scored_at": "TIMESTAMP",  # any other column: VARCHAR
    # a forecast's write-back rows (forecasting/shipping.py)
    "period": "DATE",
    "step": "INTEGER",
    "forecast": "DOUBLE",
    "lower": "DOUBLE",
    "upper": "DOUBLE",
    "level": "DOUBLE",
    "made_at": "TIMESTAMP",
}


def _sql_columns(sa, names):  # noqa: ANN001, ANN202 - sqlalchemy module passed in to keep the import lazy
    """The write-back table's columns, in the frame's order (any column not named here is text)."""
    required = {"run_id": sa.String(64), "project": sa.String(64), "model_version": sa.String(32)}
    kinds = {
        "email": sa.String(320),
        "score": sa.Float(53),
        "decision": sa.Boolean,
        "rank": sa.Integer,
        "top_reasons": sa.Text,
        "scored_at": sa.DateTime,
        "period": sa.Date,
        "step": sa.Integer,
        "forecast": sa.Float(53),
        "lower": sa.Float(53),
        "upper": sa.Float(53),
        "level": sa.Float(53),
        "made_at": sa.DateTime,
    }
    return tuple(
        sa.Column(name, required[name], nullable=False)
        if name in required
        else sa.Column(name, kinds.get(name, sa.String(255)))
        for name in names
    )


def _records(frame: pd.DataFrame) -> list[dict]:
    """Plain Python values (NaN -> NULL) so every driver accepts them."""
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")
