"""Demo step 1: load every export into the warehouse through `soloml load`'s own use case (soloml.app.load).

Each file is recognised (Stripe payments, Shopify orders, ...), landed in `raw.*` and mapped onto the
canonical tables `core.*`, with people matched across tools. Loading the same files again changes
nothing, so the demo can run twice into the same folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from soloml.app.load import load
from soloml.canonical.identity_report import IdentityReport, identity_report
from soloml.canonical.schema import TABLES
from soloml.demo.context import DemoContext, StepResult
from soloml.sources import LoadResult
from soloml.warehouse import quote_ident, table_exists

NAME = "load"
EXPORT_LABELS = {
    "stripe_subscriptions": "Stripe subscriptions",
    "stripe_payments": "Stripe payments",
    "hubspot_contacts": "HubSpot contacts",
    "shopify_orders": "Shopify orders",
    "mailchimp_activity": "Mailchimp email activity",
}
PLAIN_NAMES = {
    "customers": "customers",
    "customer_identities": "ids and emails linked to them",
    "payments": "payments",
    "orders": "orders",
    "order_items": "order lines",
    "subscriptions": "subscription versions",
    "contacts": "CRM contacts",
    "deals": "deals",
    "marketing_events": "email events",
}


def run(ctx: DemoContext) -> StepResult:
    results = list(load(ctx.workspace, ctx.exports.paths, progress=ctx.progress).results)
    con = ctx.connect()
    try:
        raw_rows = {r.raw_table: _count(con, r.raw_table) for r in results if r.raw_table}
        core_rows = {t.qualified: _count(con, t.qualified) for t in TABLES.values() if table_exists(con, t.qualified)}
        identities = identity_report(con, top=0)
        people = _people(con)
    finally:
        con.close()
    loads = [_load_facts(r) for r in results]
    match_rates = {f"{p.source}->{p.other}": p.rate for p in identities.pairs}
    return StepResult(
        name=NAME,
        lines=_lines(
            results, core_rows, {p.name: EXPORT_LABELS.get(k, k) for k, p in ctx.exports.files.items()}, people
        )
        + _identity_lines(identities),
        data={
            "loads": loads,
            "raw_rows": raw_rows,
            "core_rows": core_rows,
            "customers": people,
            "identity_match_rates": match_rates,
        },
        outputs=(),
    )


def _identity_lines(report: IdentityReport) -> tuple[str, ...]:
    """How well the tools agree on who is who, for the pairs a CEO would ask about."""
    if not report.pairs:
        return ()
    rates = ", ".join(
        f"{p.rate:.0%} of {p.source} customers are also in {p.other}" for p in report.pairs if p.source == "stripe"
    )
    rates = rates or ", ".join(f"{p.rate:.0%} of {p.source} customers are also in {p.other}" for p in report.pairs[:3])
    return (f"Matched people across tools ({report.customers:,} people from {report.identities:,} records): {rates}.",)


def _people(con) -> dict[str, int]:
    """Customers as a CEO counts them (someone who bought) apart from leads (CRM contacts who never bought)."""
    if not table_exists(con, "core.customers"):
        return {"bought": 0, "leads": 0}
    bought, leads = con.execute(
        "SELECT count(*) FILTER (WHERE has_purchased), count(*) FILTER (WHERE NOT has_purchased) FROM core.customers"
    ).fetchone()
    return {"bought": int(bought), "leads": int(leads)}


def _count(con, qualified: str) -> int:
    schema, _, name = qualified.partition(".")
    return int(con.execute(f"SELECT count(*) FROM {quote_ident(schema)}.{quote_ident(name)}").fetchone()[0])


def _load_facts(r: LoadResult) -> dict[str, Any]:
    d = r.detection
    return {
        "file": r.source,
        "status": r.status,
        "recognised_as": d.vendor_object if d else None,
        "raw_table": r.raw_table,
        "rows_in": r.rows_in,
        "rows_loaded": r.rows_loaded,
        "rows_quarantined": r.rows_quarantined,
        "rows_skipped": r.rows_skipped,
        "core_rows": dict(r.core_rows),
        "message": r.message,
    }


def _what(r: LoadResult, labels: dict[str, str]) -> str:
    name = Path(r.source).name
    return f"{labels[name]} ({name})" if name in labels else name


def _lines(
    results: list[LoadResult], core_rows: dict[str, int], labels: dict[str, str], people: dict[str, int]
) -> tuple[str, ...]:
    fresh = [r for r in results if r.status == "loaded"]
    same = [r for r in results if r.status == "unchanged"]
    lines = []
    if fresh:
        rows = sum(r.rows_loaded for r in fresh)
        lines.append(f"Loaded {len(fresh)} export file(s), {rows:,} rows, into the warehouse.")
    if same:
        lines.append(f"{len(same)} export file(s) were already loaded and did not change, so they were skipped.")
    for r in results:
        detail = f"{r.rows_in:,} rows" if r.status == "loaded" else "unchanged"
        extras = []
        if r.rows_quarantined:
            extras.append(f"{r.rows_quarantined:,} unreadable rows set aside")
        test_mode = r.core_rows.get("_test_mode", 0)
        if test_mode:
            extras.append(f"{test_mode:,} test-mode rows left out")
        extra = f" ({'; '.join(extras)})" if extras else ""
        lines.append(f"  {_what(r, labels)}: {detail} -> {r.raw_table}{extra}")
    if core_rows:
        held = ", ".join(_held(q, n, people) for q, n in core_rows.items() if n)
        lines.append(f"The business now reads as one set of tables: {held}.")
    return tuple(lines)


def _held(qualified: str, rows: int, people: dict[str, int]) -> str:
    name = qualified.removeprefix("core.")
    if name == "customers" and people["leads"]:
        return f"{people['bought']:,} customers who bought and {people['leads']:,} leads who have not yet"
    return f"{rows:,} {PLAIN_NAMES.get(name, qualified)}"
