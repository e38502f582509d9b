"""The Data page's facts: tables, the load journal, quarantined rows and the match rates between tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from soloml.warehouse.base import Connection
from soloml.warehouse.stamp import Memo
from soloml.web.facts import json_value

QUARANTINE_SHOWN = 50
JOURNAL_SHOWN = 50


def tables(con: Connection) -> list[dict[str, Any]]:
    """The same tables, row counts and last loads as `soloml tables --json`."""
    from soloml.warehouse.tables import list_tables

    out = []
    for t in list_tables(con):
        last = t.last_load
        out.append(
            {
                "table": t.table,
                "rows": t.rows,
                "columns": len([c for c in t.columns if not c.name.startswith("_")]),
                "last_load": None
                if last is None
                else {
                    "load_id": last.load_id,
                    "source": Path(last.source).name,
                    "finished_at": last.finished_at,
                    "rows_loaded": last.rows_loaded,
                },
            }
        )
    return out


def journal(con: Connection, *, limit: int = JOURNAL_SHOWN) -> list[dict[str, Any]]:
    """The load journal, newest first; sources by file name (the folder they came from stays on the machine)."""
    rows = con.execute(
        "SELECT load_id, source, target_table, status, rows_in, rows_loaded, rows_quarantined, rows_skipped, coalesce(finished_at, started_at), error "
        "FROM ops.loads ORDER BY coalesce(finished_at, started_at) DESC NULLS LAST LIMIT ?",
        [limit],
    ).fetchall()
    keys = (
        "load_id",
        "source",
        "table",
        "status",
        "rows_in",
        "rows_loaded",
        "rows_quarantined",
        "rows_skipped",
        "at",
        "error",
    )
    return [{**dict(zip(keys, r, strict=True)), "source": Path(str(r[1])).name} for r in rows]


def quarantine(con: Connection, *, limit: int = QUARANTINE_SHOWN) -> dict[str, Any]:
    """Rows that did not load, with the reason, and how many there are per reason."""
    total = con.execute("SELECT count(*) FROM ops.quarantine").fetchone()
    reasons = con.execute("SELECT reason, count(*) FROM ops.quarantine GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    rows = con.execute(
        "SELECT load_id, source, row_number, reason, raw_row FROM ops.quarantine ORDER BY load_id, row_number LIMIT ?",
        [limit],
    ).fetchall()
    return {
        "total": int(total[0]) if total else 0,
        "by_reason": [{"reason": r, "rows": int(n)} for r, n in reasons],
        "rows": [
            {
                "load_id": lid,
                "source": Path(str(src)).name if src else None,
                "row_number": n,
                "reason": reason,
                "raw_row": json.dumps(json_value(raw), ensure_ascii=False)[:300],
            }
            for lid, src, n, reason, raw in rows
        ],
    }


_identities_memo = Memo(max_entries=8)


def identities(con: Connection) -> dict[str, Any]:
    """Match rates between tools, as `soloml identities --json` gives them.

    The report takes a few hundred ms on 5,000 customers and changes only when the warehouse does, so it is
    kept per process under the warehouse file's stamp (soloml.warehouse.stamp): any write recomputes it.
    """
    from soloml.warehouse.stamp import connection_stamp

    stamp = connection_stamp(con)
    return _identities_memo.get(None if stamp is None else ("identities", stamp), lambda: _identities(con))


def _identities(con: Connection) -> dict[str, Any]:
    from dataclasses import asdict

    from soloml.canonical.identity_report import identity_report

    report = identity_report(con, top=0)
    facts = asdict(report)
    return {
        "customers": facts["customers"],
        "identities": facts["identities"],
        "by_source": facts["by_source"],
        "pairs": facts["pairs"],
        "unmatched_total": facts["unmatched_total"],
        "suggestions": len(facts["suggestions"]),
    }


def data(con: Connection) -> dict[str, Any]:
    return {
        "tables": tables(con),
        "journal": journal(con),
        "quarantine": quarantine(con),
        "identities": identities(con),
    }
