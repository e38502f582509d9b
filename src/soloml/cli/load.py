"""`soloml load [PATH...] [--as NAME] [--table T] [--date-format mdy] [--json]`: files and tables into the warehouse.

With no PATH, the sources listed in soloml.yaml are loaded again (one cron line keeps the warehouse fresh).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from soloml.cli.output import (
    JsonOption,
    WorkspaceOption,
    console,
    emit,
    err_console,
    handled,
    progress_enabled,
    workspace,
)
from soloml.config import DateOrder

if TYPE_CHECKING:
    from soloml.sources import LoadResult, LoadSummary
    from soloml.workspace import Workspace

NOTHING_TO_LOAD_HINT = (
    "Pass files or folders (`soloml load exports/`), or list them in soloml.yaml so `soloml load` alone loads them:\n"
    "sources:\n  - path: exports/\n  - url: postgresql://app@db:5432/shop\n    table: public.orders\n(see docs/loading.md)."
)


def _describe(result: LoadResult) -> None:
    from soloml.sources.results import shown

    name = shown(result.source)
    if result.status in ("unchanged", "failed", "not_attempted"):
        label = {"failed": "failed: ", "not_attempted": "not attempted: "}.get(result.status, "")
        message = result.message.removeprefix("not attempted: ")
        console.print(f"{name}: {label}{message}")
        return
    console.print(f"{name} ({result.format}) -> {result.raw_table}")
    det = result.detection
    if det is not None and det.vendor_object:
        console.print(f"  recognised as {det.vendor_object} (confidence {det.confidence:.0%}){': ' + det.reason if det.reason else ''}")
    else:
        suggestion = det.suggestion if det is not None and det.suggestion else "loaded as a plain raw table"
        console.print(f"  not recognised as a known vendor export: {suggestion}")
    extra = f", {result.rows_skipped:,} already there" if result.rows_skipped else ""
    console.print(f"  rows: {result.rows_in:,} in, {result.rows_loaded:,} loaded, {result.rows_quarantined:,} quarantined{extra}")
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


def _render(summary: LoadSummary) -> None:
    for line in summary.cleaned:
        console.print(f"cleaned up: {line}")
    for result in summary.results:
        _describe(result)


def _raise_failures(summary: LoadSummary) -> None:
    from soloml.errors import LoadError
    from soloml.sources.results import shown

    if summary.ok:
        return
    if len(summary.errors) == 1 and summary.files == 1:
        raise summary.errors[0]
    for error in summary.errors:
        err_console.print(f"[bold red]Error:[/] {error}", markup=True, highlight=False)
    names = sorted({shown(r.source).split(" [")[0] for r in summary.failed})
    raise LoadError(
        f"{len(summary.errors)} of {summary.files} files failed and changed nothing: {', '.join(names)}.",
        hint="The others are loaded. Fix the failed files and run `soloml load` on them again.",
    )


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
        paths: Annotated[list[str] | None, typer.Argument(
            help="Files (CSV, TSV, XLSX, Parquet, JSON, NDJSON), folders, globs, or a database URL; none: the sources in soloml.yaml.",
            show_default=False)] = None,
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
        """Load files or database tables into raw.* (typed, all-or-nothing per file, re-loads are no-ops) and route them into core.*."""
        from functools import partial

        from soloml.canonical import ingest
        from soloml.canonical.adapters.adapter_catalog import AdapterCatalog
        from soloml.errors import ConfigError

        with handled():
            from soloml.sources import LoadRequest, load_all
            from soloml.sources.configured import requests_for

            ws = workspace(ws_dir)
            order = date_format or ws.settings.load.date_order
            if order not in DateOrder.__args__:  # type: ignore[attr-defined]
                raise ConfigError(f"--date-format must be one of auto, mdy, dmy, ymd; got '{order}'.", hint="For 31/01/2024 pass --date-format dmy.")
            if paths:
                requests = [LoadRequest(p, as_name, table) for p in paths]
            elif as_name or table:
                raise ConfigError("--as and --table apply to the files given: pass PATH too.", hint="e.g. `soloml load orders.csv --as orders`.")
            else:
                requests = requests_for(ws.settings.sources, root=ws.root, env=os.environ)
            if not requests:
                raise ConfigError(f"Nothing to load: no PATH was given and {ws.root / 'soloml.yaml'} lists no sources.", hint=NOTHING_TO_LOAD_HINT)
            # the workspace's own mappings (mappings/*.yaml, drafted by `soloml map`) join the vendor adapters
            catalog = AdapterCatalog.from_folder(ws.mappings_dir)
            ask = _interactive() and not as_json and ws.settings.crm.timezone is None
            router = partial(_router(ws, ask=ask), catalog=catalog)
            with ws.connect() as con:
                summary = load_all(
                    con, requests, date_order=order,  # type: ignore[arg-type]
                    max_quarantine_share=ws.settings.load.max_quarantine_share if max_bad is None else max_bad,
                    detector=partial(ingest.detect, catalog=catalog), router=router, temp_dir=ws.root / ".soloml" / "tmp",
                    as_for=catalog.mapping_for_file,
                    progress=progress_enabled() and not as_json and not ask,
                )
            emit(summary.to_facts(), as_json, lambda _: _render(summary))
            _raise_failures(summary)
