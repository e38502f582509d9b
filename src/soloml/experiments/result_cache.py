"""A small per-process cache of experiment analyses, so a dashboard page or a report does not redo them.

The board's event log, the project report and the dashboard's Experiments and Project pages each analyse
every experiment; one request used to do the same analysis two or three times, and every page view did it
again. `cached_analysis` answers from memory only while nothing the analysis reads can have changed. Its key:

- the experiment spec itself (its full JSON: any edit of the YAML that changes the spec changes the key);
- the day the analysis is made for (`today` decides the running/final basis);
- the workspace root (relative CSV paths resolve against it);
- the size and modification time (ns) of every CSV file a metric reads;
- the warehouse: for a DuckDB file, the size, mtime and ctime (ns) of the file and of its write-ahead log,
  which every committed write changes (new exposures, new loads behind an SQL metric, a checkpoint).
  A server warehouse (Postgres, MySQL) has no such stamp: there the key holds the exposures' count per
  variant and latest time, and an experiment with an SQL metric is never cached (its tables are unknown).

Errors are not cached (an unreadable experiment is cheap to find unreadable again, and may be fixed any moment).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from soloml.experiments.analysis import ExperimentResult, analyze_experiment
from soloml.experiments.spec import ExperimentSpec
from soloml.warehouse.base import Connection
from soloml.warehouse.stamp import Memo, file_stamp, warehouse_stamp

_memo = Memo(max_entries=64)


def cached_analysis(
    con: Connection, spec: ExperimentSpec, *, root: Path, warehouse: str, today: date | None = None
) -> ExperimentResult:
    """`analyze_experiment(con, spec, root=root, today=today)`, from memory when nothing it reads has changed.

    `warehouse` is the workspace's warehouse URL or DuckDB file path (`Workspace.warehouse_url`).
    """
    day = today or date.today()
    key = analysis_key(con, spec, root=root, warehouse=warehouse, today=day)
    return _memo.get(key, lambda: analyze_experiment(con, spec, root=root, today=day))


def clear() -> None:
    """Forget every cached analysis (tests; a long-running process never needs it for correctness)."""
    _memo.clear()


def analysis_key(
    con: Connection, spec: ExperimentSpec, *, root: Path, warehouse: str, today: date
) -> tuple[Any, ...] | None:
    """What the analysis of `spec` depends on, or None when that cannot be known cheaply (then: no caching)."""
    metrics = [spec.primary, *spec.guardrails]
    if any(getattr(m, "column", None) is not None for m in metrics):
        return None  # reads a --from source given at call time
    csvs = []
    for m in metrics:
        if m.csv is not None:
            path = Path(m.csv)
            path = path if path.is_absolute() else root / path
            csvs.append((str(path), file_stamp(path)))
    store = warehouse_stamp(warehouse)
    if store is None:
        if any(m.sql is not None for m in metrics):
            return None
        store = ("exposures", _exposure_stamp(con, spec.name))
    return (spec.model_dump_json(), today.isoformat(), str(root), tuple(csvs), store)


def _exposure_stamp(con: Connection, experiment: str) -> tuple[Any, ...]:
    rows = con.execute(
        "SELECT variant, count(*), max(exposed_at) FROM ops.exposures WHERE experiment = ? GROUP BY 1 ORDER BY 1",
        [experiment],
    ).fetchall()
    return tuple((str(v), int(n), str(at)) for v, n, at in rows)
