"""The training result in words a CEO follows, from the plain summary dict (`TrainResult.summary`).

Money and per-cycle figures appear only when the business inputs were agreed (`soloml interview`);
otherwise the result is told in the metric against the baselines, and says what is missing.
"""

from __future__ import annotations

from typing import Any

from soloml.modeling.metrics import METRIC_NAMES
from soloml.modeling.verdict import format_metric

CYCLE_NOUN = {"daily": "day", "weekly": "week", "monthly": "month"}
ENTITY_PLURAL = {"customer": "customers", "contact": "contacts", "row": "rows", "series": "series"}
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
BASELINE_NAMES = {"prior": "no model", "today_rule": "today's rule", "median": "the median"}
SHOWN_METRICS = {
    "binary": ("roc_auc", "precision_at_capacity"),
    "multiclass": ("multi_logloss", "accuracy"),
    "regression": ("rmse", "mae"),
}
MAX_LEFT_OUT = 8


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "n/a"
    symbol = SYMBOLS.get(currency.upper())
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.0f}"
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {currency}"


def verdict_lines(s: dict[str, Any]) -> list[str]:
    """Verdict first, what is predicted, what acting on the model means, the model numbers, then caveats and next steps."""
    v = s["verdict_detail"]
    lines = [
        v["headline"],
        predicting_line(s),
    ]  # the headline says the verdict in words ("Done: ..."); the code is in --json
    lines += business_lines(s)
    lines.append(metric_line(s))
    lines.append(f"How it was judged: {s['validation']['description']}.")
    lines += list(s.get("notes") or [])
    lines += left_out_lines(s)
    if s.get("top_features"):
        lines.append("Strongest signals: " + ", ".join(f["description"] for f in s["top_features"][:3]) + ".")
    if v["next_steps"] and (s["verdict"] != "DONE" or not s["business"].get("agreed", True)):
        lines.append("What to try next:")
        lines += [f"  - {step}" for step in v["next_steps"]]
    return lines


def predicting_line(s: dict[str, Any]) -> str:
    """What the model predicts, with the positive class named and its share."""
    t = s["training"]
    rows = f"{t['rows']:,} rows"
    if s["task"] == "binary":
        share = f"{t['base_rate']:.0%} of {rows}"
        if s.get("recipe") == "table" and s.get("target"):
            return f"Predicting: {s['target']} = {t.get('positive_class')!r} (the positive class; {share}), against {t.get('negative_class')!r}."
        return f"Predicting: '{s.get('label_definition', 'the label')}' ({share})."
    if s["task"] == "multiclass":
        counts = t.get("classes") or {}
        total = sum(counts.values()) or 1
        shares = ", ".join(f"{name} {n / total:.0%}" for name, n in list(counts.items())[:8])
        return f"Predicting: {s.get('target') or 'the label'}, one of {len(counts)} classes ({shares}; {rows})."
    return f"Predicting: {s.get('target') or s.get('label_definition', 'the label')}, a number (mean {_plain(t['label_mean'])} over {rows})."


def business_lines(s: dict[str, Any]) -> list[str]:
    b = s["business"]
    agreed = b.get("agreed", True)
    if s["task"] == "regression":
        return regression_lines(s) + ([] if agreed else [_interview_line(s)])
    if b.get("precision_at_capacity") is None:
        return []
    who = ENTITY_PLURAL.get(s.get("entity", "row"), "rows")
    cap = b["capacity"]
    rule = b.get("today_rule")
    if not agreed:
        k = b["validation_rows_acted_on"]
        judged = s["validation"]["rows"]
        base = (
            b.get("base_rate") if s["task"] == "binary" else (b.get("random_pick") or {}).get("precision_at_capacity")
        )
        what = f"turn out {_outcome(s)}" if s["task"] == "binary" else "get the right class"
        text = f"Of the {k:,} of {judged:,} judged {who} the model ranks highest ({k / max(judged, 1):.0%}), {b['precision_at_capacity']:.0%} {what}"
        text += (
            f", against {base:.0%} of all of them ({b['lift_at_capacity']:.1f}x)."
            if base and b.get("lift_at_capacity")
            else "."
        )
        return [text, _interview_line(s)]
    cycle = CYCLE_NOUN.get(b["cycle"], b["cycle"])
    cur = b["currency"]
    hits = b["precision_at_capacity"] * cap
    outcome = (
        _outcome(s) if s["task"] == "binary" else "to get the right class (acting on the class the model predicts)"
    )
    text = f"If we act on the {cap} {who} the model ranks highest each {cycle}, about {hits:.0f} of them would turn out {outcome}"
    if rule and rule.get("precision_at_capacity"):
        ratio = b["precision_at_capacity"] / rule["precision_at_capacity"]
        text += f" — {ratio:.1f}x today's rule '{rule['description']}' ({rule['precision_at_capacity'] * cap:.0f} of {cap})."
    elif b.get("lift_at_capacity"):
        text += f" — {b['lift_at_capacity']:.1f}x a random pick."
    else:
        text += "."
    value = f"Expected value: {money(b['expected_value'], cur)} a {cycle}"
    if rule and rule.get("expected_value") is not None:
        value += f" vs {money(rule['expected_value'], cur)} with today's rule"
    value += f" and {money(0.0, cur)} acting on nobody."
    return [text, value]


def regression_lines(s: dict[str, Any]) -> list[str]:
    """RMSE and MAE of the model against the mean and the naive rule, in the target's own units."""
    model, base = s["metrics"], s["baseline_metrics"]
    units = f"in units of {s['target']}" if s.get("target") else "in the label's units"
    parts = []
    for metric in ("rmse", "mae"):
        against = [
            f"{format_metric(vals[metric], metric)} for {BASELINE_NAMES.get(name, name)}"
            for name, vals in base.items()
            if vals.get(metric) is not None
        ]
        parts.append(f"{METRIC_NAMES[metric]} {format_metric(model[metric], metric)} vs " + ", ".join(against))
    return [f"Typical error ({units}): " + "; ".join(parts) + "."]


def _interview_line(s: dict[str, Any]) -> str:
    return (
        f"No money figures: what a right call is worth, what acting costs and how many you can act on were never agreed. "
        f"`soloml interview {s['project']}` asks, and the next `soloml train` prints them."
    )


def _outcome(s: dict[str, Any]) -> str:
    """'to be <label definition>' for a recipe, '<target> = <positive class>' for a plain table."""
    if s.get("recipe") == "table" and s.get("target"):
        return f"to have {s['target']} = {s['training'].get('positive_class')!r}"
    return f"to be '{s.get('label_definition', 'positive')}'"


def metric_line(s: dict[str, Any]) -> str:
    """The headline metric and the task's usual ones (ROC AUC and precision at capacity ...), each against the baselines."""
    names = list(dict.fromkeys((s["metric"], *SHOWN_METRICS.get(s["task"], ()))))
    parts = []
    for metric in names:
        value = s["metrics"].get(metric)
        if value is None:
            continue
        against = [
            f"{format_metric(v[metric], metric)} {BASELINE_NAMES.get(b, b)}"
            for b, v in s["baseline_metrics"].items()
            if v.get(metric) is not None
        ]
        parts.append(
            f"{METRIC_NAMES.get(metric, metric)} {format_metric(value, metric)}"
            + (f" (vs {', '.join(against)})" if against else "")
        )
    return f"Model: {'; '.join(parts)}."


def left_out_lines(s: dict[str, Any]) -> list[str]:
    """One short block: the columns not learnt from and why."""
    found = s.get("left_out") or []
    if not found:
        return []
    by_reason: dict[str, list[str]] = {}
    for f in found:
        by_reason.setdefault(f["reason"], []).append(f["column"])
    groups = list(by_reason.items())
    lines = ["Left out (not learnt from):"] + [
        f"  - {', '.join(columns)}: {reason}" for reason, columns in groups[:MAX_LEFT_OUT]
    ]
    if len(groups) > MAX_LEFT_OUT:
        lines.append(f"  ... and {sum(len(c) for _, c in groups[MAX_LEFT_OUT:])} more (see --json).")
    return lines


def _plain(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"
