"""Bring a workspace's `ops.*` up to `ops.SCHEMA`, and record how far it has come in `ops.schema_version`.

Two kinds of change, two mechanisms:
- *additive* (a new table, a new column): nothing to write here. `converge` creates every missing table and adds
  every missing column from `ops.SCHEMA`, so the schema definition stays the one place a column is declared.
  An added column is always nullable (old rows have no value for it).
- *everything else* (a renamed column, a moved table, a data fix): a numbered `Migration` below, run once, in
  order, before `converge`, in the same transaction as the version row that records it.

A workspace from before versions existed (no `ops.schema_version`) is version 0. Opening a workspace at the latest
version costs one query, so the many short connections (the prediction log's) stay cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from soloml.warehouse import ops
from soloml.warehouse.base import Connection

SCHEMAS = ("raw", "core", "features", "ops")


@dataclass(frozen=True)
class Migration:
    version: int
    note: str
    steps: Callable[[Connection], None]


def rename_column(con: Connection, qualified: str, old: str, new: str) -> None:
    """Rename `old` to `new` if the table still has `old` (so a half-migrated workspace is safe to re-run)."""
    schema, _, name = qualified.partition(".")
    present = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [schema, name],
        ).fetchall()
    }
    if old in present and new not in present:
        con.execute(f'ALTER TABLE {qualified} RENAME COLUMN "{old}" TO "{new}"')


def _nothing(con: Connection) -> None:
    """Version 1 is additive only (ops.schema_version itself; ops.forecasts joins the one schema): converge does it."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "ops.schema_version; ops.forecasts defined with the other ops tables", _nothing),
)
LATEST = max(m.version for m in MIGRATIONS)


def current_version(con: Connection) -> int:
    """The workspace's schema version: 0 when it predates `ops.schema_version`."""
    # fetchall, never fetchone: DuckDB 2 refuses the caller's next statement while a result is unfinished
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'schema_version'"
    ).fetchall()
    if not has or not has[0][0]:
        return 0
    rows = con.execute("SELECT max(version) FROM ops.schema_version").fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def converge(con: Connection) -> list[str]:
    """Create missing schemas/tables and add missing columns of `ops.SCHEMA`; returns what it changed."""
    changed: list[str] = []
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    present: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'ops'"
    ).fetchall():
        present.setdefault(table, set()).add(column)
    for spec in ops.SCHEMA.values():
        if spec.name not in present:
            con.execute(spec.ddl())
            changed.append(f"created {spec.qualified}")
            continue
        for column in spec.columns:
            if column.name not in present[spec.name]:
                con.execute(f"ALTER TABLE {spec.qualified} ADD COLUMN {column.name} {column.type}")
                changed.append(f"added {spec.qualified}.{column.name}")
    return changed


def migrate(con: Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[str]:
    """Run the migrations this workspace has not had, then converge; all in one transaction. Returns the changes."""
    version = current_version(con)
    latest = max(m.version for m in migrations)
    if version >= latest:
        return []
    con.execute("BEGIN TRANSACTION")
    try:
        changed: list[str] = []
        pending = [m for m in sorted(migrations, key=lambda m: m.version) if m.version > version]
        for migration in pending:
            migration.steps(con)
            changed.append(f"migration {migration.version}: {migration.note}")
        changed += converge(con)
        now = datetime.now(UTC).replace(tzinfo=None)
        for migration in pending:
            ops.insert(con, "schema_version", version=migration.version, applied_at=now, note=migration.note)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return changed
