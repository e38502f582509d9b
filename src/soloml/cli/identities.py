"""`soloml identities [--top N] [--json]`: how well customers line up across sources, and who is unmatched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace

if TYPE_CHECKING:
    from soloml.canonical.identity_report import IdentityReport


def _render(report: IdentityReport) -> None:
    if not report.identities:
        console.print("No customers yet. Load a customer, payment or order export with `soloml load FILE`.")
        return
    sources = ", ".join(f"{s} {n:,}" for s, n in report.by_source.items())
    console.print(f"{report.customers:,} customers from {report.identities:,} source records; customers per source: {sources}.")
    for p in report.pairs:
        console.print(f"  {p.rate:6.1%} of {p.source}'s {p.customers:,} customers are also in {p.other} ({p.also_in_other:,})")
    if report.unmatched_total:
        console.print(f"{report.unmatched_total:,} records are known to one source only; the first {len(report.unmatched)}:")
        for u in report.unmatched:
            console.print(f"  {u.source} {u.source_id} {u.email or '(no email)'} -> {u.customer_id}")


def register(app: typer.Typer) -> None:
    @app.command("identities")
    def identities_cmd(
        top: Annotated[int, typer.Option("--top", min=0, help="How many unmatched records to list.")] = 20,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Report customer match rates per source pair and list the records only one source knows."""
        with handled():
            from soloml.canonical.identity_report import identity_report
            con = workspace(ws_dir).connect()
            try:
                report = identity_report(con, top=top)
            finally:
                con.close()
            emit(report, as_json, _render)
