"""The report's sections that come from what happened: data loaded and checked, scoring runs, experiments, monitoring.

All but the experiment read the event log (`soloml.tracker.gather_events`, the one reader of ops.* for
the people layer); the experiment is analysed by soloml.experiments and told by its own plain paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from statistics import median
from typing import Any

from soloml.errors import SolomlError
from soloml.projects.spec import ProjectSpec
from soloml.reports.sections import plural_of
from soloml.tracker import words as w
from soloml.tracker.event_log import Event, EventLog, latest
from soloml.workspace import Workspace

MAX_FILES = 8
READINESS_WORDS = {
    "ready": "ready to train on",
    "fix_first": "problems to fix first; the data check lists each one and how to fix it",
    "not_enough_yet": "not enough data yet; the data check says how much more is needed and roughly when",
}


def data_section(
    log: EventLog,
    events: Sequence[Event],
    meta: Mapping[str, Any],
    spec: ProjectSpec,
    forecast: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The files the model learnt from (its load ids, else every file loaded) and the latest readiness check."""
    used = set(meta.get("load_ids") or [])
    loads = [e for e in log.events if e.kind == "data_loaded" and (not used or e.facts.get("load_id") in used)]
    latest_per_file: dict[str, Event] = {}
    for e in loads:
        latest_per_file[e.subject] = e
    files = [
        {
            "file": e.subject,
            "rows": e.facts.get("rows"),
            "loaded_on": e.at.date(),
            "set_aside": e.facts.get("quarantined") or 0,
        }
        for e in latest_per_file.values()
    ]
    lines = []
    if files:
        what = "The model learnt from" if used else "The warehouse holds"
        lines.append(f"{what} {w.plural(len(files), 'file')}, loaded into one warehouse:")
        for f in files[:MAX_FILES]:
            aside = f", {w.plural(int(f['set_aside']), 'row')} set aside as unreadable" if f["set_aside"] else ""
            lines.append(
                f"{f['file']}: {w.plural(int(f['rows'] or 0), 'row')}, loaded on {w.day(f['loaded_on'])}{aside}."
            )
        if len(files) > MAX_FILES:
            lines.append(f"... and {w.plural(len(files) - MAX_FILES, 'more file')}.")
    else:
        lines.append("No load is recorded in the workspace yet.")
    t = meta.get("training") or {}
    if t.get("rows"):
        snapshots = f" from {w.plural(int(t['snapshots']), 'snapshot')}" if t.get("snapshots") else ""
        lines.append(
            f"The training set: {w.plural(int(t['rows']), 'example')}{snapshots}, {w.plural(int(t.get('features') or 0), 'fact')} about each."
        )
    if forecast is not None:
        lines += list(forecast.get("data_lines") or [])
    check = latest(events, "check_passed", "check_failed")
    if check is None:
        lines.append("Readiness: the data has not been checked yet.")
        readiness = None
    else:
        ok = check.kind == "check_passed"
        summary = str(check.facts.get("summary") or "").strip()
        said = READINESS_WORDS.get(str(check.facts.get("outcome")), "the check did not finish")
        lines.append(f"Readiness, checked on {w.day(check.at.date())}: {said}.")
        readiness = {
            "checked_on": check.at.date(),
            "ready": ok,
            "outcome": check.facts.get("outcome"),
            "summary": summary,
        }
    return {"files": files, "from_model": bool(used), "readiness": readiness, "lines": lines}


def deployment_section(
    spec: ProjectSpec,
    events: Sequence[Event],
    version: str | None,
    aliases: Mapping[str, str],
    meta: Mapping[str, Any],
    forecast: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """Which model is live, since when, how often it scores and the last scoring run."""
    who = plural_of(spec)
    if forecast is not None:
        return {"live": None, "lines": list(forecast.get("deployment_lines") or [])}
    live = aliases.get("production")
    promoted = None
    lines = []
    if live is None:
        lines.append(
            "Not deployed yet: no model is live."
            + (f" The latest, {version}, waits for a go-ahead." if version else "")
        )
    else:
        promoted = latest([e for e in events if e.subject == live], "model_promoted")
        lines.append(f"Live model: {live}" + (f", put live on {w.day(promoted.at.date())}." if promoted else "."))
    runs = [e for e in events if e.kind == "scoring_run"]
    failed = latest(events, "scoring_failed")
    last = runs[-1] if runs else None
    if last is None:
        lines.append("Not scored yet: no list of predictions has been made.")
    else:
        rows = int(last.facts.get("rows") or 0)
        lines.append(
            f"Scored {w.plural(len(runs), 'time')} so far; the latest run, on {w.day(last.at.date())}, scored "
            f"{rows:,} {who if rows != 1 else who.rstrip('s')}."
        )
        if len(runs) > 1:
            gap = median((b.at - a.at).total_seconds() / 86400 for a, b in zip(runs, runs[1:], strict=False))
            lines.append(f"It has run about every {_days(gap)}.")
    cycle = w.per_cycle(spec.business.cycle)
    lines.append(
        f"Meant to run once {cycle}, to pick {w.plural(spec.business.capacity, who.rstrip('s'), who)} {cycle}."
    )
    if failed is not None and (last is None or failed.at > last.at):
        lines.append(f"The last scoring run failed on {w.day(failed.at.date())}: the previous list stays in force.")
    return {
        "live": live,
        "latest": version,
        "promoted_on": None if live is None or promoted is None else promoted.at.date(),
        "scoring_runs": len(runs),
        "last_scored_on": None if last is None else last.at.date(),
        "last_rows": None if last is None else last.facts.get("rows"),
        "cycle": spec.business.cycle,
        "lines": lines,
    }


def experiment_section(ws: Workspace, spec: ProjectSpec, con: Any, today: date) -> dict[str, Any]:
    """The project's experiments: the latest one told in its plain paragraph, or what is missing."""
    from soloml.experiments.spec import load_experiment

    found = []
    for path in sorted(ws.experiments_dir.glob("*.yaml")):
        try:
            exp = load_experiment(path)
        except SolomlError:
            continue
        if exp.project == spec.name:
            found.append(exp)
    if not found:
        return {
            "experiments": [],
            "lines": ["No experiment yet: nothing has proven the model's impact with a fair test."],
        }
    lines, out = [], []
    for exp in found:
        item, line = _one_experiment(ws, exp, con, today)
        out.append(item)
        lines.append(line)
    return {"experiments": out, "lines": lines}


def _one_experiment(ws: Workspace, exp: Any, con: Any, today: date) -> tuple[dict[str, Any], str]:
    from soloml.experiments.paragraph import plain_paragraph
    from soloml.experiments.result_cache import cached_analysis

    own = con is None
    if own and not _warehouse_exists(ws):
        return {"name": exp.name, "state": "planned"}, f"Experiment {exp.name} is planned but has not started."
    connection = ws.connect(read_only=True) if own else con
    try:
        result = cached_analysis(connection, exp, root=ws.root, warehouse=ws.warehouse_url, today=today)
    except SolomlError as exc:
        message = exc.message.split(". ")[0].rstrip(".")
        return {
            "name": exp.name,
            "state": "not readable",
            "reason": exc.message,
        }, f"Experiment {exp.name} cannot be read yet: {message}."
    finally:
        if own:
            connection.close()
    facts = result.to_facts()
    if not facts.get("units"):
        return {
            "name": exp.name,
            "state": "planned",
        }, f"Experiment {exp.name} is planned but nobody has been part of it yet."
    state = "decided" if result.final else "running"
    paragraph = plain_paragraph(facts)
    if not result.final:
        paragraph = f"Still running, an early look: {paragraph}"
    return {
        "name": exp.name,
        "state": state,
        "chance_to_beat": facts.get("chance_to_beat_control"),
        "decision": facts.get("decision_words"),
        "units": facts.get("units"),
        "paragraph": paragraph,
    }, paragraph


def monitoring_section(events: Sequence[Event], meta: Mapping[str, Any]) -> dict[str, Any]:
    """The latest monitoring run; its alerts with each input named by its description, not its column name."""
    last = latest(events, "monitoring_alert", "monitoring_clear")
    if last is None:
        return {
            "checked_on": None,
            "alerts": [],
            "lines": ["Not monitored yet: nobody has checked the model against new data."],
        }
    names = {
        str(f.get("name")): str(f.get("description"))
        for f in meta.get("importance") or []
        if f.get("name") and f.get("description")
    }
    alerts = [plain_names(str(a), names) for a in last.facts.get("alerts") or []]
    checks = int(last.facts.get("checks") or 0)
    head = f"Last checked on {w.day(last.at.date())} ({w.plural(checks, 'check')}): "
    lines = [head + ("all clear." if not alerts else f"{w.plural(len(alerts), 'alert')}.")]
    lines += [f"Alert: {a[:1].upper()}{a[1:]}." for a in alerts[:5]]
    return {"checked_on": last.at.date(), "checks": checks, "alerts": alerts, "lines": lines}


def plain_names(text: str, descriptions: Mapping[str, str]) -> str:
    """'the input 'days_since_order' ...' -> 'the input 'days since the last order' ...'; a table 'raw.stripe_payments' -> 'stripe payments'."""
    for name, words in descriptions.items():
        text = text.replace(f"'{name}'", f"'{words}'")
    text = re.sub(r"\b(?:raw|core|ops|features)\.([a-z0-9_]+)", lambda m: m.group(1).replace("_", " "), text)
    return re.sub(
        r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.(?:csv|tsv|txt|xlsx|xls|json|parquet|md)\b)",
        lambda m: m.group(0).replace("_", " "),
        text,
    )


def _warehouse_exists(ws: Workspace) -> bool:
    from pathlib import Path

    return Path(ws.warehouse_url).is_file()


def _days(n: float) -> str:
    rounded = max(1, round(n))
    return "1 day" if rounded == 1 else f"{rounded:,} days"
