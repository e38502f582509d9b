"""Tables loaded but never routed into core: a file soloml did not recognise lands in raw.* and stops there."""

from __future__ import annotations

from collections.abc import Collection

from soloml.readiness.findings import Finding, Fix, plural
from soloml.readiness.sources import RawSource


def check_routing(sources: dict[str, RawSource], *, used: Collection[str] = ()) -> tuple[Finding, ...]:
    """A note for every raw table none of whose loads reached core.*, unless a project reads it directly (`used`)."""
    stranded = [s for s in sources.values() if not s.routed and s.table not in used]
    out = tuple(
        Finding(
            "routing",
            "note",
            s.table,
            f"{s.table} (from {s.file_name}) was loaded but none of it reached the business tables: soloml did not recognise the file.",
            Fix(
                f"Map {s.file_name}'s columns onto the canonical tables, then load it again (or point a table project at {s.table}).",
                command=f"soloml map {s.file}",
                file=s.file_name,
            ),
            figures={"rows_in": s.rows_in},
        )
        for s in stranded
    )
    if out or not sources:
        return out
    return (
        Finding(
            "routing",
            "ok",
            "sources",
            f"Every loaded table ({plural(len(sources), 'table')}) reaches the business tables or a project reads it.",
            figures={"tables": len(sources)},
        ),
    )
