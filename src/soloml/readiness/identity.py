"""How well customers line up between tools ("only 51% of Stripe customers are also in Shopify"), from the
canonical identity report (soloml.canonical.identity_report), never its own SQL."""

from __future__ import annotations

from soloml.canonical.identity_report import identity_report
from soloml.readiness.findings import Finding, Fix
from soloml.readiness.sources import VENDOR_WORDS
from soloml.warehouse.base import Connection

LOW_MATCH = 0.8
MIN_CUSTOMERS = 20


def check_identity(con: Connection) -> tuple[Finding, ...]:
    """One note per source with a low match rate to some other source, listing each such rate."""
    report = identity_report(con, top=0)
    pairs = [p for p in report.pairs if p.customers >= MIN_CUSTOMERS]
    out = []
    for source in dict.fromkeys(p.source for p in pairs):
        low = sorted((p for p in pairs if p.source == source and p.rate < LOW_MATCH), key=lambda p: p.rate)
        if not low:
            continue
        rates = ", ".join(f"{p.rate:.0%} in {_name(p.other)}" for p in low)
        others = " or ".join(_name(p.other) for p in low)
        words = f"Only some of {_name(source)}'s {low[0].customers:,} customers are found in the other tools: {rates}."
        fix = Fix(
            f"See who is unmatched; if {_name(source)} and {others} share a customer id or email field, map it so the customers "
            "line up (if they are simply different customers, nothing is wrong).",
            command="soloml identities",
        )
        out.append(
            Finding(
                "identity",
                "note",
                source,
                words,
                fix,
                figures={"customers": low[0].customers, "rates": {p.other: p.rate for p in low}},
            )
        )
    if out or not pairs:
        return tuple(out)
    worst = min(pairs, key=lambda p: p.rate)
    return (
        Finding(
            "identity",
            "ok",
            "identities",
            f"Customers line up across tools: at least {worst.rate:.0%} of each tool's customers are found in each of the others.",
            figures={"lowest_rate": worst.rate, "pairs": len(pairs)},
        ),
    )


def _name(source: str) -> str:
    return VENDOR_WORDS.get(source, source)
