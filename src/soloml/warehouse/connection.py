"""Open the warehouse. The connection is always passed in, never global."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from soloml.errors import WarehouseError
from soloml.sql_quoting import quote_ident as quote_ident  # re-exported: stages import it from here too

SCHEMAS = ("raw", "core", "features", "ops")

# DuckDB ships parquet/json/icu built in; never download an extension at run time.
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

OPS_DDL = (
    """
    CREATE TABLE IF NOT EXISTS ops.loads (
        load_id VARCHAR PRIMARY KEY,
        source VARCHAR NOT NULL,
        sha256 VARCHAR,
        target_table VARCHAR,
        detected_format VARCHAR,
        rows_in BIGINT,
        rows_loaded BIGINT,
        rows_quarantined BIGINT,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL,
        error VARCHAR,
        requested_as VARCHAR,
        rows_skipped BIGINT,
        headers JSON,
        columns JSON,
        detection JSON,
        core_rows JSON,
        notes JSON,
        run_by VARCHAR
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS ops.quarantine (
        load_id VARCHAR NOT NULL,
        row_number BIGINT,
        raw_row JSON,
        reason VARCHAR,
        source VARCHAR
    )
    """,
    # one row per run of train / score / monitor / assign
    """
    CREATE TABLE IF NOT EXISTS ops.runs (
        run_id VARCHAR PRIMARY KEY,
        project VARCHAR,
        kind VARCHAR NOT NULL,
        model_version VARCHAR,
        started_at TIMESTAMP,
        finished_at TIMESTAMP,
        status VARCHAR NOT NULL,
        rows BIGINT,
        error VARCHAR,
        details JSON
    )
    """,
    # every prediction made, by batch scoring or the service
    """
    CREATE TABLE IF NOT EXISTS ops.predictions (
        run_id VARCHAR NOT NULL,
        project VARCHAR NOT NULL,
        model_version VARCHAR NOT NULL,
        entity_id VARCHAR,
        score DOUBLE,
        decision BOOLEAN,
        rank INTEGER,
        top_reasons JSON,
        scored_at TIMESTAMP NOT NULL,
        origin VARCHAR,
        source_system VARCHAR,
        source_id VARCHAR,
        email VARCHAR
    )
    """,
    # the business's own ids next to entity_id (batch scoring); added to warehouses made before them
    "ALTER TABLE ops.predictions ADD COLUMN IF NOT EXISTS source_system VARCHAR",
    "ALTER TABLE ops.predictions ADD COLUMN IF NOT EXISTS source_id VARCHAR",
    "ALTER TABLE ops.predictions ADD COLUMN IF NOT EXISTS email VARCHAR",
    # multiclass: the class predicted (score is its probability); added after the first release, hence the ALTER
    "ALTER TABLE ops.predictions ADD COLUMN IF NOT EXISTS predicted_class VARCHAR",
    # alias history of the model registry (promote / rollback / register)
    """
    CREATE TABLE IF NOT EXISTS ops.model_events (
        project VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        alias VARCHAR,
        version VARCHAR,
        previous_version VARCHAR,
        happened_at TIMESTAMP NOT NULL,
        note VARCHAR
    )
    """,
    # who saw which variant of which experiment
    """
    CREATE TABLE IF NOT EXISTS ops.exposures (
        experiment VARCHAR NOT NULL,
        unit_id VARCHAR NOT NULL,
        variant VARCHAR NOT NULL,
        exposed_at TIMESTAMP NOT NULL,
        origin VARCHAR
    )
    """,
    # one row per monitoring check
    """
    CREATE TABLE IF NOT EXISTS ops.monitoring (
        run_id VARCHAR NOT NULL,
        project VARCHAR NOT NULL,
        model_version VARCHAR,
        checked_at TIMESTAMP NOT NULL,
        check_name VARCHAR NOT NULL,
        subject VARCHAR,
        statistic DOUBLE,
        threshold DOUBLE,
        alert BOOLEAN NOT NULL,
        details JSON
    )
    """,
)


def connect(target: str | Path = ":memory:", *, read_only: bool = False, lock_timeout: float = 15.0) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection to `target` (a file path or ':memory:') with soloml's schemas and journals.

    DuckDB lets one process write a file at a time; a lock held by another process is waited out
    for up to `lock_timeout` seconds before giving up with a WarehouseError.

    >>> con = connect(":memory:")
    >>> con.execute("select count(*) from ops.loads").fetchone()
    (0,)
    """
    text = str(target)
    if text.startswith("duckdb:///"):
        text = text[len("duckdb:///"):] or ":memory:"
    elif "://" in text:
        raise WarehouseError(
            f"Warehouse URL '{target}' is not supported as the embedded warehouse yet.",
            hint="Use a DuckDB file path in soloml.yaml (warehouse: warehouse.duckdb); Postgres is supported as a load source and write-back target.",
        )
    if text != ":memory:":
        Path(text).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    while True:
        try:
            con = duckdb.connect(text, read_only=read_only, config=dict(DUCKDB_CONFIG))
            break
        except duckdb.Error as exc:
            # another process (e.g. `soloml serve` writing its log) holds the file briefly: wait it out
            if "lock" in str(exc).lower() and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise WarehouseError(f"Cannot open the warehouse at {text}: {exc}.", hint="Is another soloml process writing to it? Close it and retry.") from exc
    if not read_only:
        ensure_schemas(con)
    return con


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for ddl in OPS_DDL:
        con.execute(ddl)


def table_exists(con: duckdb.DuckDBPyConnection, qualified: str) -> bool:
    schema, _, name = qualified.rpartition(".")
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema or "main", name],
    ).fetchall()
    row = row[0] if row else None
    return bool(row and row[0])


