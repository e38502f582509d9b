"""Loads into a Postgres warehouse: DuckDB stays the engine that reads, types, quarantines and lands each file
(the same code and rules as a DuckDB warehouse), in a local in-memory warehouse seeded with what those
decisions need (the journal, for `unchanged`; the raw tables, for keys and rows already there). What changed
then arrives in Postgres by COPY, in one transaction with its journal rows and quarantine:

1. under an advisory lock (loads take turns; readers and other writers are not blocked), `running` rows left
   by a killed load are marked `interrupted`: no live load holds the lock, so none of them is still running;
2. the files load into the local warehouse (`load_all`, unchanged);
3. their journal rows are committed to Postgres as `running`;
4. one transaction replaces each raw table that changed (DROP, CREATE, COPY), writes the quarantined rows and
   turns the journal rows into their outcome. A crash before its COMMIT leaves no row of it, and step 1 of the
   next load marks the journal rows `interrupted`.

Not yet: routing into core.* (the router's SQL is DuckDB's); each load copies the raw tables in and out whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import psycopg
import pyarrow as pa

from soloml.crashpoints import pause_at
from soloml.errors import WarehouseError
from soloml.sources.batch import LoadRequest, load_all
from soloml.sources.results import LoadSummary
from soloml.warehouse import ops
from soloml.warehouse.connection import connect
from soloml.warehouse.journal import mark_interrupted
from soloml.warehouse.postgres import PostgresConnection
from soloml.warehouse.postgres_frames import create_sql, quote

LOAD_LOCK = 0x501_0AD5  # the advisory lock every load into a Postgres warehouse holds while it runs
CRASHPOINT = "load.postgres.copied"  # every row is copied, the transaction not yet committed
NOT_ROUTED = (
    "Recognised, but not routed into core.*: on a Postgres warehouse, loads land raw.* only so far (docs/scale.md)."
)


def load_into_postgres(pg: PostgresConnection, requests: Sequence[LoadRequest], **options: Any) -> LoadSummary:
    """`load_all` (same options) for a Postgres warehouse, as described above; core.* is not routed yet."""
    options = {**options, "router": None}
    with pg.advisory_lock(LOAD_LOCK):
        interrupted = mark_interrupted(pg)
        local = connect(":memory:")
        try:
            known = _seed(pg, local)
            summary = load_all(local, requests, **options)
            new_ids = [r[0] for r in local.execute("SELECT load_id FROM ops.loads").fetchall() if r[0] not in known]
            if new_ids:
                _publish(pg, local, new_ids, summary)
        finally:
            local.close()
    cleaned = tuple(f"marked load {i.load_id} of {i.source} interrupted" for i in interrupted)
    results = tuple(
        replace(r, notes=(*r.notes, NOT_ROUTED)) if r.status == "loaded" and _recognised(r) else r
        for r in summary.results
    )
    return LoadSummary(results, cleaned + summary.cleaned, summary.files, summary.errors)


def _recognised(result: Any) -> bool:
    return getattr(result.detection, "vendor_object", None) is not None


def _raw_tables(con: Any) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _seed(pg: PostgresConnection, local: Any) -> set[str]:
    """The journal and the raw tables of `pg` into `local`; returns the load ids already journaled."""
    loads = pg.execute("SELECT * FROM ops.loads").to_arrow_table()
    local.register("_soloml_seed_loads", loads)
    local.execute("INSERT INTO ops.loads BY NAME SELECT * FROM _soloml_seed_loads")
    local.unregister("_soloml_seed_loads")
    for name in _raw_tables(pg):
        rows = pg.execute(f"SELECT * FROM raw.{quote(name)}").to_arrow_table()
        local.register("_soloml_seed_raw", rows)
        local.execute(f"CREATE TABLE raw.{quote(name)} AS SELECT * FROM _soloml_seed_raw")
        local.unregister("_soloml_seed_raw")
    return set(loads.column("load_id").to_pylist())


def _publish(pg: PostgresConnection, local: Any, new_ids: list[str], summary: LoadSummary) -> None:
    """Steps 3 and 4: the journal rows as `running`, then every changed row in one transaction."""
    marks = ", ".join("?" for _ in new_ids)
    journal = local.sql(f"SELECT * FROM ops.loads WHERE load_id IN ({marks})", params=new_ids).to_arrow_table()
    running = journal.set_column(
        journal.schema.get_field_index("status"), "status", pa.array(["running"] * journal.num_rows)
    )
    pg.copy_frame(running, "ops.loads")
    changed = sorted({r.raw_table for r in summary.results if r.status == "loaded" and r.raw_table})
    current = "ops.quarantine"
    pg.execute("BEGIN TRANSACTION")
    try:
        for qualified in changed:
            current = qualified
            target = f"raw.{quote(qualified.split('.', 1)[1])}"
            rows = local.sql(f"SELECT * FROM {target}").to_arrow_table()
            pg.execute(f"DROP TABLE IF EXISTS {target}")
            pg.execute(create_sql(rows, target))
            pg.copy_frame(rows, target)
        current = "ops.quarantine"
        quarantined = local.sql(
            f"SELECT * FROM ops.quarantine WHERE load_id IN ({marks})", params=new_ids
        ).to_arrow_table()
        pg.copy_frame(quarantined, "ops.quarantine")
        current = "ops.loads"
        pg.execute(f"DELETE FROM ops.loads WHERE load_id IN ({marks})", new_ids)
        pg.copy_frame(journal, "ops.loads")
        pause_at(CRASHPOINT)
        pg.execute("COMMIT")
    except psycopg.Error as exc:
        pg.execute("ROLLBACK")
        reason = " ".join(str(exc).split())
        for load_id in new_ids:
            ops.update(pg, "loads", {"load_id": load_id}, status="failed", error=f"{current}: {reason}")
        raise WarehouseError(
            f"The Postgres warehouse refused {current} for this load, and nothing of it was written: {reason}",
            hint="Remove what stands in the way (a view or grant on that table, a full disk) and run the load again.",
        ) from exc
    except BaseException:
        pg.execute("ROLLBACK")
        raise
