"""`load_paths`: files and database tables into raw.*, one all-or-nothing transaction per file (or sheet, or table).

    >>> results = load_paths(con, ["exports/payments.csv"])          # doctest: +SKIP
    >>> results[0].raw_table, results[0].rows_loaded, results[0].status
    ('raw.payments', 1200, 'loaded')

Each load: fingerprint (sha256) -> no-op if the same content was loaded before -> stage rows as text in
DuckDB -> ask the detector what it is -> infer and cast types in SQL -> quarantine unparseable rows (fail
whole above the allowed share) -> upsert by key / append without duplicates -> let the router update
core.* -> journal. Any failure rolls everything back and leaves only a 'failed' journal row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd

from soloml.config import DateOrder
from soloml.errors import LoadError, QuarantineLimitError, SolomlError
from soloml.sources.contracts import Detection, Detector, LandedTable, Router
from soloml.sources.csvfile import quarantine_rejected
from soloml.sources.databases import database_unit, is_database_url
from soloml.sources.files import FORMATS, file_units
from soloml.sources.units import Staged, Unit
from soloml.warehouse.connection import quote_ident, table_exists
from soloml.warehouse.journal import JournalEntry, PreviousLoad, ensure_journal, find_same_load, new_load_id, record, utcnow
from soloml.warehouse.land import column_types, land
from soloml.warehouse.names import table_name
from soloml.warehouse.stage import TypedStage, drop_typed, meta_sql, quarantine_rows, type_stage

STAGE = "_soloml_stage"
SAMPLE_ROWS = 1000
LoadStatus = Literal["loaded", "unchanged", "failed"]


@dataclass(frozen=True)
class LoadResult:
    """What one load did. `rows_in` = rows_loaded + rows_quarantined + rows_skipped for a successful load."""

    load_id: str
    source: str
    sha256: str | None
    raw_table: str | None
    format: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    status: LoadStatus
    detection: Detection | None = None
    core_rows: dict[str, int] = field(default_factory=dict)
    message: str = ""
    rows_skipped: int = 0  # identical to rows already in the table
    rows_replaced: int = 0  # earlier rows replaced by a changed row with the same key
    notes: tuple[str, ...] = ()


def units_for(target: str | Path, *, table: str | None = None) -> list[Unit]:
    """Every load unit behind a path (a file, every sheet of a workbook, every loadable file in a folder) or a URL."""
    text = str(target)
    if is_database_url(text):
        return [database_unit(text, table)]
    if "://" in text:
        raise LoadError(f"'{text}' is not a database URL soloml can read.", hint="Use postgresql://, mysql:// (MariaDB too) or sqlite:/// URLs.")
    path = Path(text).expanduser()
    if path.suffix.lower() in (".db", ".sqlite", ".sqlite3") and path.is_file():
        return [database_unit(f"sqlite:///{path.resolve()}", table)]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith("."))
        if not files:
            raise LoadError(f"{path} holds no file soloml can load.", hint=f"Put exports ({', '.join(sorted(FORMATS))}) in it.")
        return [u for f in files for u in file_units(f)]
    return file_units(path)


def _sample(con: duckdb.DuckDBPyConnection, staged: Staged) -> pd.DataFrame:
    cols = ", ".join(f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in staged.columns) or "1 AS _empty"
    frame = con.execute(f"SELECT {cols} FROM {STAGE} ORDER BY rowid LIMIT {SAMPLE_ROWS}").df()
    if staged.columns:
        frame.columns = list(staged.headers)
    return frame.astype(object).where(frame.notna(), None)


def _target(unit: Unit, detection: Detection | None, as_name: str | None) -> str:
    if detection is not None and detection.name:
        return f"raw.{table_name(detection.name)}"
    if as_name:
        return f"raw.{table_name(as_name)}{unit.suffix}"
    return f"raw.{unit.name_hint}"


def _limit_error(unit: Unit, typed: TypedStage, staged: Staged, rows_in: int, bad: int, share: float) -> QuarantineLimitError:
    name = Path(unit.source).name if "://" not in unit.source else unit.source
    examples = [f"row {b.row}: column '{b.column}' is not {b.expected}, got '{b.value}'" for b in typed.first_bad[:3]]
    examples += [r.reason for r in staged.rejected[:3]]
    where = "; ".join(examples[:3])
    return QuarantineLimitError(
        f"{name}: {bad} of {rows_in} rows ({bad / rows_in:.1%}) could not be read, more than the {share:.0%} allowed. "
        f"First problems: {where}. Nothing was loaded.",
        hint="Fix those rows, pass --date-format if dates were misread, or allow more with --max-bad-rows-share.",
    )


def _routed_limit_error(con, unit: Unit, load_id: str, rows_in: int, bad: int, share: float) -> QuarantineLimitError:
    name = Path(unit.source).name if "://" not in unit.source else unit.source
    reasons = [r[0] for r in con.execute(
        "SELECT reason FROM ops.quarantine WHERE load_id = ? ORDER BY row_number LIMIT 3", [load_id]).fetchall()]
    return QuarantineLimitError(
        f"{name}: {bad} of {rows_in} rows ({bad / rows_in:.1%}) could not be mapped, more than the {share:.0%} allowed. "
        f"First problems: {'; '.join(reasons) or 'see ops.quarantine'}. Nothing was loaded.",
        hint="Fix those rows, or allow more with --max-bad-rows-share.",
    )


def _unchanged(unit: Unit, sha: str, prev: PreviousLoad) -> LoadResult:
    when = f"{prev.finished_at:%Y-%m-%d %H:%M} UTC" if prev.finished_at else "earlier"
    return LoadResult(
        load_id=prev.load_id, source=unit.source, sha256=sha, raw_table=prev.target_table, format=unit.format,
        rows_in=0, rows_loaded=0, rows_quarantined=0, status="unchanged",
        message=f"unchanged (same file loaded as {prev.load_id} on {when})",
    )


def load_unit(
    con: duckdb.DuckDBPyConnection,
    unit: Unit,
    *,
    as_name: str | None = None,
    date_order: DateOrder = "auto",
    max_quarantine_share: float = 0.05,
    detector: Detector | None = None,
    router: Router | None = None,
) -> LoadResult:
    """Load one unit in one transaction. Raises a LoadError (after journaling the failure) if it cannot."""
    started = utcnow()
    load_id = new_load_id(started)
    ensure_journal(con)
    if unit.sha256 and (prev := find_same_load(con, unit.sha256, as_name)):
        unit.cleanup()
        return _unchanged(unit, unit.sha256, prev)
    facts: dict = {"sha256": unit.sha256}
    in_transaction = False
    try:
        # staged outside the transaction: a temp table nobody else sees, whose rowid is the source order
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        staged = unit.stage(con, STAGE)
        sha = unit.sha256 or staged.sha256
        facts.update(sha256=sha, headers=list(staged.headers), columns=list(staged.columns))
        detection = detector(list(staged.headers), _sample(con, staged), as_name) if detector else None
        prev = find_same_load(con, sha, as_name) if unit.sha256 is None and sha else None
        # The same file again is a no-op, unless it was not recognised then and is now (a mapping was
        # written since): then it is loaded again so its rows reach core.
        rerouted = prev is not None and prev.vendor_object is None and detection is not None and detection.vendor_object is not None
        if prev is not None and not rerouted:
            con.execute(f"DROP TABLE IF EXISTS {STAGE}")
            return _unchanged(unit, sha, prev)
        con.begin()
        in_transaction = True
        target = _target(unit, detection, as_name)
        if rerouted and prev.target_table == target and table_exists(con, target):
            # re-land the earlier rows under this load, so the router sees them as this load's
            con.execute(f"DELETE FROM {target} WHERE _load_id = ?", [prev.load_id])
        facts.update(target=target, detection=asdict(detection) if detection else None)
        exists = table_exists(con, target)
        typed = type_stage(con, STAGE, staged.headers, date_order=date_order, decimal_comma_first=staged.decimal_comma,
                           row_sql=staged.row_sql, new_table=None if exists else target, meta=meta_sql(load_id, started),
                           keep=column_types(con, target) if exists else None)
        rows_in = typed.rows + len(staged.rejected)
        bad = typed.bad_rows + len(staged.rejected)
        facts.update(rows_in=rows_in, rows_quarantined=bad)
        if rows_in and bad / rows_in > max_quarantine_share:
            raise _limit_error(unit, typed, staged, rows_in, bad, max_quarantine_share)
        quarantine_rows(con, typed, STAGE, staged.headers, load_id=load_id, source=unit.source)
        quarantine_rejected(con, list(staged.rejected), load_id=load_id, source=unit.source)
        counts = land(con, typed, target, key=detection.key if detection else (), load_id=load_id, loaded_at=started)
        drop_typed(con)
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        core_rows: dict[str, int] = {}
        notes = list(typed.notes)
        if router is not None:
            landed = LandedTable(load_id, unit.source, target, detection, tuple(staged.headers), tuple(staged.columns), counts.inserted)
            routed = router(con, landed)
            core_rows = dict(routed)
            notes += getattr(routed, "notes", ())  # a router may explain what it did (duplicates, time zones)
            # rows the router could not map (bad money, dates...) count against the same limit
            bad += int(core_rows.get("_quarantined", 0) or 0)
            facts.update(rows_quarantined=bad)
            if rows_in and bad / rows_in > max_quarantine_share:
                raise _routed_limit_error(con, unit, load_id, rows_in, bad, max_quarantine_share)
        record(con, JournalEntry(
            load_id=load_id, source=unit.source, sha256=sha, target_table=target, detected_format=unit.format,
            started_at=started, status="loaded", requested_as=as_name, rows_in=rows_in, rows_loaded=counts.inserted,
            rows_quarantined=bad, rows_skipped=counts.skipped, headers=list(staged.headers), columns=list(staged.columns),
            detection=facts["detection"], core_rows=core_rows, notes=notes,
        ))
        con.commit()
    except BaseException as exc:
        if in_transaction:
            con.rollback()
        con.execute(f"DROP TABLE IF EXISTS {STAGE}")
        error = exc if isinstance(exc, SolomlError) else LoadError(
            f"Loading {unit.source} failed and nothing was written: {type(exc).__name__}: {exc}.",
            hint="Fix the cause above and run the load again.",
        )
        _journal_failure(con, unit.source, unit.format, load_id, started, as_name, facts, error)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise error from (None if error is exc else exc)
    finally:
        unit.cleanup()
    parts = [f"{counts.inserted} rows into {target}"]
    if counts.skipped:
        parts.append(f"{counts.skipped} already there")
    if bad:
        parts.append(f"{bad} quarantined")
    return LoadResult(
        load_id=load_id, source=unit.source, sha256=sha, raw_table=target, format=unit.format, rows_in=rows_in,
        rows_loaded=counts.inserted, rows_quarantined=bad, status="loaded", detection=detection, core_rows=core_rows,
        message="loaded " + ", ".join(parts), rows_skipped=counts.skipped, rows_replaced=counts.replaced, notes=tuple(notes),
    )


def _journal_failure(
    con, source: str, fmt: str | None, load_id: str, started, as_name: str | None, facts: dict, error: BaseException
) -> None:
    try:
        con.begin()
        record(con, JournalEntry(
            load_id=load_id, source=source, sha256=facts.get("sha256"), target_table=facts.get("target"),
            detected_format=fmt, started_at=started, status="failed", requested_as=as_name,
            rows_in=facts.get("rows_in"), rows_loaded=0, rows_quarantined=facts.get("rows_quarantined"),
            error=str(error), headers=facts.get("headers"), columns=facts.get("columns"), detection=facts.get("detection"),
        ))
        con.commit()
    except duckdb.Error:
        con.rollback()


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    *,
    as_name: str | None = None,
    table: str | None = None,
    date_order: DateOrder = "auto",
    max_quarantine_share: float = 0.05,
    detector: Detector | None = None,
    router: Router | None = None,
    progress: bool = False,
) -> list[LoadResult]:
    """Load every path (file, folder, or database URL with `table`) into raw.*; one transaction per file/sheet/table.

    Stops at the first failure with its LoadError; loads before it stay committed.
    """
    if not 0.0 <= max_quarantine_share <= 1.0:
        raise LoadError(f"The allowed share of bad rows must be between 0 and 1, got {max_quarantine_share}.", hint="Pass e.g. --max-bad-rows-share 0.05.")
    units: list[Unit] = []
    for path in paths:
        try:
            units += units_for(path, table=table)
        except SolomlError as exc:  # unreadable before it could be staged: still journaled
            ensure_journal(con)
            _journal_failure(con, str(path), None, new_load_id(), utcnow(), as_name, {}, exc)
            raise
    results: list[LoadResult] = []
    options = dict(as_name=as_name, date_order=date_order, max_quarantine_share=max_quarantine_share, detector=detector, router=router)
    if not progress:
        for unit in units:
            results.append(load_unit(con, unit, **options))
        return results
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("Loading", total=len(units))
        for unit in units:
            bar.update(task, description=f"Loading {Path(unit.source).name}")
            results.append(load_unit(con, unit, **options))
            bar.advance(task)
    return results
