"""What loading did: one LoadResult per file, sheet or table, and the LoadSummary of a whole run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from soloml.errors import SolomlError
from soloml.facts import field_facts
from soloml.sources.contracts import Detection

LoadStatus = Literal["loaded", "unchanged", "failed", "not_attempted"]


@dataclass(frozen=True)
class LoadResult:
    """What one load did. `rows_in` = rows_loaded + rows_quarantined + rows_skipped for a successful load.

    A `failed` load changed nothing (its `message` says why); `not_attempted` was never started because
    another sheet of the same workbook failed first, or the warehouse stopped accepting writes."""

    load_id: str
    source: str
    sha256: str | None
    raw_table: str | None
    format: str
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    status: LoadStatus
    detection: Detection | None = None
    core_rows: dict[str, int] = field(default_factory=dict)
    message: str = ""
    rows_skipped: int = 0  # identical to rows already in the table
    rows_replaced: int = 0  # earlier rows replaced by a changed row with the same key
    notes: tuple[str, ...] = ()


def failed_result(
    load_id: str, source: str, fmt: str | None, facts: dict[str, Any], message: str, status: LoadStatus = "failed"
) -> LoadResult:
    return LoadResult(
        load_id=load_id,
        source=source,
        sha256=facts.get("sha256"),
        raw_table=facts.get("target"),
        format=fmt or "",
        rows_in=int(facts.get("rows_in") or 0),
        rows_loaded=0,
        rows_quarantined=int(facts.get("rows_quarantined") or 0),
        status=status,
        message=message,
    )


def shown(source: str) -> str:
    """A source as a person names it: the file name (with its sheet), or the redacted URL#table."""
    return source if "://" in source else Path(source).name


@dataclass(frozen=True)
class LoadSummary:
    """Every outcome of one run of loads, in the order asked, and what was cleaned up before it began."""

    results: tuple[LoadResult, ...]
    cleaned: tuple[str, ...] = ()
    files: int = 0  # files and tables asked for (a workbook counts once)
    errors: tuple[SolomlError, ...] = field(default=(), repr=False, compare=False)  # one per failed file, in order

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def failed(self) -> tuple[LoadResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")

    def to_facts(self) -> dict[str, Any]:
        return {
            "loads": [field_facts(r) for r in self.results],
            "failed": [{"source": r.source, "error": r.message} for r in self.failed],
            "cleaned": list(self.cleaned),
        }
