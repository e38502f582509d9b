"""The forecast in words a CEO reads: the next period's range, the total ahead, and how far past forecasts missed."""

from __future__ import annotations

from typing import Any

from soloml.forecasting.calendar import NOUN
from soloml.forecasting.judge import fmt

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "AUD": "A$", "CAD": "C$"}
NAMES = {"revenue": "revenue", "orders": "orders", "new_customers": "new customers", "units": "units sold"}
LAST_SEASON = {
    "day": "same day last week",
    "week": "same week last year",
    "month": "same month last year",
    "quarter": "same quarter last year",
}
MAX_SERIES_LINES = 3


def amount(x: float | None, unit: str, currency: str | None) -> str:
    """$182k, $1.2M, 4,300 units: short enough to read aloud."""
    if x is None or x != x:
        return "n/a"
    sign, v = ("-" if x < 0 else ""), abs(x)
    text = (
        f"{v / 1e6:.1f}M"
        if v >= 1e6
        else f"{v / 1e3:.0f}k"
        if v >= 1e4
        else f"{v / 1e3:.1f}k"
        if v >= 1e3
        else f"{v:.0f}"
        if v >= 10
        else f"{v:.1f}"
    )
    if unit == "money":
        symbol = SYMBOLS.get((currency or "").upper())
        return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency or ''}".strip()
    return sign + text


def baseline_words(model: str, frequency: str) -> str:
    return f"'{LAST_SEASON[frequency]}'" if model == "seasonal_naive" else f"'same as last {NOUN[frequency]}'"


def span_words(periods: int, frequency: str) -> str:
    noun = NOUN[frequency]
    return f"the last {periods} {noun}s" if periods != 1 else f"the last {noun}"


def lines(facts: dict[str, Any]) -> list[str]:
    """Next period per series (the biggest few), the total ahead, past accuracy beside the baseline, and the ranges' record."""
    s = facts["series"]
    unit, currency, noun = s["unit"], s["currency"], NOUN[s["frequency"]]
    name = NAMES.get(s["name"], s["name"])
    out = []
    totals = {t["series"]: t for t in facts.get("totals") or []}
    by_series: dict[str, list[dict]] = {}
    for row in facts["forecasts"]:
        by_series.setdefault(row["series"], []).append(row)
    ranked = sorted(by_series, key=lambda k: -sum(abs(r["forecast"]) for r in by_series[k]))
    for key in ranked[:MAX_SERIES_LINES]:
        rows = by_series[key]
        first = rows[0]
        who = name if len(by_series) == 1 else f"{name} for {key}"
        if first["lower"] is not None:
            out.append(
                f"Next {noun}'s {who}: {amount(first['lower'], unit, currency)} to {amount(first['upper'], unit, currency)}, "
                f"most likely {amount(first['forecast'], unit, currency)} ({first['period']})."
            )
        else:
            out.append(
                f"Next {noun}'s {who}: most likely {amount(first['forecast'], unit, currency)} ({first['period']}; too little history for a range)."
            )
        total = totals.get(key)
        if len(rows) > 1 and total is not None:
            out.append("  " + total_words(total, who, s["frequency"], unit, currency))
    if len(by_series) > MAX_SERIES_LINES:
        out.append(f"... and {len(by_series) - MAX_SERIES_LINES} more series (see the CSV).")
    out += accuracy_lines(facts)
    return out


SPANS = {
    ("month", 3): "next quarter",
    ("month", 12): "next year",
    ("week", 13): "next quarter",
    ("week", 52): "next year",
    ("quarter", 4): "next year",
    ("day", 7): "next week",
}


def horizon_words(periods: int, frequency: str) -> str:
    """'next quarter', 'next year', or 'the next 6 months'."""
    return SPANS.get((frequency, periods)) or f"the next {periods} {NOUN[frequency]}s"


def total_words(total: dict[str, Any], who: str, frequency: str, unit: str, currency: str | None) -> str:
    """The horizon's total as a range: "next quarter's revenue: $182k to $205k, most likely $194k"."""
    span = horizon_words(total["periods"], frequency)
    owner = f"{span}'s" if not span.endswith("s") else f"{span}'"
    owner = owner[0].upper() + owner[1:]
    most = amount(total["point"], unit, currency)
    if total["lower"] is None:
        return f"{owner} {who}: most likely {most} in total (too few past misses to put a range on the total)."
    return f"{owner} {who}: {amount(total['lower'], unit, currency)} to {amount(total['upper'], unit, currency)}, most likely {most} in total."


def accuracy_lines(facts: dict[str, Any]) -> list[str]:
    acc, frequency = facts["accuracy"], facts["series"]["frequency"]
    if acc["wape"] is None:
        return []
    span = span_words(facts["judged_periods"], frequency)
    base = baseline_words(facts["baseline_model"], frequency)
    if acc["chosen_share"] == 0:
        return [
            f"Over {span} {base} missed by {acc['baseline_wape']:.0%} on average (too little history before then to test another model)."
        ]
    who = "our forecasts" if acc["series_total"] == 1 else f"our forecasts for {acc['series_judged']} series"
    out = [f"Over {span} {who} missed by {acc['wape']:.0%} on average, vs {acc['baseline_wape']:.0%} for {base}."]
    if acc["metric"] != "wape":
        line = f"; done line {fmt(facts['threshold'], acc['metric'])}" if facts["threshold"] is not None else ""
        out.append(
            f"  The {facts['metric_name']}: {fmt(acc['value'], acc['metric'])} against {fmt(acc['baseline'], acc['metric'])}{line}."
        )
    if acc["coverage"] is not None:
        out.append(
            f"The {acc['level']:.0%} ranges held the actual value in {acc['coverage']:.0%} of {acc['covered_periods']} judged {NOUN[frequency]}s."
        )
    return out
