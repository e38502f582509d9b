"""Scheduling `soloml score`: a crontab line, or a systemd service + timer pair, from one cron expression.

    >>> s = schedule("churn", "0 6 * * 1", workspace="/srv/acme", executable="/usr/local/bin/soloml")
    >>> s.on_calendar
    ('Mon *-*-* 06:00:00',)

Cron fires when the day of month OR the weekday matches (if both are restricted); systemd requires both,
so that case becomes two OnCalendar= lines, which systemd ORs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from soloml.errors import DeployError
from soloml.facts import JSON, field_facts

_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}


@dataclass(frozen=True)
class Schedule:
    """What to install to run `soloml score PROJECT` on a schedule."""

    project: str
    cron: str
    command: str
    crontab: str
    on_calendar: tuple[str, ...]
    service_name: str
    service_unit: str
    timer_unit: str

    def to_facts(self) -> dict[str, JSON]:
        """The scheduled scoring run (`soloml score --schedule --json`)."""
        return field_facts(self)


def parse_cron(expression: str) -> list[list[int] | None]:
    """Five cron fields -> the sorted values each allows (None = every value, '*')."""
    text = _MACROS.get(expression.strip().lower(), expression.strip())
    parts = text.split()
    if len(parts) != 5:
        raise DeployError(
            f"'{expression}' is not a cron schedule: it has {len(parts)} field(s), cron needs 5 (minute hour day-of-month month day-of-week).",
            hint='Example: --cron "0 6 * * 1" runs every Monday at 06:00.',
        )
    return [_parse_field(part, *spec, expression=expression) for part, spec in zip(parts, _FIELDS, strict=False)]


def _parse_field(text: str, label: str, low: int, high: int, *, expression: str) -> list[int] | None:
    names = _MONTHS if label == "month" else _DAYS if label == "day of week" else {}
    if text == "*":
        return None
    values: set[int] = set()
    for item in text.split(","):
        match = re.fullmatch(r"(\*|[0-9a-zA-Z]+)(?:-([0-9a-zA-Z]+))?(?:/([0-9]+))?", item)
        if not match:
            raise _bad(expression, label, item, low, high)
        start_text, end_text, step_text = match.groups()
        step = int(step_text) if step_text else 1
        if step < 1:
            raise _bad(expression, label, item, low, high)
        if start_text == "*":
            start, end = low, high
        else:
            start = _value(start_text, names, expression, label, low, high)
            end = _value(end_text, names, expression, label, low, high) if end_text else (high if step_text else start)
        if end < start:
            raise _bad(expression, label, item, low, high)
        values.update(range(start, end + 1, step))
    if label == "day of week" and 7 in values:  # 7 is Sunday too
        values.discard(7)
        values.add(0)
    return sorted(values)


def _value(text: str, names: dict[str, int], expression: str, label: str, low: int, high: int) -> int:
    if text.isdigit():
        value = int(text)
    elif text.lower()[:3] in names and len(text) == 3:
        value = names[text.lower()]
    else:
        raise _bad(expression, label, text, low, high)
    if not low <= value <= high:
        raise _bad(expression, label, text, low, high)
    return value


def _bad(expression: str, label: str, item: str, low: int, high: int) -> DeployError:
    return DeployError(
        f"Cron schedule '{expression}': the {label} field has '{item}', which is not a value from {low} to {high}, a range a-b, a list a,b or a step */n.",
        hint='Example: --cron "0 6 * * 1" runs every Monday at 06:00; "30 5 1 * *" the 1st of each month at 05:30.',
    )


def on_calendar(expression: str) -> tuple[str, ...]:
    """systemd OnCalendar= value(s) equivalent to a cron expression."""
    minute, hour, dom, month, dow = parse_cron(expression)

    def join(values: list[int] | None, width: int = 2) -> str:
        return "*" if values is None else ",".join(f"{v:0{width}d}" for v in values)

    time = f"{join(hour)}:{join(minute)}:00"
    date = lambda day: f"*-{join(month)}-{join(day)}"  # noqa: E731
    weekdays = None if dow is None else ",".join(_SYSTEMD_DAYS[d] for d in dow)
    if dom is not None and dow is not None:
        return (f"*-{join(month)}-{join(dom)} {time}", f"{weekdays} *-{join(month)}-* {time}")
    prefix = f"{weekdays} " if weekdays else ""
    return (f"{prefix}{date(dom)} {time}",)


def schedule(
    project: str,
    cron: str,
    *,
    workspace: Path | str,
    executable: str = "soloml",
    extra_args: tuple[str, ...] = (),
    verb: str = "score",
) -> Schedule:
    """The crontab line and the systemd units that run `soloml COMMAND PROJECT` (score, or forecast) on `cron`."""
    calendars = on_calendar(cron)
    workspace = str(Path(workspace).resolve())
    what = {
        "score": "score project {p} and write its predictions",
        "forecast": "forecast project {p} and write its forecasts",
    }[verb]
    args = [executable, verb, project, "--workspace", workspace, *extra_args]
    command = " ".join(shlex.quote(a) for a in args)
    crontab_expr = " ".join(_MACROS.get(cron.strip().lower(), cron.strip()).split())
    log = shlex.quote(str(Path(workspace) / "reports" / f"{verb}-{project}.log"))
    crontab = f"{crontab_expr} cd {shlex.quote(workspace)} && {command} >> {log} 2>&1"
    name = f"soloml-{verb}-{project}"
    service = (
        "[Unit]\n"
        f"Description=soloml: {what.format(p=project)}\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={workspace}\n"
        f"ExecStart={command}\n"
    )
    timer = (
        "[Unit]\n"
        f"Description=soloml: run {name}.service on '{cron}'\n\n"
        "[Timer]\n" + "".join(f"OnCalendar={c}\n" for c in calendars) + "Persistent=true\n"
        f"Unit={name}.service\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return Schedule(
        project=project,
        cron=cron,
        command=command,
        crontab=crontab,
        on_calendar=calendars,
        service_name=name,
        service_unit=service,
        timer_unit=timer,
    )
