"""The one owner of the `ops.*` tables: their schema, and writers/readers that go by column name.

Every stage journals what it did in `ops.*` (loads, runs, predictions, model events, exposures, monitoring,
forecasts, quarantine). Before this module six modules wrote those tables with their own SQL, `ops.runs` three
ways and two of them by column position, so adding a column would have broken a writer silently. Now:

- `SCHEMA` is the only definition (table -> typed columns); `migrations.py` makes a workspace's tables match it;
- writers take values *by column name* and refuse a name the table does not have (a typo fails loudly, at once);
- the caller still owns its transaction: writers never commit, so a stage keeps its all-or-nothing rule.

Set-based writes (quarantine rows picked by a query, a scored frame, the prediction log's batches) go through
`insert_select` / `insert_frame`, which keep them one statement each: no per-row round trips were added.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from soloml.errors import WarehouseError
from soloml.warehouse.base import Connection


@dataclass(frozen=True)
class Column:
    """One typed column; `null=False` and `key=True` only ever hold for columns a table had from its start."""

    name: str
    type: str
    null: bool = True
    key: bool = False

    def ddl(self) -> str:
        return (
            f"{self.name} {self.type}"
            + (" PRIMARY KEY" if self.key else "")
            + ("" if self.null or self.key else " NOT NULL")
        )


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    why: str

    @property
    def qualified(self) -> str:
        return f"ops.{self.name}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def ddl(self) -> str:
        return f"CREATE TABLE IF NOT EXISTS {self.qualified} ({', '.join(c.ddl() for c in self.columns)})"


def _c(spec: str) -> Column:
    """'name TYPE [not null|key]' -> Column: keeps the schema below readable as a table."""
    name, type_, *flags = spec.split()
    return Column(name, type_, null="notnull" not in flags, key="key" in flags)


def _t(name: str, why: str, *specs: str) -> Table:
    return Table(name, tuple(_c(s) for s in specs), why)


SCHEMA: dict[str, Table] = {
    t.name: t
    for t in (
        _t(
            "schema_version",
            "which migrations this workspace has had (warehouse/migrations.py)",
            "version INTEGER notnull",
            "applied_at TIMESTAMP notnull",
            "note VARCHAR",
        ),
        _t(
            "loads",
            "one row per file or table loaded (warehouse/journal.py)",
            "load_id VARCHAR key",
            "source VARCHAR notnull",
            "sha256 VARCHAR",
            "target_table VARCHAR",
            "detected_format VARCHAR",
            "rows_in BIGINT",
            "rows_loaded BIGINT",
            "rows_quarantined BIGINT",
            "started_at TIMESTAMP",
            "finished_at TIMESTAMP",
            "status VARCHAR notnull",
            "error VARCHAR",
            "requested_as VARCHAR",
            "rows_skipped BIGINT",
            "headers JSON",
            "columns JSON",
            "detection JSON",
            "core_rows JSON",
            "notes JSON",
            "run_by VARCHAR",
        ),
        _t(
            "quarantine",
            "rows a load set aside, with why (sources/, canonical/, warehouse/stage.py)",
            "load_id VARCHAR notnull",
            "row_number BIGINT",
            "raw_row JSON",
            "reason VARCHAR",
            "source VARCHAR",
        ),
        _t(
            "runs",
            "one row per run of check / train / score / forecast",
            "run_id VARCHAR key",
            "project VARCHAR",
            "kind VARCHAR notnull",
            "model_version VARCHAR",
            "started_at TIMESTAMP",
            "finished_at TIMESTAMP",
            "status VARCHAR notnull",
            "rows BIGINT",
            "error VARCHAR",
            "details JSON",
        ),
        _t(
            "predictions",
            "every prediction made, by batch scoring or the service",
            "run_id VARCHAR notnull",
            "project VARCHAR notnull",
            "model_version VARCHAR notnull",
            "entity_id VARCHAR",
            "score DOUBLE",
            "decision BOOLEAN",
            "rank INTEGER",
            "top_reasons JSON",
            "scored_at TIMESTAMP notnull",
            "origin VARCHAR",
            "source_system VARCHAR",
            "source_id VARCHAR",
            "email VARCHAR",
            "predicted_class VARCHAR",
        ),
        _t(
            "model_events",
            "alias history of the model registry (register / promote / rollback / recover)",
            "project VARCHAR notnull",
            "action VARCHAR notnull",
            "alias VARCHAR",
            "version VARCHAR",
            "previous_version VARCHAR",
            "happened_at TIMESTAMP notnull",
            "note VARCHAR",
        ),
        _t(
            "exposures",
            "who saw which variant of which experiment",
            "experiment VARCHAR notnull",
            "unit_id VARCHAR notnull",
            "variant VARCHAR notnull",
            "exposed_at TIMESTAMP notnull",
            "origin VARCHAR",
        ),
        _t(
            "monitoring",
            "one row per monitoring check",
            "run_id VARCHAR notnull",
            "project VARCHAR notnull",
            "model_version VARCHAR",
            "checked_at TIMESTAMP notnull",
            "check_name VARCHAR notnull",
            "subject VARCHAR",
            "statistic DOUBLE",
            "threshold DOUBLE",
            "alert BOOLEAN notnull",
            "details JSON",
        ),
        _t(
            "forecasts",
            "every forecast made, one row per series and period (forecasting/journal.py)",
            "run_id VARCHAR notnull",
            "project VARCHAR notnull",
            "series_id VARCHAR notnull",
            "period DATE notnull",
            "frequency VARCHAR notnull",
            "step INTEGER notnull",
            "forecast DOUBLE",
            "lower DOUBLE",
            "upper DOUBLE",
            "level DOUBLE",
            "model VARCHAR",
            "made_at TIMESTAMP notnull",
        ),
    )
}


def table(name: str) -> Table:
    """The schema of ops.`name` (with or without the `ops.` prefix)."""
    key = name.removeprefix("ops.")
    if key not in SCHEMA:
        raise WarehouseError(f"There is no table ops.{key}.", hint=f"The ops tables are: {', '.join(sorted(SCHEMA))}.")
    return SCHEMA[key]


def checked(name: str, columns: Iterable[str]) -> tuple[Table, tuple[str, ...]]:
    """The table and `columns` after checking each is one of its columns: a typo is an error, never a silent NULL."""
    spec = table(name)
    cols = tuple(columns)
    unknown = [c for c in cols if c not in spec.names]
    if unknown:
        raise WarehouseError(
            f"ops.{spec.name} has no column {', '.join(map(repr, unknown))}.",
            hint=f"Its columns are: {', '.join(spec.names)} (warehouse/ops.py SCHEMA).",
        )
    return spec, cols


def _q(name: str) -> str:
    return f'"{name}"'  # schema names are plain words (checked against SCHEMA before they reach SQL)


def _names(cols: Sequence[str]) -> str:
    return ", ".join(map(_q, cols))


def _equal(cols: Sequence[str]) -> str:
    return " AND ".join(f"{_q(c)} = ?" for c in cols)


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else json.dumps(value, default=str)


def _prepared(spec: Table, cols: Sequence[str], values: Mapping[str, Any]) -> list[Any]:
    types = {c.name: c.type for c in spec.columns}
    return [_json(values[c]) if types[c] == "JSON" else values[c] for c in cols]


def insert(con: Connection, name: str, **values: Any) -> None:
    """Insert one row by column name (JSON columns take dicts/lists); the caller owns the transaction."""
    insert_many(con, name, [values])


def insert_many(
    con: Connection, name: str, rows: Sequence[Mapping[str, Any]], *, exprs: Mapping[str, str] | None = None
) -> None:
    """Insert rows that all name the same columns, in one executemany.

    `exprs` wraps a column's parameter in SQL, e.g. {"raw_row": "json_object('line', ?)"} (one `?` each).
    """
    if not rows:
        return
    spec, cols = checked(name, rows[0].keys())
    marks = ", ".join((exprs or {}).get(c, "?") for c in cols)
    con.executemany(
        f"INSERT INTO {spec.qualified} ({_names(cols)}) VALUES ({marks})",
        [_prepared(spec, cols, row) for row in rows],
    )


def insert_select(
    con: Connection, name: str, columns: Sequence[str], select_sql: str, params: Sequence[Any] = ()
) -> int:
    """INSERT INTO ops.`name` (`columns`) `select_sql`: one set-based statement, columns checked by name; returns its rows."""
    spec, cols = checked(name, columns)
    rows = con.execute(f"INSERT INTO {spec.qualified} ({_names(cols)}) {select_sql}", list(params)).fetchall()
    return (
        int(rows[0][0]) if rows else 0
    )  # fetchall, not fetchone: DuckDB 2 refuses new work while a result is unfinished


def insert_frame(
    con: Connection, name: str, frame: pd.DataFrame | Any, *, exprs: Mapping[str, str] | None = None
) -> int:
    """Append a frame (or Arrow table) whose column names are ops columns, in one statement; returns its rows.

    `exprs` gives an SQL expression over the registered frame for a column (e.g. `top_reasons::JSON`, or a
    constant `'batch'` for a column the frame does not hold).
    """
    exprs = dict(exprs or {})
    names = frame.column_names if hasattr(frame, "column_names") else frame.columns  # Arrow or pandas
    cols = [str(c) for c in names if str(c) not in exprs] + list(exprs)
    spec, cols_t = checked(name, cols)
    view = f"_soloml_ops_{spec.name}_rows"
    select = ", ".join(exprs.get(c, _q(c)) for c in cols_t)
    con.register(view, frame)
    try:
        con.execute(f"INSERT INTO {spec.qualified} ({_names(cols_t)}) SELECT {select} FROM {view}")
    finally:
        con.unregister(view)
    return len(frame)


def update(con: Connection, name: str, where: Mapping[str, Any], **values: Any) -> None:
    """UPDATE ops.`name` SET `values` WHERE each `where` column equals its value (by name, JSON as for insert)."""
    spec, set_cols = checked(name, values)
    _, where_cols = checked(name, where)
    con.execute(
        f"UPDATE {spec.qualified} SET {', '.join(f'{_q(c)} = ?' for c in set_cols)} WHERE {_equal(where_cols)}",
        [*_prepared(spec, set_cols, values), *[where[c] for c in where_cols]],
    )


def delete(con: Connection, name: str, **where: Any) -> None:
    """DELETE FROM ops.`name` WHERE each column equals its value."""
    spec, cols = checked(name, where)
    con.execute(f"DELETE FROM {spec.qualified} WHERE {_equal(cols)}", [where[c] for c in cols])


def select(
    con: Connection, name: str, columns: Sequence[str] | None = None, *, order_by: str | None = None, **where: Any
) -> list[dict[str, Any]]:
    """Rows of ops.`name` as dicts by column name (WHERE column = value for each keyword)."""
    spec, cols = checked(name, columns or table(name).names)
    _, where_cols = checked(name, where)
    if order_by is not None:
        checked(name, [order_by.split()[0]])
    sql = f"SELECT {_names(cols)} FROM {spec.qualified}"
    if where_cols:
        sql += " WHERE " + _equal(where_cols)
    if order_by:
        sql += f" ORDER BY {order_by}"
    return [dict(zip(cols, row, strict=True)) for row in con.execute(sql, [where[c] for c in where_cols]).fetchall()]


# ---- ops.runs: the three writers (check, train, forecast, score) share these two ----------------------------


def record_run(
    con: Connection,
    *,
    run_id: str,
    kind: str,
    status: str,
    project: str | None = None,
    model_version: str | None = None,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    rows: int | None = None,
    error: str | None = None,
    details: Mapping[str, Any] | None = None,
    replace: bool = False,
) -> None:
    """One ops.runs row by name; `replace` first drops a row of the same run_id (a re-recorded run)."""
    if replace:
        delete(con, "runs", run_id=run_id)
    insert(
        con,
        "runs",
        run_id=run_id,
        project=project,
        kind=kind,
        model_version=model_version,
        started_at=started_at,
        finished_at=finished_at,
        status=status,
        rows=rows,
        error=error,
        details=None if details is None else json.dumps(details, default=str),
    )


def finish_run(con: Connection, run_id: str, **values: Any) -> None:
    """Set a run's outcome columns (status, finished_at, error, details...) by name."""
    update(con, "runs", {"run_id": run_id}, **values)


def record_model_event(
    con: Connection,
    *,
    project: str,
    action: str,
    happened_at: datetime,
    alias: str | None = None,
    version: str | None = None,
    previous_version: str | None = None,
    note: str | None = None,
) -> None:
    """One row of the registry's alias history."""
    insert(
        con,
        "model_events",
        project=project,
        action=action,
        alias=alias,
        version=version,
        previous_version=previous_version,
        happened_at=happened_at,
        note=note,
    )
