"""Rows set aside at load: per source, how many rows of its latest load went to ops.quarantine, and why."""

from __future__ import annotations

from soloml.readiness.findings import Finding, Fix, plural
from soloml.readiness.sources import RawSource
from soloml.warehouse.base import Connection


def check_quarantine(con: Connection, sources: dict[str, RawSource]) -> tuple[Finding, ...]:
    out = []
    for s in sources.values():
        if not s.rows_quarantined:
            continue
        first = con.execute(
            "SELECT row_number, reason FROM ops.quarantine WHERE load_id = ? ORDER BY row_number LIMIT 1", [s.load_id]
        ).fetchone()
        share = s.rows_quarantined / s.rows_in if s.rows_in else None
        of = f" ({share:.1%} of its {s.rows_in:,} rows)" if share is not None else ""
        reason = f" The first: {first[1]}" if first else ""
        words = f"{plural(s.rows_quarantined, 'row')} of {s.file_name}{of} {'was' if s.rows_quarantined == 1 else 'were'} set aside at load, so they are not in the warehouse.{reason}"
        fix = Fix(
            f"Fix those rows in {s.file_name} and load it again; every row and its reason is in ops.quarantine (load {s.load_id}).",
            command=f"soloml load {s.file}",
            file=s.file_name,
        )
        out.append(
            Finding(
                "quarantine",
                "note",
                s.table,
                words,
                fix,
                figures={"rows_quarantined": s.rows_quarantined, "rows_in": s.rows_in, "load_id": s.load_id},
            )
        )
    if out or not sources:
        return tuple(out)
    return (
        Finding(
            "quarantine",
            "ok",
            "loads",
            f"No row of the latest load of any source ({plural(len(sources), 'source')}) was set aside.",
            figures={"sources": len(sources)},
        ),
    )
