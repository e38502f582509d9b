"""One readiness finding, and the verdict a list of them adds up to: ready, fix first, or not enough yet.

A finding says what was found in plain words with its figures; a problem carries its concrete fix
(the file, the column, the command), a shortfall the amount still needed and, at today's pace,
roughly when it will be there.

    >>> f = Finding("labels", "wait", "churn", "Only 4 customers cancelled.", needed=Needed(6, "positive examples", 4))
    >>> outcome((f,))
    'not_enough_yet'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

Severity = Literal["ok", "note", "fix", "wait"]
Outcome = Literal["ready", "fix_first", "not_enough_yet"]
SEVERITIES: tuple[Severity, ...] = ("fix", "wait", "note", "ok")
EXIT_CODES: dict[Outcome, int] = {"ready": 0, "fix_first": 1, "not_enough_yet": 2}
OUTCOME_WORDS: dict[Outcome, str] = {"ready": "ready", "fix_first": "fix first", "not_enough_yet": "not enough yet"}
DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Fix:
    """What to do about a finding: in words, and where (the file, the column) and how (the command)."""

    words: str
    command: str | None = None
    file: str | None = None
    column: str | None = None

    def to_facts(self) -> dict[str, Any]:
        return {"words": self.words, "command": self.command, "file": self.file, "column": self.column}


@dataclass(frozen=True)
class Needed:
    """How much more of something is needed (`amount` more `unit`, having `have`), and at today's pace when."""

    amount: float
    unit: str
    have: float
    per_month: float | None = None  # today's pace; None when the data gives no pace
    today: date | None = None  # the day the pace is counted from

    @property
    def months(self) -> float | None:
        if not self.per_month or self.per_month <= 0:
            return None
        return self.amount / self.per_month

    @property
    def by(self) -> date | None:
        months = self.months
        if months is None or self.today is None:
            return None
        return self.today + timedelta(days=round(months * DAYS_PER_MONTH))

    def words(self) -> str:
        """'about 1,800 more customer snapshots (about 5 months at today's pace, around 2027-05-01)'."""
        text = f"about {_about(self.amount)} more {self.unit}"
        months = self.months
        if months is None:
            return text + " (today's pace is unknown, so no date can be given)"
        when = f", around {self.by.isoformat()}" if self.by else ""
        return text + f" ({_duration(months)} at today's pace{when})"

    def to_facts(self) -> dict[str, Any]:
        return {
            "amount": _plain(self.amount),
            "unit": self.unit,
            "have": _plain(self.have),
            "per_month": self.per_month,
            "months": None if self.months is None else round(self.months, 2),
            "by": self.by.isoformat() if self.by else None,
            "words": self.words(),
        }


@dataclass(frozen=True)
class Finding:
    """`check` names the family, `subject` what it is about (a table, 'table.column', a source, the project)."""

    check: str
    severity: Severity
    subject: str
    words: str
    fix: Fix | None = None
    needed: Needed | None = None
    figures: Mapping[str, Any] = field(default_factory=dict)

    def to_facts(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "subject": self.subject,
            "words": self.words,
            "fix": self.fix.to_facts() if self.fix else None,
            "needed": self.needed.to_facts() if self.needed else None,
            "figures": {k: _plain(v) for k, v in self.figures.items()},
        }


def outcome(findings: Iterable[Finding]) -> Outcome:
    """Fix first when anything must be fixed; else not enough yet when anything falls short; else ready."""
    severities = {f.severity for f in findings}
    if "fix" in severities:
        return "fix_first"
    if "wait" in severities:
        return "not_enough_yet"
    return "ready"


def ordered(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Problems first (fix, wait), then notes, then what passed; stable within a severity."""
    return tuple(sorted(findings, key=lambda f: SEVERITIES.index(f.severity)))


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 row', '2 rows', '1,034 customers'."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def _about(amount: float) -> str:
    """Round a count the way a person says it: 1,834 -> '1,800', 47 -> '47'."""
    n = max(1, round(amount))
    if n >= 1000:
        n = int(round(n, -(len(str(n)) - 2)))
    return f"{n:,}"


def _duration(months: float) -> str:
    if months < 1:
        weeks = max(1, round(months * DAYS_PER_MONTH / 7))
        return f"about {weeks} week{'s' if weeks != 1 else ''}"
    if months >= 24:
        return f"about {months / 12:.0f} years"
    n = round(months)
    return f"about {n} month{'s' if n != 1 else ''}"


def _plain(value: Any) -> Any:
    """JSON-ready: numpy scalars as Python numbers, dates as ISO text, NaN as None."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
