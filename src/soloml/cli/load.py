"""`soloml load [PATH...] [--as NAME] [--table T] [--date-format mdy] [--json]`: files and tables into the warehouse.

What a load means (mappings, detection, routing, the per-file failure rule) is soloml.app.load; this module
asks for the CRM time zone at a terminal and prints.

With no PATH, the sources listed in soloml.yaml are loaded again (one cron line keeps the warehouse fresh).
"""

from __future__ import annotations

from collections.abc import Callable
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

if TYPE_CHECKING:
    from soloml.sources import LoadResult, LoadSummary
    from soloml.workspace import Workspace


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
        console.print(
            f"  recognised as {det.vendor_object} (confidence {det.confidence:.0%}){': ' + det.reason if det.reason else ''}"
        )
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
    dropped = {
        t.lstrip("_").replace("_", " "): n
        for t, n in result.core_rows.items()
        if t.startswith("_") and t != "_without_customer" and n
    }
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
    """The app's failure rule; with several failed files, each one's error is printed before the total."""
    from soloml.app.load import failure

    error = failure(summary)
    if error is None:
        return
    if error not in summary.errors:
        for each in summary.errors:
            err_console.print(f"[bold red]Error:[/] {each}", markup=True, highlight=False)
    raise error


def _interactive() -> bool:
    """A person at a terminal who can answer a question (never in pipes, cron, tests or with --json)."""
    import sys

    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask_timezone(ws: Workspace) -> Callable[[str], str]:
    """Asks for the CRM account's time zone once, at the terminal, and saves it as crm.timezone in soloml.yaml."""
    from soloml.config import remember_crm_timezone
    from soloml.errors import ConfigError
    from soloml.workspace import CONFIG_FILE

    answer: dict[str, str] = {}

    def ask_zone(vendor: str) -> str:
        label = "HubSpot" if vendor == "hubspot" else vendor.title()
        while "zone" not in answer:
            typed = typer.prompt(
                f"{label} exports write times in your account's time zone, without saying which. "
                "Which zone is your account set to (e.g. America/Chicago)?",
                default="UTC",
            )
            try:
                remember_crm_timezone(ws.root / CONFIG_FILE, typed.strip())
                answer["zone"] = typed.strip()
                console.print(f"Saved crm.timezone: {answer['zone']} in {CONFIG_FILE}.")
            except (ConfigError, ValueError) as exc:
                console.print(f"{exc}", markup=False)
        return answer["zone"]

    return ask_zone


def register(app: typer.Typer) -> None:
    @app.command("load")
    def load_cmd(
        paths: Annotated[
            list[str] | None,
            typer.Argument(
                help="Files (CSV, TSV, XLSX, Parquet, JSON, NDJSON), folders, globs, or a database URL; none: the sources in soloml.yaml.",
                show_default=False,
            ),
        ] = None,
        as_name: Annotated[
            str | None, typer.Option("--as", help="Raw table name, or a vendor object like stripe.payments.")
        ] = None,
        table: Annotated[str | None, typer.Option("--table", help="Table to read when PATH is a database URL.")] = None,
        date_format: Annotated[
            str | None,
            typer.Option(
                "--date-format",
                help="How to read dates like 03/04/2024: mdy, dmy, ymd or auto (default: settings.load.date_order).",
            ),
        ] = None,
        max_bad: Annotated[
            float | None,
            typer.Option(
                "--max-bad-rows-share",
                help="Fail a load when more than this share of rows cannot be read (default: settings.load.max_quarantine_share).",
            ),
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Load files or database tables into raw.* (typed, all-or-nothing per file, re-loads are no-ops) and route them into core.*."""
        from soloml.app.load import load

        with handled():
            ws = workspace(ws_dir)
            ask = _interactive() and not as_json and ws.settings.crm.timezone is None
            summary = load(
                ws,
                paths or (),
                as_name=as_name,
                table=table,
                date_format=date_format,
                max_bad_rows_share=max_bad,
                ask_timezone=_ask_timezone(ws) if ask else None,
                progress=progress_enabled() and not as_json and not ask,
                check=False,
            )
            emit(summary, as_json, _render)
            _raise_failures(summary)
