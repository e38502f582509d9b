"""Loads into a Postgres warehouse: DuckDB stays the engine that reads, types, quarantines, lands and routes each
file (the same code and rules as a DuckDB warehouse), in a local in-memory warehouse seeded with what those
decisions need, when they need it (`_Seed`): the journal, for `unchanged`; a raw table with its loads'
quarantined rows just before a file lands in it, for keys and rows already there; the core tables before a
routed load's first recognised file lands, for customers and identities already there. What changed then
arrives in Postgres by COPY, in one transaction with its journal rows and quarantine:

1. under an advisory lock (loads take turns; readers and other writers are not blocked), `running` rows left
   by a killed load are marked `interrupted`: no live load holds the lock, so none of them is still running;
2. the files load into the local warehouse (`load_all`, unchanged: recognised exports are routed into core.*
   there, by the router's DuckDB SQL);
3. their journal rows are committed to Postgres as `running`;
4. one transaction replaces each raw table that changed (DROP, CREATE, COPY) and the rows of each core table
   whose contents changed (DELETE, COPY: the table, its grants and the views on it stay), writes the quarantined
   rows and turns the journal rows into their outcome. A crash before its COMMIT leaves no row of it, and step 1
   of the next load marks the journal rows `interrupted`.

Why route locally rather than on Postgres: the adapters' SQL (time zones through session variables, strptime
formats, regular expressions, list functions) is DuckDB's, and a second port of it would be a second set of rules
to keep equal. The price: a load that lands a file copies the raw table it lands in (and, routed, the core
tables) in and out whole; a load of unchanged files copies no table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import pyarrow as pa

from soloml.crashpoints import pause_at
from soloml.errors import WarehouseError
from soloml.sources.batch import LoadRequest, load_all
from soloml.sources.contracts import Detection
from soloml.sources.results import LoadSummary
from soloml.sql_quoting import quote_ident
from soloml.warehouse import ops
from soloml.warehouse.connection import connect
from soloml.warehouse.journal import mark_interrupted
from soloml.warehouse.postgres import PostgresConnection
from soloml.warehouse.postgres_frames import create_sql

LOAD_LOCK = 0x501_0AD5  # the advisory lock every load into a Postgres warehouse holds while it runs
CRASHPOINT = "load.postgres.copied"  # every row is copied, the transaction not yet committed
RawReads = Callable[[Detection], Iterable[str]]


def load_into_postgres(
    pg: PostgresConnection,
    requests: Sequence[LoadRequest],
    *,
    core_tables: Callable[[Any], None] | None = None,
    raw_reads: RawReads | None = None,
    **options: Any,
) -> LoadSummary:
    """`load_all` (same options) for a Postgres warehouse, as described above. `core_tables(con)` creates the
    core.* tables with their columns and types (the canonical stage's, which this stage may not import); it is
    needed with a `router`, to seed the local core tables and to make or extend Postgres's. `raw_reads(detection)`
    names the raw tables ('raw.x') the router may read for a file so recognised besides the one it lands in (an
    adapter's lookups); without it a routed load copies every raw table before its first recognised file."""
    with pg.advisory_lock(LOAD_LOCK):
        interrupted = mark_interrupted(pg)
        local = connect(":memory:")
        try:
            routes = options.get("router") is not None
            seed = _Seed(pg, local, routes=routes, core_tables=core_tables, raw_reads=raw_reads)
            summary = load_all(local, requests, before_landing=seed.table, **options)
            new_ids = [
                r[0] for r in local.execute("SELECT load_id FROM ops.loads").fetchall() if r[0] not in seed.known
            ]
            if new_ids:
                after = _fingerprints(local)
                core = sorted(name for name, print_ in after.items() if (seed.core or {}).get(name) != print_)
                _publish(pg, local, new_ids, summary, core, core_tables)
        finally:
            local.close()
    cleaned = tuple(f"marked load {i.load_id} of {i.source} interrupted" for i in interrupted)
    return LoadSummary(summary.results, cleaned + summary.cleaned, summary.files, summary.errors)


def _qualified(con: Any, schema: str) -> list[str]:
    return [f"{schema}.{name}" for name in _tables(con, schema)]


def _tables(con: Any, schema: str) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE' "
        "ORDER BY 1",
        [schema],
    ).fetchall()
    return [r[0] for r in rows]


def _fingerprints(local: Any) -> dict[str, Any]:
    """Each local core table's row count and order-free hash of its rows: what tells a changed table."""
    return {
        name: local.execute(f"SELECT count(*), sum(hash(t)) FROM core.{quote_ident(name)} t").fetchall()[0]
        for name in _tables(local, "core")
    }


class _Seed:
    """The local warehouse, filled from `pg` as the load needs it: the journal at once (what tells `unchanged`);
    a raw table, with the quarantined rows of the loads that wrote it (the router reads them for an order's earlier
    lines), just before a file lands in it; the core tables and the raw tables a router may read, for a load that
    `routes`, before its first recognised file lands (made by `core_tables` first, when given, for soloml's own
    types). A load of only unchanged files copies no table; one of an unrecognised file into raw.x copies raw.x."""

    def __init__(
        self,
        pg: PostgresConnection,
        local: Any,
        *,
        routes: bool,
        core_tables: Callable[[Any], None] | None,
        raw_reads: RawReads | None,
    ) -> None:
        self.pg, self.local, self.routes, self.core_tables, self.raw_reads = pg, local, routes, core_tables, raw_reads
        loads = pg.execute("SELECT * FROM ops.loads").to_arrow_table()
        _insert(local, "ops.loads", loads)
        self.known: set[str] = set(loads.column("load_id").to_pylist())  # the load ids already journaled
        self.seeded: set[str] = set()
        self.present: dict[str, list[str]] = {}
        self.core: dict[str, Any] | None = None  # the core tables' fingerprints once copied: what tells a change

    def table(self, local: Any, target: str, detection: Detection | None) -> None:
        """`before_landing`: copy raw table `target` if not yet done; before the first file the detector recognised
        lands in a load that routes (an unrecognised one, without `vendor_object`, routes nothing), the core
        tables and the raw tables its router may read (`raw_reads`; every one when not given)."""
        recognised = detection is not None and detection.vendor_object is not None
        if self.routes and recognised:
            if self.core is None:
                self._core()
            reads = self.raw_reads(detection) if self.raw_reads and detection else self._present("raw")
            for name in reads:
                self._raw(name)
        self._raw(target)

    def _present(self, schema: str) -> list[str]:
        """The tables of `schema` in Postgres when the load began ('raw.x'): asked once."""
        if schema not in self.present:
            self.present[schema] = _qualified(self.pg, schema)
        return self.present[schema]

    def _raw(self, target: str) -> None:
        """Copy one raw table and its loads' quarantined rows. Postgres is read first and the local tables are
        written in one local transaction, and the table counts as copied only then: a copy that failed leaves
        nothing half-copied for a later file of the load to take as the whole table."""
        if target in self.seeded:
            return
        schema, name = target.split(".", 1)
        if target not in self._present(schema):
            self.seeded.add(target)
            return
        rows = self.pg.execute(f"SELECT * FROM {schema}.{quote_ident(name)}").to_arrow_table()
        quarantined = self.pg.execute(
            "SELECT * FROM ops.quarantine WHERE load_id IN (SELECT load_id FROM ops.loads WHERE target_table = ?)",
            [target],
        ).to_arrow_table()
        with _local_transaction(self.local):
            self.local.register("_soloml_seed_raw", rows)
            self.local.execute(f"CREATE TABLE {schema}.{quote_ident(name)} AS SELECT * FROM _soloml_seed_raw")
            self.local.unregister("_soloml_seed_raw")
            _insert(self.local, "ops.quarantine", quarantined)
        self.seeded.add(target)

    def _core(self) -> None:
        """Copy every core table, all or none (as `_raw`)."""
        tables = {
            name: self.pg.execute(f"SELECT * FROM core.{quote_ident(name)}").to_arrow_table()
            for name in _tables(self.pg, "core")
        }
        with _local_transaction(self.local):
            if tables and self.core_tables:
                self.core_tables(self.local)  # soloml's own types (DECIMAL(18,2), TIMESTAMP), whatever Postgres made
            for name, rows in tables.items():
                _insert(self.local, f"core.{quote_ident(name)}", rows)
        self.core = _fingerprints(self.local)


@contextmanager
def _local_transaction(local: Any) -> Iterator[None]:
    local.begin()
    try:
        yield
    except BaseException:
        local.rollback()
        raise
    local.commit()


def _insert(local: Any, target: str, rows: pa.Table) -> None:
    """Postgres rows into a local table by column name; a table soloml does not define is made from them."""
    if rows.num_rows == 0 and target.startswith("ops."):
        return
    local.register("_soloml_seed", rows)
    try:
        schema, name = target.split(".", 1)
        if name.strip('"') in _tables(local, schema):
            local.execute(f"INSERT INTO {target} BY NAME SELECT * FROM _soloml_seed")
        else:
            local.execute(f"CREATE TABLE {target} AS SELECT * FROM _soloml_seed")
    finally:
        local.unregister("_soloml_seed")


def _publish(
    pg: PostgresConnection,
    local: Any,
    new_ids: list[str],
    summary: LoadSummary,
    core: list[str],
    core_tables: Callable[[Any], None] | None,
) -> None:
    """Steps 3 and 4: the journal rows as `running`, then every changed row (the raw tables loaded, the `core`
    tables whose rows changed) in one transaction."""
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
            target = f"raw.{quote_ident(qualified.split('.', 1)[1])}"
            rows = local.sql(f"SELECT * FROM {target}").to_arrow_table()
            pg.execute(f"DROP TABLE IF EXISTS {target}")
            pg.execute(create_sql(rows, target))
            pg.copy_frame(rows, target)
        if core and core_tables:
            current = "core.*"
            core_tables(pg)  # a first routed load makes them; a newer soloml adds its columns
        for name in core:
            current = f"core.{name}"
            target = f"core.{quote_ident(name)}"
            rows = local.sql(f"SELECT * FROM {target}").to_arrow_table()
            if name not in _tables(pg, "core"):
                pg.execute(create_sql(rows, target))
            pg.execute(f"DELETE FROM {target}")
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
