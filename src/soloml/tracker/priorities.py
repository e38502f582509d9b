"""Which project first: expected value per cycle × confidence ÷ effort, each from the project's own contract.

    at stake   = capacity × (hit rate × success rate × value per success − cost per action), per cycle;
                 the hit rate is the latest model's precision at capacity (its expected value), and 100%
                 before a model exists (so the figure is an upper bound, and the sentence says "up to")
    confidence = readiness × verdict: data checked ready 1.0, not checked yet 0.7, check failed 0.4;
                 model done 1.0, not there yet 0.6, not better than today's way 0.2, no model yet 0.5
    score      = at stake per week × confidence ÷ effort (the days of work left, typed on the board)

Projects with no effort typed, no contract, or parked get no rank: the sentence says what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from soloml.tracker import words as w
from soloml.tracker.event_log import Event, latest

READINESS = {"check_passed": 1.0, "none": 0.7, "check_failed": 0.4}
VERDICT_CONFIDENCE = {"DONE": 1.0, "KEEP_GOING": 0.6, "NOT_WORTH_IT": 0.2, None: 0.5}
VERDICT_PHRASE = {
    "DONE": "model already done",
    "KEEP_GOING": "model not there yet",
    "NOT_WORTH_IT": "model not better than today's way",
    None: "no model yet",
}


@dataclass(frozen=True)
class Priority:
    project: str
    at_stake: float | None  # per cycle, in the contract's currency
    upper_bound: bool  # True before a model exists: every action assumed to hit
    confidence: float | None
    effort_days: float | None
    score: float | None  # at stake per week × confidence ÷ effort; None when it cannot be ranked
    rank: int | None
    sentence: str

    def to_facts(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "at_stake": self.at_stake,
            "upper_bound": self.upper_bound,
            "confidence": self.confidence,
            "effort_days": self.effort_days,
            "score": self.score,
            "rank": self.rank,
            "sentence": self.sentence,
        }


def priority_of(project: str, events: Sequence[Event], *, effort_days: float | None, parked: bool = False) -> Priority:
    """One project's priority, before ranking (rank None; `rank_priorities` fills it)."""
    agreed = latest(events, "project_agreed")
    if parked:
        return Priority(project, None, False, None, effort_days, None, None, f"{project} is parked")
    if agreed is None:
        return Priority(
            project,
            None,
            False,
            None,
            effort_days,
            None,
            None,
            f"{project} has no contract yet, so no value to rank it by",
        )
    c = agreed.facts
    if (
        c.get("value_per_success") is None or c.get("capacity") is None
    ):  # e.g. a forecast: no ranked list, no money per action
        return Priority(
            project,
            None,
            False,
            None,
            effort_days,
            None,
            None,
            f"{project} has no value per success in its contract, so it is not ranked by money at stake",
        )
    model = latest(events, "model_trained")
    verdict = model.facts.get("verdict") if model else None
    stake, upper = at_stake(c, model.facts if model else None)
    check = latest(events, "check_passed", "check_failed")
    confidence = READINESS[check.kind if check else "none"] * VERDICT_CONFIDENCE.get(verdict, 0.5)
    money = (
        f"{'up to' if upper else 'about'} {w.money(stake, c.get('currency') or 'USD')} {w.per_cycle(c.get('cycle'))}"
    )
    words = f"{money} at stake" if stake >= 0 else f"each cycle costs more than it brings back ({money})"
    words += f", {VERDICT_PHRASE.get(verdict, 'no model yet')}"
    if effort_days is None:
        return Priority(
            project,
            stake,
            upper,
            confidence,
            None,
            None,
            None,
            f"{project}: {words}; type the days of work left in Effort to rank it",
        )
    weekly = stake * 7.0 / w.CYCLE_DAYS.get(str(c.get("cycle")), 7.0)
    score = weekly * confidence / effort_days
    return Priority(
        project, stake, upper, confidence, effort_days, score, None, f"{words}, {_days(effort_days)} of work left"
    )


def at_stake(contract: dict[str, Any] | Any, model: dict[str, Any] | Any | None) -> tuple[float, bool]:
    """Expected value per cycle (the model's own when it has one) and whether it is the every-action-hits bound."""
    if model and model.get("expected_value") is not None:
        return float(model["expected_value"]), False
    capacity, value = float(contract["capacity"]), float(contract["value_per_success"])
    return capacity * (
        float(contract.get("success_rate") or 1.0) * value - float(contract.get("cost_per_action") or 0.0)
    ), True


def rank_priorities(priorities: Sequence[Priority]) -> tuple[Priority, ...]:
    """Rank the scored ones, highest first; the sentence leads with the rank ('churn first: ...')."""
    scored = sorted((p for p in priorities if p.score is not None), key=lambda p: (-(p.score or 0.0), p.project))
    ranks = {p.project: n for n, p in enumerate(scored, start=1)}
    out = []
    for p in priorities:
        if p.project in ranks:
            n = ranks[p.project]
            p = replace(p, rank=n, sentence=f"{p.project} {w.ordinal(n)}: {p.sentence}")
        out.append(p)
    return tuple(out)


def _days(n: float) -> str:
    text = f"{n:,.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"
