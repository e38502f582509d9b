"""One unit (a file, a sheet, a table) through the load: stage -> recognise -> type -> quarantine -> land -> route.

`prepare` stages and recognises a unit outside any transaction (a temp table nobody else sees, whose rowid
is the source order); `land_unit` does the rest inside the caller's transaction and turns the unit's
`running` journal row into `loaded`. The caller (batch.py) owns the transaction: a workbook's sheets land
together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from soloml.config import DateOrder
from soloml.errors import LoadError, QuarantineLimitError, SolomlError
from soloml.sources.contracts import Detection, Detector, LandedTable, Router
from soloml.sources.csvfile import quarantine_rejected
from soloml.sources.results import LoadResult, shown
from soloml.sources.units import Staged, Unit
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident, table_exists
from soloml.warehouse.journal import JournalEntry, PreviousLoad, finish, same_loads
from soloml.warehouse.land import column_types, land
from soloml.warehouse.names import table_name
from soloml.warehouse.stage import (
    TypedStage,
    drop_typed,
    meta_sql,
    quarantine_rows,
    type_stage,
)

SAMPLE_ROWS = 1000


@dataclass(frozen=True)
class LoadOptions:
    as_name: str | None = None
    date_order: DateOrder = "auto"
    max_quarantine_share: float = 0.05
    detector: Detector | None = None
    router: Router | None = None
    # called with each table a file will land in and what the detector made of the file, outside its transaction,
    # before it lands: a warehouse that is a local copy (a Postgres load) fetches what the landing needs then, so
    # that a file loaded again unchanged fetches nothing
    before_landing: Callable[[Connection, str, Detection | None], None] | None = None


@dataclass(frozen=True)
class Prepared:
    """A unit staged and recognised, ready to land."""

    unit: Unit
    load_id: str
    started: Any
    stage: str
    staged: Staged
    sha256: str | None
    detection: Detection | None
    target: str
    rerouted: PreviousLoad | None  # an earlier load of the same rows, landed before they were recognised


def _sample(con: Connection, stage: str, staged: Staged) -> pd.DataFrame:
    cols = ", ".join(f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in staged.columns) or "1 AS _empty"
    frame = con.execute(f"SELECT {cols} FROM {stage} ORDER BY rowid LIMIT {SAMPLE_ROWS}").df()
    if staged.columns:
        frame.columns = list(staged.headers)
    return frame.astype(object).where(frame.notna(), None)


def target_of(unit: Unit, detection: Detection | None, as_name: str | None) -> str:
    if detection is not None and detection.name:
        return f"raw.{table_name(detection.name)}"
    if as_name:
        return f"raw.{table_name(as_name)}{unit.suffix}"
    return f"raw.{unit.name_hint}"


def previous_load(
    con: Connection, unit: Unit, sha: str, as_name: str | None, target: str | None = None
) -> PreviousLoad | None:
    """The last load of the same content into the same table: the same data again is a no-op.

    Before staging (`target` None) the table is known for loads the detector named (it names the same table
    for the same content), else it is the one this file would be named after."""
    plain = target_of(unit, None, as_name)
    for prev in same_loads(con, sha, as_name):
        if (prev.target_table == target) if target else (prev.detected_name or prev.target_table == plain):
            return prev
    return None


def unchanged(unit: Unit, sha: str, prev: PreviousLoad) -> LoadResult:
    when = f"{prev.finished_at:%Y-%m-%d %H:%M} UTC" if prev.finished_at else "earlier"
    return LoadResult(
        load_id=prev.load_id,
        source=unit.source,
        sha256=sha,
        raw_table=prev.target_table,
        format=unit.format,
        rows_in=0,
        rows_loaded=0,
        rows_quarantined=0,
        status="unchanged",
        message=f"unchanged (same file loaded as {prev.load_id} on {when}, into {prev.target_table})",
    )


def prepare(
    con: Connection, unit: Unit, load_id: str, started, stage: str, options: LoadOptions, facts: dict[str, Any]
) -> Prepared | LoadResult:
    """Stage and recognise `unit` (outside the transaction); an `unchanged` result when it is the same data again."""
    con.execute(f"DROP TABLE IF EXISTS {stage}")
    staged = unit.stage(con, stage)
    sha = unit.sha256 or staged.sha256
    facts.update(sha256=sha, headers=list(staged.headers), columns=list(staged.columns))
    detection = (
        options.detector(list(staged.headers), _sample(con, stage, staged), options.as_name)
        if options.detector
        else None
    )
    target = target_of(unit, detection, options.as_name)
    facts.update(target=target, detection=asdict(detection) if detection else None)
    prev = previous_load(con, unit, sha, options.as_name, target) if sha else None
    # The same data again is a no-op, unless it was not recognised then and is now (a mapping was
    # written since): then it is landed again so its rows reach core.
    rerouted = (
        prev is not None
        and prev.vendor_object is None
        and detection is not None
        and detection.vendor_object is not None
    )
    if prev is not None and not rerouted:
        con.execute(f"DROP TABLE IF EXISTS {stage}")
        return unchanged(unit, sha, prev)  # type: ignore[arg-type]
    return Prepared(unit, load_id, started, stage, staged, sha, detection, target, prev if rerouted else None)


def _limit_error(
    unit: Unit, typed: TypedStage, staged: Staged, rows_in: int, bad: int, share: float
) -> QuarantineLimitError:
    examples = [f"row {b.row}: column '{b.column}' is not {b.expected}, got '{b.value}'" for b in typed.first_bad[:3]]
    examples += [r.reason for r in staged.rejected[:3]]
    return QuarantineLimitError(
        f"{shown(unit.source)}: {bad} of {rows_in} rows ({bad / rows_in:.1%}) could not be read, more than the {share:.0%} allowed. "
        f"First problems: {'; '.join(examples[:3])}. Nothing was loaded.",
        hint="Fix those rows, pass --date-format if dates were misread, or allow more with --max-bad-rows-share.",
    )


def _routed_limit_error(con, unit: Unit, load_id: str, rows_in: int, bad: int, share: float) -> QuarantineLimitError:
    reasons = [
        r[0]
        for r in con.execute(
            "SELECT reason FROM ops.quarantine WHERE load_id = ? ORDER BY row_number LIMIT 3", [load_id]
        ).fetchall()
    ]
    return QuarantineLimitError(
        f"{shown(unit.source)}: {bad} of {rows_in} rows ({bad / rows_in:.1%}) could not be mapped, more than the {share:.0%} allowed. "
        f"First problems: {'; '.join(reasons) or 'see ops.quarantine'}. Nothing was loaded.",
        hint="Fix those rows, or allow more with --max-bad-rows-share.",
    )


def land_unit(
    con: Connection, p: Prepared, options: LoadOptions, facts: dict[str, Any], notes: tuple[str, ...] = ()
) -> LoadResult:
    """Type, quarantine, land and route a prepared unit, and journal it as loaded (inside the caller's transaction)."""
    unit, staged, target, load_id = p.unit, p.staged, p.target, p.load_id
    if p.rerouted is not None and p.rerouted.target_table == target and table_exists(con, target):
        # re-land the earlier rows under this load, so the router sees them as this load's
        con.execute(f"DELETE FROM {target} WHERE _load_id = ?", [p.rerouted.load_id])
    exists = table_exists(con, target)
    typed = type_stage(
        con,
        p.stage,
        staged.headers,
        date_order=options.date_order,
        decimal_comma_first=staged.decimal_comma,
        row_sql=staged.row_sql,
        new_table=None if exists else target,
        meta=meta_sql(load_id, p.started),
        keep=column_types(con, target) if exists else None,
    )
    rows_in = typed.rows + len(staged.rejected)
    bad = typed.bad_rows + len(staged.rejected)
    facts.update(rows_in=rows_in, rows_quarantined=bad)
    share = options.max_quarantine_share
    if rows_in and bad / rows_in > share:
        raise _limit_error(unit, typed, staged, rows_in, bad, share)
    quarantine_rows(con, typed, p.stage, staged.headers, load_id=load_id, source=unit.source)
    quarantine_rejected(con, list(staged.rejected), load_id=load_id, source=unit.source)
    counts = land(con, typed, target, key=p.detection.key if p.detection else (), load_id=load_id, loaded_at=p.started)
    drop_typed(con)
    con.execute(f"DROP TABLE IF EXISTS {p.stage}")
    core_rows: dict[str, int] = {}
    router_notes: tuple[str, ...] = ()
    if options.router is not None:
        landed = LandedTable(
            load_id, unit.source, target, p.detection, tuple(staged.headers), tuple(staged.columns), counts.inserted
        )
        routed = options.router(con, landed)
        core_rows = dict(routed)
        router_notes = tuple(getattr(routed, "notes", ()))  # a router may explain what it did (duplicates, time zones)
        # rows the router could not map (bad money, dates...) count against the same limit
        bad += int(core_rows.get("_quarantined", 0) or 0)
        facts.update(rows_quarantined=bad)
        if rows_in and bad / rows_in > share:
            raise _routed_limit_error(con, unit, load_id, rows_in, bad, share)
    all_notes = [*notes, *staged.notes, *typed.notes, *router_notes]
    finish(
        con,
        JournalEntry(
            load_id=load_id,
            source=unit.source,
            sha256=p.sha256,
            target_table=target,
            detected_format=unit.format,
            started_at=p.started,
            status="loaded",
            requested_as=options.as_name,
            rows_in=rows_in,
            rows_loaded=counts.inserted,
            rows_quarantined=bad,
            rows_skipped=counts.skipped,
            headers=list(staged.headers),
            columns=list(staged.columns),
            detection=facts.get("detection"),
            core_rows=core_rows,
            notes=all_notes,
        ),
    )
    parts = [f"{counts.inserted} rows into {target}"]
    if counts.skipped:
        parts.append(f"{counts.skipped} already there")
    if bad:
        parts.append(f"{bad} quarantined")
    return LoadResult(
        load_id=load_id,
        source=unit.source,
        sha256=p.sha256,
        raw_table=target,
        format=unit.format,
        rows_in=rows_in,
        rows_loaded=counts.inserted,
        rows_quarantined=bad,
        status="loaded",
        detection=p.detection,
        core_rows=core_rows,
        message="loaded " + ", ".join(parts),
        rows_skipped=counts.skipped,
        rows_replaced=counts.replaced,
        notes=tuple(all_notes),
    )


def as_load_error(exc: BaseException, source: str) -> SolomlError:
    """A SolomlError as it is; anything else as one short LoadError line (a DuckDB binder dump is thousands of characters)."""
    if isinstance(exc, SolomlError):
        return exc
    first = (str(exc).strip().splitlines() or [""])[0]
    first = first if len(first) <= 300 else first[:300] + "..."
    return LoadError(
        f"Loading {shown(source)} failed and nothing was written: {type(exc).__name__}: {first}.",
        hint="Fix the cause above and run the load again.",
    )
