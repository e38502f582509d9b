"""`soloml load PATH... [--as NAME] [--table T] [--date-format mdy] [--json]`: files and tables into the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, err_console, handled, progress_enabled, workspace
from soloml.config import DateOrder

if TYPE_CHECKING:
    from soloml.sources import LoadResult
    from soloml.workspace import Workspace


def _describe(result: LoadResult) -> None:
    name = Path(result.source).name if "://" not in result.source else result.source
    if result.status == "unchanged":
        console.print(f"{name}: {result.message}")
        return
    console.print(f"{name} ({result.format}) -> {result.raw_table}")
    det = result.detection
    if det is not None and det.vendor_object:
        console.print(f"  recognised as {det.vendor_object} (confidence {det.confidence:.0%}){': ' + det.reason if det.reason else ''}")
    else:
        suggestion = det.suggestion if det is not None and det.suggestion else "loaded as a plain raw table"
        console.print(f"  not recognised as a known vendor export: {suggestion}")
    extra = f", {result.rows_skipped:,} already there" if result.rows_skipped else ""
    console.print(
        f"  rows: {result.rows_in:,} in, {result.rows_loaded:,} loaded, {result.rows_quarantined:,} quarantined{extra}"
    )
    if result.rows_quarantined:
        console.print(f"  see the bad rows: SELECT * FROM ops.quarantine WHERE load_id = '{result.load_id}'")
    tables = {t: n for t, n in result.core_rows.items() if not t.startswith("_")}
    if tables:
        console.print("  core rows: " + ", ".join(f"{t} {n:,}" for t, n in tables.items()))
    # '_without_customer' rows are in core (a warning note says why they matter), not left out
    dropped = {t.lstrip("_").replace("_", " "): n for t, n in result.core_rows.items()
               if t.startswith("_") and t != "_without_customer" and n}
    if dropped:
        console.print("  left out of core: " + ", ".join(f"{n:,} {what}" for what, n in dropped.items()))
    for note in result.notes:
        if note.startswith("WARNING: "):
            console.print(f"  [bold yellow]warning:[/] {note.removeprefix('WARNING: ')}", markup=True)
        else:
            console.print(f"  note: {note}")


def _by_mapping(paths: list[str], as_name: str | None) -> list[tuple[str | None, list[str]]]:
    """Group paths by the mapping whose `match.file` pattern names them (an explicit --as wins), keeping order."""
    from soloml.canonical.adapters.mapping import mapping_for_file

    groups: list[tuple[str | None, list[str]]] = []
    for path in paths:
        target = as_name or (None if "://" in path else mapping_for_file(path))
        if groups and groups[-1][0] == target:
            groups[-1][1].append(path)
        else:
            groups.append((target, [path]))
    return groups


def _interactive() -> bool:
    """A person at a terminal who can answer a question (never in pipes, cron, tests or with --json)."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def _router(ws: Workspace, *, ask: bool):
    """The canonical router with the workspace's CRM time zone; asks for it once (and remembers it) when unset."""
    from functools import partial

    from soloml.canonical import ingest
    from soloml.config import remember_crm_timezone
    from soloml.errors import ConfigError
    from soloml.workspace import CONFIG_FILE

    zone = ws.settings.crm.timezone
    if zone:
        return partial(ingest.route, crm_timezone=zone)
    if not ask:
        return ingest.route
    answer: dict[str, str] = {}

    def ask_zone(vendor: str) -> str:
        label = "HubSpot" if vendor == "hubspot" else vendor.title()
        while "zone" not in answer:
            typed = typer.prompt(f"{label} exports write times in your account's time zone, without saying which. "
                                 "Which zone is your account set to (e.g. America/Chicago)?", default="UTC")
            try:
                remember_crm_timezone(ws.root / CONFIG_FILE, typed.strip())
                answer["zone"] = typed.strip()
                console.print(f"Saved crm.timezone: {answer['zone']} in {CONFIG_FILE}.")
            except (ConfigError, ValueError) as exc:
                console.print(f"{exc}", markup=False)
        return answer["zone"]

    return partial(ingest.route, crm_timezone=None, ask_crm_timezone=ask_zone)


def register(app: typer.Typer) -> None:
    @app.command("load")
    def load_cmd(
        paths: Annotated[list[str], typer.Argument(help="Files (CSV, TSV, XLSX, Parquet, JSON, NDJSON), folders, or a database URL.")],
        as_name: Annotated[str | None, typer.Option("--as", help="Raw table name, or a vendor object like stripe.payments.")] = None,
        table: Annotated[str | None, typer.Option("--table", help="Table to read when PATH is a database URL.")] = None,
        date_format: Annotated[
            str | None, typer.Option("--date-format", help="How to read dates like 03/04/2024: mdy, dmy, ymd or auto (default: settings.load.date_order).")
        ] = None,
        max_bad: Annotated[
            float | None, typer.Option("--max-bad-rows-share", help="Fail a load when more than this share of rows cannot be read (default: settings.load.max_quarantine_share).")
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Load files or a database table into raw.* (typed, all-or-nothing, re-loads are no-ops) and route them into core.*."""
        from soloml.canonical import ingest
        from soloml.canonical.adapters.mapping import register_workspace_mappings
        from soloml.errors import ConfigError, LoadError, SolomlError

        with handled():
            from soloml.sources import load_paths

            ws = workspace(ws_dir)
            order = date_format or ws.settings.load.date_order
            if order not in DateOrder.__args__:  # type: ignore[attr-defined]
                raise ConfigError(f"--date-format must be one of auto, mdy, dmy, ymd; got '{order}'.", hint="For 31/01/2024 pass --date-format dmy.")
            # the workspace's own mappings (mappings/*.yaml, drafted by `soloml map`) join the vendor adapters
            register_workspace_mappings(ws.mappings_dir)
            ask = _interactive() and not as_json and ws.settings.crm.timezone is None
            router = _router(ws, ask=ask)
            con = ws.connect()
            results, failures = [], []
            try:
                # each file is its own all-or-nothing load: a bad file does not stop the others
                for group_as, group in _by_mapping(paths, as_name):
                    for path in group:
                        try:
                            results += load_paths(
                                con, [path], as_name=group_as, table=table, date_order=order,  # type: ignore[arg-type]
                                max_quarantine_share=ws.settings.load.max_quarantine_share if max_bad is None else max_bad,
                                detector=ingest.detect, router=router, progress=progress_enabled() and not as_json and not ask,
                            )
                        except SolomlError as exc:
                            failures.append((path, exc))
            finally:
                con.close()
            emit({"loads": results, "failed": [{"source": p, "error": str(e)} for p, e in failures]}, as_json,
                 lambda r: [_describe(x) for x in r["loads"]])
            if len(failures) == 1 and not results:
                raise failures[0][1]
            if failures:
                for path, exc in failures:
                    err_console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
                raise LoadError(
                    f"{len(failures)} of {len(failures) + len(results)} loads failed and changed nothing: "
                    + ", ".join(Path(p).name if "://" not in p else p for p, _ in failures) + ".",
                    hint="The others are loaded. Fix the failed files and run `soloml load` on them again.",
                )
