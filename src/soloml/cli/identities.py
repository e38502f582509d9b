"""`soloml identities [--top N] [--accept ID]... [--reject ID]... [--json]`: how customers line up across sources,
which rule linked them, who is unmatched, and the suggested links waiting for your decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace

if TYPE_CHECKING:
    from soloml.canonical.identity_report import IdentityReport
    from soloml.canonical.identity_suggest import Decision

RULES = {"email": "email", "source_id": "source id", "reference_id": "reference id", "accepted": "accepted suggestion"}


def _render(report: IdentityReport, decisions: list[Decision]) -> None:
    for d in decisions:
        console.print(
            f"{d.suggestion_id}: {d.decision}" + (f"; now one customer, {d.customer_id}" if d.customer_id else ".")
        )
    if not report.identities:
        console.print("No customers yet. Load a customer, payment or order export with `soloml load FILE`.")
        return
    sources = ", ".join(f"{s} {n:,}" for s, n in report.by_source.items())
    console.print(
        f"{report.customers:,} customers from {report.identities:,} source records; customers per source: {sources}."
    )
    for p in report.pairs:
        console.print(
            f"  {p.rate:6.1%} of {p.source}'s {p.customers:,} customers are also in {p.other} ({p.also_in_other:,})"
        )
    if report.links:
        console.print("Linked by:")
        for link in report.links:
            pair = f"{link.source} <-> {link.other}" if link.source != link.other else f"within {link.source}"
            console.print(f"  {pair}: {link.people:,} by {RULES.get(link.rule, link.rule)}")
    if report.unmatched_total:
        console.print(
            f"{report.unmatched_total:,} records are known to one source only; the first {len(report.unmatched)}:"
        )
        for u in report.unmatched:
            console.print(f"  {u.source} {u.source_id} {u.email or '(no email)'} -> {u.customer_id}")
    if report.suggestions:
        console.print(f"{len(report.suggestions)} suggested link(s) wait for your decision (one person, or two?):")
        for s in report.suggestions:
            console.print(
                f"  {s.suggestion_id}  {s.a.source} {s.a.source_id} <-> {s.b.source} {s.b.source_id}: {s.reason}",
                markup=False,
            )
        console.print("  Accept with `soloml identities --accept ID`, reject with `--reject ID`.")


def register(app: typer.Typer) -> None:
    @app.command("identities")
    def identities_cmd(
        top: Annotated[int, typer.Option("--top", min=0, help="How many unmatched records to list.")] = 20,
        accept: Annotated[
            list[str] | None, typer.Option("--accept", help="A suggested link to accept: they are one person.")
        ] = None,
        reject: Annotated[
            list[str] | None, typer.Option("--reject", help="A suggested link to reject: they are two people.")
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Report customer match rates and links per source pair and rule, the unmatched, and suggested links to decide."""
        from soloml.app.identities import identities

        with handled():
            result = identities(workspace(ws_dir), top=top, accept=accept or (), reject=reject or ())
            emit(result, as_json, lambda r: _render(r.report, list(r.decisions)))
