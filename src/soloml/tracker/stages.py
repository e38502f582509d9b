"""Where a project stands, as pure functions of its events: its stage, its status colour and why, its next step.

    idea → agreed → data ready → trained → deployed → proving → proven        (parked: a person's call)

A stage is reached by its event (contract written → agreed, check passed → data ready, model trained →
trained, model promoted or a scoring run → deployed, an experiment's first exposure → proving, an
experiment decided "ship" → proven) and never goes back, except that an experiment decided without a
"ship" returns the project to the stage it had before proving. Only a person parks a project (typing
"parked" in the board's Stage cell).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from soloml.tracker import words as w
from soloml.tracker.event_log import Event, latest

Stage = Literal["idea", "agreed", "data ready", "trained", "deployed", "proving", "proven", "parked"]
STAGES: tuple[Stage, ...] = ("idea", "agreed", "data ready", "trained", "deployed", "proving", "proven", "parked")
Colour = Literal["green", "amber", "red", "grey"]
ADVANCES: dict[str, Stage] = {
    "project_agreed": "agreed",
    "check_passed": "data ready",
    "model_trained": "trained",
    "model_promoted": "deployed",
    "scoring_run": "deployed",
}
DUE_SOON_DAYS = 7
STALLED_DAYS = 28


def stage_of(events: Sequence[Event]) -> Stage:
    """The stage `events` (one project's) put it in; see the module docstring for the rules."""
    base: Stage = "idea"
    running: set[str] = set()
    proven = False
    for e in sorted(events, key=lambda e: e.at):
        target = ADVANCES.get(e.kind)
        if target is not None and STAGES.index(target) > STAGES.index(base):
            base = target
        elif e.kind == "experiment_started":
            running.add(e.subject)
        elif e.kind == "experiment_decided":
            running.discard(e.subject)
            proven = proven or bool(e.facts.get("shipped"))
    if proven:
        return "proven"
    return "proving" if running else base


@dataclass(frozen=True)
class Status:
    """A colour, the one-line reason, the fix when something needs doing first, and a decision someone must take."""

    colour: Colour
    reason: str
    fix: str | None = None
    decision: str | None = None

    def to_facts(self) -> dict[str, str | None]:
        return {"colour": self.colour, "reason": self.reason, "fix": self.fix, "decision": self.decision}


@dataclass(frozen=True)
class Situation:
    """What the status rules look at: one project's events, its stage, the board's due date, and today."""

    events: tuple[Event, ...]
    stage: Stage
    due: date | None
    today: date
    stakeholder: str = "the stakeholder"

    def latest(self, *kinds: str) -> Event | None:
        return latest(self.events, *kinds)

    def after(self, event: Event | None, *kinds: str) -> bool:
        """Whether an event of `kinds` came after `event` (or exists at all when `event` is None)."""
        later = self.latest(*kinds)
        return later is not None and (event is None or later.at > event.at)


Rule = Callable[[Situation], Status | None]


def _contract(s: Situation) -> Status | None:
    bad = s.latest("contract_invalid")
    if bad and not s.after(bad, "project_agreed"):
        return Status("red", f"The contract file does not read: {bad.facts.get('error')}", "Fix the contract file")
    if s.stage == "idea":
        return Status(
            "amber",
            "No agreed contract yet",
            f"Agree the question, the decision and the done line with {s.stakeholder}",
        )
    return None


def _scoring(s: Situation) -> Status | None:
    failed = s.latest("scoring_failed")
    if failed and not s.after(failed, "scoring_run"):
        return Status(
            "red", f"The last scoring run failed on {w.day(failed.at.date())}", "Fix the scoring run and score again"
        )
    return None


def _monitoring(s: Situation) -> Status | None:
    last = s.latest("monitoring_alert", "monitoring_clear")
    if last is None or last.kind != "monitoring_alert":
        return None
    alerts = list(last.facts.get("alerts") or ["an alert"])
    more = f" (and {w.plural(len(alerts) - 1, 'other alert')})" if len(alerts) > 1 else ""
    return Status(
        "red",
        f"Monitoring on {w.day(last.at.date())}: {alerts[0]}{more}",
        "Look into the monitoring alert before the next scoring run",
    )


def _experiment(s: Situation) -> Status | None:
    last = s.latest("experiment_decided", "experiment_unreadable", "experiment_started")
    if last is None or s.stage == "proven":
        return None
    if last.kind == "experiment_decided" and not last.facts.get("shipped"):
        return Status(
            "red",
            f"The experiment found no gain to ship: {last.facts.get('decision')}",
            f"Decide with {s.stakeholder}: try another experiment or park the project",
            f"{s.stakeholder} to decide: try another experiment or park the project",
        )
    if last.kind == "experiment_unreadable":
        return Status(
            "amber",
            f"The experiment cannot be read yet: {last.facts.get('error')}",
            "Fix the experiment's outcome data",
        )
    return None


def _verdict(s: Situation) -> Status | None:
    model = s.latest("model_trained")
    if model is None:
        return None
    verdict, f = model.facts.get("verdict"), model.facts
    baseline = w.BASELINE_WORDS.get(str(f.get("best_baseline")), "today's way")
    if verdict == "NOT_WORTH_IT" and s.stage == "trained":
        return Status(
            "red",
            f"The latest model is not better than {baseline}",
            f"Decide with {s.stakeholder}: park it or bring more data",
            f"{s.stakeholder} to decide: park it or bring more data",
        )
    if verdict == "KEEP_GOING" and s.stage == "trained":
        done = w.metric_value(f.get("done_metric"), f.get("done_value"))
        got = w.metric_value(f.get("done_metric"), f.get("done_metric_value"))
        return Status(
            "amber",
            f"The latest model beats {baseline} but not the done line yet ({got}, needs {done})",
            "Improve the model with more history or another data source",
        )
    return None


def _training(s: Situation) -> Status | None:
    failed = s.latest("training_failed")
    if failed and not s.after(failed, "model_trained"):
        return Status(
            "amber",
            f"The last training run failed on {w.day(failed.at.date())}",
            "Fix the training run and train again",
        )
    agreed, model = s.latest("project_agreed"), s.latest("model_trained")
    if (
        agreed
        and model
        and model.facts.get("spec_hash")
        and agreed.facts.get("spec_hash") != model.facts.get("spec_hash")
    ):
        return Status(
            "amber", "The contract changed after the latest model was trained", "Train again on the new contract"
        )
    return None


def _dates(s: Situation) -> Status | None:
    if s.stage in ("proven", "parked") or s.due is None:
        return None
    if s.due < s.today:
        return Status(
            "red",
            f"Due {w.day(s.due)}, {w.days_between(s.due, s.today)} ago, still at stage {s.stage}",
            f"Agree a new due date with {s.stakeholder}",
            f"{s.stakeholder} to agree a new due date",
        )
    if (s.due - s.today).days <= DUE_SOON_DAYS and STAGES.index(s.stage) < STAGES.index("deployed"):
        return Status("amber", f"Due {w.day(s.due)}, in {w.days_between(s.today, s.due)}, still at stage {s.stage}")
    return None


def _stalled(s: Situation) -> Status | None:
    if not s.events or s.stage in ("proven", "parked"):
        return None
    last = max(e.at for e in s.events).date()
    if (s.today - last).days > STALLED_DAYS:
        return Status("amber", f"Nothing has happened since {w.day(last)}")
    return None


RULES: tuple[Rule, ...] = (_contract, _scoring, _monitoring, _experiment, _verdict, _training, _dates, _stalled)


def findings(s: Situation) -> tuple[Status, ...]:
    """Everything the rules find wrong, red before amber, each colour in rule order (empty when all is well)."""
    if s.stage == "parked":
        return ()
    found = [status for rule in RULES if (status := rule(s)) is not None]
    return tuple(f for colour in ("red", "amber") for f in found if f.colour == colour)


def status_of(s: Situation) -> Status:
    """The worst finding (the first rule of the worst colour), else green with what is going well."""
    if s.stage == "parked":
        return Status("grey", "Parked by a person")
    found = findings(s)
    if found:
        return found[0]
    decision = f"{s.stakeholder} to agree putting the model live" if s.stage == "trained" else None
    return Status("green", _good_news(s), None, decision)


def _good_news(s: Situation) -> str:
    model, run = s.latest("model_trained"), s.latest("scoring_run")
    if s.stage == "proven":
        decided = s.latest("experiment_decided")
        return f"Proven by experiment {decided.subject}" if decided else "Proven"
    if s.stage == "proving":
        started = s.latest("experiment_started")
        return (
            f"Experiment {started.subject} running since {w.day(started.at.date())}"
            if started
            else "Experiment running"
        )
    if s.stage == "deployed":
        version = s.latest("model_promoted") or model
        live = f"Model {version.subject} is live" if version else "The model is live"
        return live + (f"; last scored {w.day(run.at.date())}" if run else "")
    if s.stage == "trained" and model:
        return f"Model {model.subject} is done and ready to put live"
    agreed = s.latest("project_agreed")
    return f"Contract agreed on {w.day(agreed.at.date())}" if agreed else "On track"


STAGE_STEPS: dict[str, str] = {
    "idea": "Agree the question, the decision and the done line with {stakeholder}",
    "agreed": "Train a first model against today's rule",
    "data ready": "Train a first model against today's rule",
    "trained": "Put the model live and score on a schedule",
    "deployed": "Start an experiment to prove the impact",
    "proving": "Let the experiment run{until}, then decide",
    "proven": "Keep monitoring and tell {stakeholder} the result",
    "parked": "",
}


def next_step(s: Situation, status: Status) -> str:
    """The fix when the status names one, else the stage's usual next step."""
    if status.fix:
        return status.fix
    planned = s.latest("experiment_planned")
    end = planned.facts.get("end") if planned else None
    return STAGE_STEPS[s.stage].format(stakeholder=s.stakeholder, until=f" until {end}" if end else "")


def last_event_day(events: Sequence[Event]) -> date | None:
    return max(e.at for e in events).date() if events else None
