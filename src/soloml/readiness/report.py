"""The result of `soloml check`: the findings, the verdict they add up to, a summary a CEO can read, and the
profiles of the tables looked at. `to_facts()` is what `--json` prints and what the report and the dashboard read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from soloml.readiness.findings import (
    EXIT_CODES,
    OUTCOME_WORDS,
    SEVERITIES,
    Finding,
    Outcome,
    outcome,
)
from soloml.readiness.profile import TableProfile

KEY_CHECKS = ("history", "labels", "learning_curve", "sample_size", "power", "seasons", "today_rule")


@dataclass(frozen=True)
class ReadinessReport:
    """`project` is None for a check of the whole workspace."""

    project: str | None
    checked_at: datetime
    findings: tuple[Finding, ...]
    profiles: tuple[TableProfile, ...] = ()

    @property
    def outcome(self) -> Outcome:
        return outcome(self.findings)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.outcome]

    def of(self, *severities: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity in severities)

    def counts(self) -> dict[str, int]:
        return {s: len(self.of(s)) for s in SEVERITIES}

    def summary(self) -> tuple[str, ...]:
        """Plain words a CEO reads, verdict first: what must be fixed, what is still short (and when it will be there), what is
        good, in figures. The fixes themselves (file, column, command) are in each finding, for the data person."""
        what = f"the {self.project} project" if self.project else "the workspace"
        lines = [self._headline(what)]
        for f in self.of("fix"):
            lines.append(f"To fix: {f.words}")
        for f in self.of("wait"):
            lines.append(f"Not enough yet: {f.words}")
        good = [f for f in self.of("ok") if f.check in KEY_CHECKS] or list(self.of("ok"))[:3]
        lines += [f.words for f in good]
        notes = len(self.of("note"))
        if notes:
            lines.append(
                f"{notes} more thing{'s are' if notes != 1 else ' is'} worth knowing; none of {'them' if notes != 1 else 'it'} stops you."
            )
        return tuple(lines)

    def short(self) -> str:
        """One fragment for the board and the weekly update (no closing period)."""
        if self.outcome == "ready":
            return f"ready: {len(self.of('ok'))} checks passed"
        parts = []
        for severity, label in (("fix", "to fix first"), ("wait", "not enough yet")):
            found = self.of(severity)
            if found:
                parts.append(
                    f"{len(found)} {label} ({', '.join(dict.fromkeys(f.check.replace('_', ' ') for f in found))})"
                )
        return "; ".join(parts)

    def to_facts(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "outcome": self.outcome,
            "outcome_words": OUTCOME_WORDS[self.outcome],
            "exit_code": self.exit_code,
            "summary": list(self.summary()),
            "short": self.short(),
            "counts": self.counts(),
            "findings": [f.to_facts() for f in self.findings],
            "profiles": [p.to_facts() for p in self.profiles],
        }

    def _headline(self, what: str) -> str:
        if self.outcome == "ready":
            return (
                f"Ready: the data for {what} is ready to train on."
                if self.project
                else "Ready: nothing in the workspace needs fixing first."
            )
        if self.outcome == "fix_first":
            n = len(self.of("fix"))
            return f"Fix first: {n} problem{'s' if n != 1 else ''} in {what} must be fixed before training."
        n = len(self.of("wait"))
        return f"Not enough yet: {what} falls short in {n} way{'s' if n != 1 else ''}; each says how much more is needed and when."
