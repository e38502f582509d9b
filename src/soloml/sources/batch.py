"""A run of loads: every file of every request, each file all-or-nothing, every outcome reported.

    load_all(con, [LoadRequest("exports/"), LoadRequest("book.xlsx", as_name="orders")]) -> LoadSummary

Before the first load: `running` rows another process left (a killed load) are marked `interrupted`, and the
temporary files it left in the scratch folder are removed; the summary says what was cleaned. Then per file
(a CSV, a workbook with all its sheets, a database table): `running` journal rows, staging outside the
transaction, one transaction for every sheet, and on any failure a rollback and `failed` journal rows. A
failed file never stops the others; only a warehouse that stops accepting writes ends the run early (the
rest are `not_attempted`).
"""

from __future__ import annotations

import glob
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb

from soloml.config import DateOrder
from soloml.errors import LoadError, SolomlError, WarehouseError
from soloml.sources.contracts import Detection, Detector, Router
from soloml.sources.databases import database_unit, is_database_url
from soloml.sources.files import FORMATS, file_group
from soloml.sources.loader import (
    LoadOptions,
    Prepared,
    as_load_error,
    land_unit,
    prepare,
    previous_load,
    unchanged,
)
from soloml.sources.results import LoadResult, LoadSummary, failed_result, shown
from soloml.sources.scratch import Scratch
from soloml.sources.units import UnitGroup
from soloml.warehouse.base import Connection
from soloml.warehouse.journal import (
    JournalEntry,
    ensure_journal,
    finish,
    forget,
    mark_interrupted,
    new_load_id,
    record,
    start,
    utcnow,
)

STAGE = "_soloml_stage"
AsFor = Callable[[str], "str | None"]  # the --as a file gets when none was given (e.g. from a workspace mapping)


@dataclass(frozen=True)
class LoadRequest:
    """One thing to load: a file, a folder of exports, or a database URL with its table."""

    target: str
    as_name: str | None = None
    table: str | None = None


def _files(request: LoadRequest) -> list[str]:
    """The files (or the one URL) behind a request; a folder gives every loadable file in it."""
    text = request.target
    if "://" in text:
        if not is_database_url(text):
            raise LoadError(
                f"'{text}' is not a database URL soloml can read.",
                hint="Use postgresql://, mysql:// (MariaDB too) or sqlite:/// URLs.",
            )
        return [text]
    path = Path(text).expanduser()
    if any(ch in text for ch in "*?[") and not path.exists():
        matches = sorted(p for p in glob.glob(str(path)) if Path(p).is_file())
        if not matches:
            raise LoadError(
                f"'{text}' matches no file.", hint="Check the pattern (it is relative to the workspace in soloml.yaml)."
            )
        return matches
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith(".")
        )
        if not files:
            raise LoadError(
                f"{path} holds no file soloml can load.", hint=f"Put exports ({', '.join(sorted(FORMATS))}) in it."
            )
        return [str(f) for f in files]
    return [text]


def group_for(target: str, table: str | None, scratch: Scratch) -> UnitGroup:
    """The units of one file or database table."""
    if is_database_url(target):
        unit = database_unit(target, table)
        return UnitGroup(unit.source, (unit,))
    path = Path(target).expanduser()
    if path.suffix.lower() in (".db", ".sqlite", ".sqlite3") and path.is_file():
        unit = database_unit(f"sqlite:///{path.resolve()}", table)
        return UnitGroup(unit.source, (unit,))
    return file_group(path, scratch)


@contextmanager
def _writes() -> Iterator[None]:
    """Journal writes outside a load's transaction: a warehouse that cannot take them ends the run."""
    try:
        yield
    except duckdb.Error as exc:
        raise WarehouseError(
            f"The warehouse stopped accepting writes: {str(exc).splitlines()[0]}.",
            hint="Check the disk and the warehouse file, then run the load again.",
        ) from exc


def _journal_failures(con: Connection, entries: list[JournalEntry], *, started: bool) -> None:
    """Record failures after a rollback."""
    with _writes():
        con.begin()
        for entry in entries:
            (finish if started else record)(con, entry)
        con.commit()


def _failure_entry(
    load_id: str, source: str, fmt: str | None, started, as_name: str | None, facts: dict[str, Any], error: str
) -> JournalEntry:
    return JournalEntry(
        load_id=load_id,
        source=source,
        sha256=facts.get("sha256"),
        target_table=facts.get("target"),
        detected_format=fmt,
        started_at=started,
        status="failed",
        requested_as=as_name,
        rows_in=facts.get("rows_in"),
        rows_loaded=0,
        rows_quarantined=facts.get("rows_quarantined"),
        error=error,
        headers=facts.get("headers"),
        columns=facts.get("columns"),
        detection=facts.get("detection"),
    )


def load_group(con: Connection, group: UnitGroup, options: LoadOptions) -> tuple[list[LoadResult], SolomlError | None]:
    """Load every unit of one file in one transaction; (one result per unit, the error when it failed)."""
    results: dict[int, LoadResult] = {}
    pending = []
    for i, unit in enumerate(group.units):
        prev = previous_load(con, unit, unit.sha256, options.as_name) if unit.sha256 else None
        if prev is not None:
            results[i] = unchanged(unit, unit.sha256, prev)  # type: ignore[arg-type]
        else:
            pending.append(i)
    if not pending:
        return [results[i] for i in range(len(group.units))], None
    started = utcnow()
    ids = {i: new_load_id(started) for i in pending}
    facts: dict[int, dict[str, Any]] = {i: {"sha256": group.units[i].sha256} for i in pending}
    with _writes():
        start(
            con,
            [
                JournalEntry(
                    ids[i],
                    group.units[i].source,
                    group.units[i].sha256,
                    None,
                    group.units[i].format,
                    started,
                    "running",
                    options.as_name,
                )
                for i in pending
            ],
        )
    current, in_transaction = None, False
    prepared: list[tuple[int, Prepared]] = []
    try:
        for n, i in enumerate(pending):
            current = i
            step = prepare(con, group.units[i], ids[i], started, f"{STAGE}_{n}", options, facts[i])
            if isinstance(step, LoadResult):
                results[i] = step
                forget(con, ids[i])
            else:
                prepared.append((i, step))
        if options.before_landing is not None:
            for _, step in prepared:
                options.before_landing(con, step.target, step.detection)
        con.begin()
        in_transaction = True
        for i, step in prepared:
            current = i
            results[i] = land_unit(con, step, options, facts[i], notes=group.notes if i == prepared[0][0] else ())
        con.commit()
        in_transaction = False
    except BaseException as exc:
        if in_transaction:
            with _writes():
                con.rollback()
        error = as_load_error(exc, group.units[current].source if current is not None else group.source)
        _fail_group(con, group, options, pending, current, ids, facts, started, error, results)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return [results[i] for i in range(len(group.units)) if i in results], error
    finally:
        for unit in group.units:
            unit.cleanup()
        with suppress(duckdb.Error):  # temp tables: gone with the connection anyway
            for n in range(len(pending)):
                con.execute(f"DROP TABLE IF EXISTS {STAGE}_{n}")
    return [results[i] for i in range(len(group.units))], None


def _fail_group(
    con,
    group: UnitGroup,
    options: LoadOptions,
    pending: list[int],
    current: int | None,
    ids: dict[int, str],
    facts: dict[int, dict[str, Any]],
    started,
    error: SolomlError,
    results: dict[int, LoadResult],
) -> None:
    """Every unit of a failed file: the failing one, the ones rolled back with it, the ones never started."""
    culprit = shown(group.units[current].source) if current is not None else shown(group.source)
    entries = []
    for i in pending:
        unit = group.units[i]
        if i == current:
            message, status = str(error), "failed"
        elif current is not None and i < current:
            message, status = f"rolled back: {culprit} failed, and a workbook loads whole or not at all", "failed"
        else:
            message, status = f"not attempted: {culprit} of the same file failed first", "not_attempted"
        if results.get(i) is not None and results[i].status == "unchanged":
            continue
        results[i] = failed_result(ids[i], unit.source, unit.format, facts[i], message, status)  # type: ignore[arg-type]
        entries.append(_failure_entry(ids[i], unit.source, unit.format, started, options.as_name, facts[i], message))
    _journal_failures(con, entries, started=True)


def _failed_before_start(con, source: str, as_name: str | None, error: SolomlError) -> LoadResult:
    """A file that could not even be opened (missing, unknown format, unreadable encoding): journaled as failed."""
    load_id = new_load_id()
    _journal_failures(con, [_failure_entry(load_id, source, None, utcnow(), as_name, {}, str(error))], started=False)
    return failed_result(load_id, source, None, {}, str(error))


@contextmanager
def _scratch(con: Connection, temp_dir: Path | None) -> Iterator[tuple[Scratch, bool]]:
    """The scratch folder: `temp_dir`, else `.soloml/tmp` beside the warehouse file, else (in memory) a fresh folder."""
    if temp_dir is not None:
        yield Scratch(Path(temp_dir)), True
        return
    rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    if rows and rows[0][0]:
        yield Scratch(Path(rows[0][0]).resolve().parent / ".soloml" / "tmp"), True
        return
    folder = Path(tempfile.mkdtemp(prefix="soloml-"))
    try:
        yield Scratch(folder), False
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def recover(con: Connection, scratch: Scratch | None) -> tuple[str, ...]:
    """Clean up after loads that were killed: mark their journal rows, remove their temporary files; say what was done."""
    lines = [
        f"marked load {i.load_id} of {shown(i.source)} (started {i.started_at:%Y-%m-%d %H:%M} UTC) as interrupted: "
        "it stopped before it finished, and nothing of it was written"
        for i in mark_interrupted(con)
    ]
    removed = scratch.remove_leftovers() if scratch is not None else None
    return (*lines, *([removed] if removed else []))


def _plan(requests: Sequence[LoadRequest]) -> list[tuple[LoadRequest, str, SolomlError | None]]:
    """(request, file or URL, the error that stops it before it is opened) for every file asked for."""
    out: list[tuple[LoadRequest, str, SolomlError | None]] = []
    for request in requests:
        try:
            out += [(request, target, None) for target in _files(request)]
        except SolomlError as exc:
            out.append((request, request.target, exc))
    return out


def load_all(
    con: Connection,
    requests: Sequence[LoadRequest],
    *,
    date_order: DateOrder = "auto",
    max_quarantine_share: float = 0.05,
    detector: Detector | None = None,
    router: Router | None = None,
    temp_dir: Path | None = None,
    as_for: AsFor | None = None,
    progress: bool = False,
    before_landing: Callable[[Connection, str, Detection | None], None] | None = None,
) -> LoadSummary:
    """Load every request, each file in its own transaction; never raises for a bad file (see the summary).
    `before_landing(con, table, detection)` is called outside the transaction before a file lands in `table`."""
    if not 0.0 <= max_quarantine_share <= 1.0:
        raise LoadError(
            f"The allowed share of bad rows must be between 0 and 1, got {max_quarantine_share}.",
            hint="Pass e.g. --max-bad-rows-share 0.05.",
        )
    ensure_journal(con)
    base = LoadOptions(
        date_order=date_order,
        max_quarantine_share=max_quarantine_share,
        detector=detector,
        router=router,
        before_landing=before_landing,
    )
    plan = _plan(requests)
    results: list[LoadResult] = []
    errors: list[SolomlError] = []
    with _scratch(con, temp_dir) as (scratch, shared), _progress(progress) as advance:
        cleaned = recover(con, scratch if shared else None)
        for n, (request, target, problem) in enumerate(plan):
            as_name = request.as_name or (as_for(target) if as_for and "://" not in target else None)
            advance(shown(target))
            try:
                if problem is not None:
                    raise problem
                try:
                    group = group_for(target, request.table, scratch)
                except Exception as exc:  # noqa: BLE001 - a file that cannot be opened, for any reason, fails alone
                    failure = as_load_error(exc, target)
                    results.append(_failed_before_start(con, target, as_name, failure))
                    errors.append(failure)
                    continue
                outcomes, error = load_group(con, group, replace(base, as_name=as_name))
                results += outcomes
                if error is not None:
                    errors.append(error)
            except WarehouseError as exc:  # nothing more can be written: the rest are not attempted
                errors.append(exc)
                results.append(failed_result("", target, None, {}, str(exc)))
                results += [
                    failed_result("", t, None, {}, f"not attempted: {exc.message}", "not_attempted")
                    for _, t, _ in plan[n + 1 :]
                ]
                break
            except SolomlError as exc:
                results.append(_failed_before_start(con, target, as_name, exc))
                errors.append(exc)
    return LoadSummary(tuple(results), cleaned, len(plan), tuple(errors))


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    if not enabled:
        yield lambda name: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("Loading", total=None)
        yield lambda name: bar.update(task, description=f"Loading {name}")


def load_paths(
    con: Connection,
    paths: Sequence[str | Path],
    *,
    as_name: str | None = None,
    table: str | None = None,
    date_order: DateOrder = "auto",
    max_quarantine_share: float = 0.05,
    detector: Detector | None = None,
    router: Router | None = None,
    temp_dir: Path | None = None,
    progress: bool = False,
) -> list[LoadResult]:
    """Load every path (file, folder, or database URL with `table`) into raw.*; one transaction per file or table.

    Every file is tried. When one failed, its error is raised after the others are loaded (with several, one
    LoadError naming each); the error's `outcomes` holds every file's LoadResult. `load_all` reports instead.
    """
    summary = load_all(
        con,
        [LoadRequest(str(p), as_name, table) for p in paths],
        date_order=date_order,
        max_quarantine_share=max_quarantine_share,
        detector=detector,
        router=router,
        temp_dir=temp_dir,
        progress=progress,
    )
    if summary.ok:
        return list(summary.results)
    error = summary.errors[0]
    if len(summary.errors) > 1:
        named = "; ".join(
            f"{shown(r.source)}: {r.message}" for r in summary.failed if not r.message.startswith("rolled back")
        )
        error = LoadError(
            f"{len(summary.errors)} of {summary.files} files failed and changed nothing: {named}",
            hint="The others are loaded. Fix the failed files and load them again.",
        )
    error.outcomes = summary.results  # type: ignore[attr-defined]
    raise error
