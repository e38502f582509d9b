"""What happened, one plain line per event (or per group of alike events), in the business's units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from soloml.tracker import words as w
from soloml.tracker.cells import latest_result
from soloml.tracker.event_log import Event, EventLog

ENTITY_WORDS = {
    "customer": ("customer", "customers"),
    "contact": ("contact", "contacts"),
    "row": ("row", "rows"),
    "series": ("series", "series"),
}


def happened(window: EventLog, everything: EventLog) -> tuple[str, ...]:
    """The week's events as lines: loads grouped, scoring and clean monitoring runs grouped per project."""
    lines = _loads([e for e in window.events if e.kind in ("data_loaded", "load_failed")])
    grouped: dict[tuple[str | None, str], list[Event]] = defaultdict(list)
    for e in window.events:
        if e.kind in ("scoring_run", "monitoring_clear"):
            grouped[(e.project, e.kind)].append(e)
    done: set[tuple[str | None, str]] = set()
    for e in window.events:
        key = (e.project, e.kind)
        if e.kind in ("data_loaded", "load_failed") or key in done:
            continue
        if key in grouped:
            done.add(key)
            lines.append(_group_line(e.project, e.kind, grouped[key], everything))
            continue
        line = LINES.get(e.kind, lambda e, log: None)(e, everything)
        if line:
            lines.append(f"{e.project}: {line}" if e.project else line[0].upper() + line[1:])
    return tuple(lines)


def _loads(events: Sequence[Event]) -> list[str]:
    ok = [e for e in events if e.kind == "data_loaded"]
    lines = []
    if ok:
        rows = sum(int(e.facts.get("rows") or 0) for e in ok)
        names = sorted({e.subject for e in ok})
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3:,} more" if len(names) > 3 else "")
        bad = sum(int(e.facts.get("quarantined") or 0) for e in ok)
        aside = f"; {w.plural(bad, 'row')} set aside as unreadable" if bad else ""
        lines.append(
            f"Loaded {w.plural(len(ok), 'file')} ({w.plural(rows, 'row')}) into the warehouse: {shown}{aside}."
        )
    for e in events:
        if e.kind == "load_failed":
            lines.append(f"Loading {e.subject} failed on {w.day(e.at.date())}: {_first_sentence(e.facts.get('error'))}")
    return lines


def _first_sentence(text: object) -> str:
    words = str(text or "no reason recorded").split(". ")[0].rstrip(".")
    return words + "."


def entity_words(project: str | None, log: EventLog) -> tuple[str, str]:
    agreed = log.latest(project, "project_agreed")
    return ENTITY_WORDS.get(str(agreed.facts.get("entity")) if agreed else "", ("row", "rows"))


def _group_line(project: str | None, kind: str, events: Sequence[Event], log: EventLog) -> str:
    if kind == "scoring_run":
        one, many = entity_words(project, log)
        rows = sum(int(e.facts.get("rows") or 0) for e in events)
        return f"{project}: scored {rows:,} {one if rows == 1 else many} in {w.plural(len(events), 'run')} (latest {w.day(events[-1].at.date())})."
    checks = sum(int(e.facts.get("checks") or 0) for e in events)
    times = "once" if len(events) == 1 else f"{len(events):,} times"
    return f"{project}: monitoring ran {times} ({w.plural(checks, 'check')}) with no alert."


def _trained(e: Event, log: EventLog) -> str:
    return f"trained a new model. {latest_result([e])}."


def _alert(e: Event, log: EventLog) -> str:
    alerts = list(e.facts.get("alerts") or [])
    return f"monitoring raised {w.plural(len(alerts), 'alert')} on {w.day(e.at.date())}: " + "; ".join(alerts[:3]) + "."


def _started(e: Event, log: EventLog) -> str:
    one, many = entity_words(e.project, log)
    variants = dict(e.facts.get("variants") or {})
    split = ", ".join(f"{k} {v:,}" for k, v in variants.items())
    units = int(e.facts.get("units") or 0)
    return f"experiment {e.subject} started with {units:,} {one if units == 1 else many} ({split})."


def _decided(e: Event, log: EventLog) -> str:
    # the experiment's own words ("roll out the retention offer"), not its code ("ship offer"); older logs lack them
    words = e.facts.get("decision_words") or str(e.facts.get("decision") or "").replace("ship ", "roll out ", 1)
    return f"experiment {e.subject} is decided: {e.facts.get('headline')} Decision: {words}."


LINES: dict[str, Callable[[Event, EventLog], str | None]] = {
    "project_agreed": lambda e, log: f"the contract was written or changed: {e.facts.get('question')}",
    "contract_invalid": lambda e, log: f"the contract file stopped reading: {e.facts.get('error')}",
    "check_passed": lambda e, log: "the data check passed: the data is ready.",
    "check_failed": lambda e, log: f"the data check found problems: {e.facts.get('summary') or 'see the check'}.",
    "model_trained": _trained,
    "training_failed": lambda e, log: f"a training run failed: {_first_sentence(e.facts.get('error'))}",
    "model_promoted": lambda e, log: (
        f"model {e.subject} went live"
        + (f" (it replaced {e.facts['previous_version']})." if e.facts.get("previous_version") else ".")
    ),
    "model_rolled_back": lambda e, log: (
        f"went back to model {e.subject} (it replaced {e.facts.get('previous_version')})."
    ),
    "scoring_failed": lambda e, log: (
        f"a scoring run failed on {w.day(e.at.date())}: {_first_sentence(e.facts.get('error'))}"
    ),
    "experiment_planned": lambda e, log: (
        f"experiment {e.subject} was planned" + (f": {e.facts['description']}." if e.facts.get("description") else ".")
    ),
    "experiment_started": _started,
    "experiment_decided": _decided,
    "experiment_unreadable": lambda e, log: (
        f"experiment {e.subject} cannot be read: {_first_sentence(e.facts.get('error'))}"
    ),
    "monitoring_alert": _alert,
}
