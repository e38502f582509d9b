"""The training result in words a CEO follows, from the plain summary dict (`TrainResult.summary`)."""

from __future__ import annotations

from typing import Any

from soloml.modeling.metrics import METRIC_NAMES

CYCLE_NOUN = {"daily": "day", "weekly": "week", "monthly": "month"}
ENTITY_PLURAL = {"customer": "customers", "contact": "contacts", "row": "rows", "series": "series"}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "n/a"
    symbol = SYMBOLS.get(currency.upper())
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.0f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def verdict_lines(s: dict[str, Any]) -> list[str]:
    """Verdict first, then what acting on the model means per cycle, then the model numbers and next steps."""
    v = s["verdict_detail"]
    lines = [f"{s['verdict']}: {v['headline']}"]
    lines += business_lines(s)
    lines.append(metric_line(s))
    if s.get("top_features"):
        lines.append("Strongest signals: " + ", ".join(f["description"] for f in s["top_features"][:3]) + ".")
    if v["next_steps"] and s["verdict"] != "DONE":
        lines.append("What to try next:")
        lines += [f"  - {step}" for step in v["next_steps"]]
    return lines


def business_lines(s: dict[str, Any]) -> list[str]:
    b = s["business"]
    if b.get("precision_at_capacity") is None:
        return []
    cycle = CYCLE_NOUN.get(b["cycle"], b["cycle"])
    who = ENTITY_PLURAL.get(s.get("entity", "row"), "rows")
    cap = b["capacity"]
    cur = b["currency"]
    rule = b.get("today_rule")
    if s["task"] == "binary":
        hits = b["precision_at_capacity"] * cap
        text = f"If we act on the {cap} {who} the model ranks highest each {cycle}, about {hits:.0f} of them would turn out {_outcome(s)}"
        if rule and rule.get("precision_at_capacity"):
            ratio = b["precision_at_capacity"] / rule["precision_at_capacity"]
            text += f" — {ratio:.1f}x today's rule '{rule['description']}' ({rule['precision_at_capacity'] * cap:.0f} of {cap})."
        else:
            text += f" — {b['lift_at_capacity']:.1f}x a random pick."
    else:
        text = f"Of the {cap} {who} the model ranks highest each {cycle}, {b['precision_at_capacity']:.0%} are truly among the top {cap}"
        text += f" ({b['lift_at_capacity']:.1f}x a random pick)." if b.get("lift_at_capacity") else "."
    value = f"Expected value: {money(b['expected_value'], cur)} a {cycle}"
    if rule and rule.get("expected_value") is not None:
        value += f" vs {money(rule['expected_value'], cur)} with today's rule"
    value += f" and {money(0.0, cur)} acting on nobody."
    return [text, value]


def _outcome(s: dict[str, Any]) -> str:
    """'to be <label definition>' for a recipe, '<target> = <positive class>' for a plain table."""
    if s.get("recipe") == "table" and s.get("target"):
        return f"to have {s['target']} = {s['training'].get('positive_class')}"
    return f"to be '{s.get('label_definition', 'positive')}'"


def metric_line(s: dict[str, Any]) -> str:
    name = METRIC_NAMES.get(s["metric"], s["metric"])
    parts = []
    for base, score in s["baseline_scores"].items():
        if score is not None:
            parts.append(f"{_num(score, s['metric'])} for {'today' + chr(39) + 's rule' if base == 'today_rule' else 'no model'}")
    val = s["validation"]
    where = f"{val['rows']:,} rows at the latest cutoff ({val['validation_cutoff']})" if val["kind"] == "time" else f"{val['rows']:,} rows, each judged out of fold"
    return f"Model {name} {_num(s['model_score'], s['metric'])} vs {', '.join(parts)} (on {where})."


def _num(x: float, metric: str = "") -> str:
    if metric in ("precision_at_capacity", "accuracy"):
        return f"{x:.1%}"
    return f"{x:,.3f}" if abs(x) < 1000 else f"{x:,.0f}"
