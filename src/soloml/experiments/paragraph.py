"""One paragraph a CEO reads: what was tested, on whom, for how long, what happened, how sure, the decision.

`plain_paragraph` takes an `ExperimentResult` or its facts (`result.to_facts()`, also as read
back from JSON), so the report and the weekly update render the same words from stored facts.

>>> facts = {"description": "The spring discount email", "units": 3000, "unit_plural": "customers",
...     "variants": [{"variant": "control", "label": "no email", "units": 1500}, {"variant": "email", "label": "the email", "units": 1500}],
...     "control": "control", "exposed_from": "2026-03-01", "exposed_to": "2026-03-14", "early_look": False, "end": None,
...     "headline": "The email kept 31 more customers than no email would have.", "significant": True,
...     "decision_p_value": 0.004, "chance_to_beat_control": 0.998, "best_label": "the email", "control_label": "no email",
...     "guardrails": [], "decision_words": "roll out the email"}
>>> print(plain_paragraph(facts))  # doctest: +NORMALIZE_WHITESPACE
What was tested: the spring discount email, on 3,000 customers (1,500 got the email, 1,500 got no email), from 2026-03-01 to 2026-03-14.
The email kept 31 more customers than no email would have. A difference this large is unlikely to be chance (p = 0.004);
there is a 99.8% chance the email is better than no email. Decision: roll out the email.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from soloml.experiments import words as w


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _tested(f: Mapping[str, Any]) -> str:
    return w.mid_sentence(f.get("description") or f"{f['best_label']} against {f['control_label']}")


def _who(f: Mapping[str, Any]) -> str:
    def arm(v: Mapping[str, Any]) -> str:
        return (
            f"{v['units']:,} were in the control group"
            if v["label"] == "the control group"
            else f"{v['units']:,} got {v['label']}"
        )

    arms = ", ".join(arm(v) for v in sorted(f["variants"], key=lambda v: v["variant"] == f["control"]))
    return f"on {f['units']:,} {f['unit_plural']} ({arms})"


def _when(f: Mapping[str, Any]) -> str:
    if not f.get("exposed_from"):
        return ""
    span = (
        f", from {f['exposed_from']} to {f['exposed_to']}"
        if f["exposed_from"] != f["exposed_to"]
        else f", on {f['exposed_from']}"
    )
    if f.get("early_look"):
        span += (
            f"; this is an early look, the experiment runs until {f['end']}"
            if f.get("end")
            else "; this is an early look, before the planned size"
        )
    return span


def _how_sure(f: Mapping[str, Any]) -> str:
    early = " even allowing for looking early" if f.get("early_look") else ""
    lead = (
        f"A difference this large is unlikely to be chance{early}" if f["significant"] else "That could well be chance"
    )
    return f"{lead} ({_p(f['decision_p_value'])}); there is a {w.chance(f['chance_to_beat_control'])} chance {f['best_label']} is better than {f['control_label']}."


def _guardrails(f: Mapping[str, Any]) -> str:
    notes = []
    for g in f.get("guardrails", ()):
        if g["variant"] != f.get("best_variant", g["variant"]):
            continue
        moved = "rose" if g["absolute_lift"] > 0 else "fell"
        beyond = g["guardrail_p_holm"] is not None and g["guardrail_p_holm"] < f.get("alpha", 0.05)
        if beyond:
            notes.append(
                f"{g['metric']} {moved} ({_level(g['control_mean'], g['kind'])} to {_level(g['treated_mean'], g['kind'])}), beyond chance"
            )
        else:
            notes.append(f"{g['metric']} showed no change beyond chance")
    return f" Guardrails: {'; '.join(notes)}." if notes else ""


def _level(x: float, kind: str) -> str:
    return f"{x:.1%}" if kind == "conversion" else w.number(x, 2)


def plain_paragraph(result: Any) -> str:
    """The result in one paragraph of plain words (from an ExperimentResult or its facts dict)."""
    f: Mapping[str, Any] = result if isinstance(result, Mapping) else result.to_facts()
    return (
        f"What was tested: {_tested(f)}, {_who(f)}{_when(f)}. {f['headline']} {_how_sure(f)}{_guardrails(f)} "
        f"Decision: {f['decision_words']}."
    )
