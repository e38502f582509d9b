"""Deterministic assignment: sha256 of f"{experiment}:{salt}:{unit_id}" -> uniform in [0, 1) -> variant by weight.

The same unit lands in the same variant on every run and every machine, with no state to
keep; a different salt gives an independent split. Exposures (who saw what, when) go to
ops.exposures; the first exposure of a unit is the one that counts.

>>> from soloml.experiments.spec import ExperimentSpec
>>> spec = ExperimentSpec.model_validate({"name": "offer", "salt": "s1", "variants": {"control": 1, "offer": 1},
...     "primary": {"name": "kept", "sql": "select 1"}})
>>> assign(spec, "cus_42") == assign(spec, "cus_42")
True
"""

from __future__ import annotations

import bisect
import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from soloml.errors import ExperimentError
from soloml.experiments.spec import ExperimentSpec
from soloml.warehouse.connection import table_exists

_SCALE = float(2**64)


def bucket(experiment: str, salt: str, unit_id: str) -> float:
    """The unit's uniform draw in [0, 1): the first 8 bytes of sha256(f"{experiment}:{salt}:{unit_id}")."""
    digest = hashlib.sha256(f"{experiment}:{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def _edges(spec: ExperimentSpec) -> tuple[list[float], list[str]]:
    names = list(spec.variants)
    total = sum(spec.variants.values())
    edges, running = [], 0.0
    for name in names:
        running += spec.variants[name] / total
        edges.append(running)
    edges[-1] = 1.0
    return edges, names


def assign(spec: ExperimentSpec, unit_id: str) -> str:
    """The variant `unit_id` gets in experiment `spec`; pure and stable (no I/O). Used by the HTTP service."""
    edges, names = _edges(spec)
    u = bucket(spec.name, spec.salt, str(unit_id))
    return names[min(bisect.bisect_right(edges, u), len(names) - 1)]


def assign_many(spec: ExperimentSpec, unit_ids: Iterable[str]) -> dict[str, str]:
    """unit_id -> variant for every id (duplicates collapse); the same answer as `assign`, vectorised."""
    keys = list(dict.fromkeys(str(u) for u in unit_ids))
    if not keys:
        return {}
    edges, names = _edges(spec)
    prefix = f"{spec.name}:{spec.salt}:"
    sha = hashlib.sha256
    head = b"".join([sha(f"{prefix}{k}".encode()).digest()[:8] for k in keys])
    draws = np.frombuffer(head, dtype=">u8").astype(np.float64) / _SCALE
    index = np.minimum(np.searchsorted(np.asarray(edges), draws, side="right"), len(names) - 1)
    labels = np.array(names, dtype=object)[index]
    return dict(zip(keys, labels.tolist()))


def log_exposures(
    con: duckdb.DuckDBPyConnection,
    experiment: str,
    assignments: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    exposed_at: datetime | None = None,
    origin: str = "batch",
) -> int:
    """Record (unit_id, variant) exposures of `experiment` in ops.exposures; returns how many were new.

    Units already exposed in this experiment are skipped, so re-running a batch assignment or a
    service that logs every request adds nothing twice. One transaction: all or nothing.
    """
    pairs = list(assignments.items()) if isinstance(assignments, Mapping) else [(str(u), str(v)) for u, v in assignments]
    if not pairs:
        return 0
    when = (exposed_at or datetime.now(timezone.utc)).replace(tzinfo=None)
    frame = pd.DataFrame(pairs, columns=["unit_id", "variant"]).drop_duplicates("unit_id", keep="first")
    frame["unit_id"] = frame["unit_id"].astype(str)
    con.register("_soloml_new_exposures", frame)
    try:
        con.execute("BEGIN TRANSACTION")
        before = con.execute("SELECT count(*) FROM ops.exposures WHERE experiment = ?", [experiment]).fetchone()[0]
        con.execute(
            """
            INSERT INTO ops.exposures (experiment, unit_id, variant, exposed_at, origin)
            SELECT ?, n.unit_id, n.variant, ?, ? FROM _soloml_new_exposures n
            WHERE NOT EXISTS (SELECT 1 FROM ops.exposures e WHERE e.experiment = ? AND e.unit_id = n.unit_id)
            """,
            [experiment, when, origin, experiment],
        )
        after = con.execute("SELECT count(*) FROM ops.exposures WHERE experiment = ?", [experiment]).fetchone()[0]
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise ExperimentError(f"Could not record exposures for experiment '{experiment}': {exc}.", hint="Check the warehouse is writable and retry.") from exc
    finally:
        con.unregister("_soloml_new_exposures")
    return int(after - before)


@dataclass(frozen=True)
class AssignmentResult:
    experiment: str
    units: int
    new_exposures: int
    counts: dict[str, int]  # units per variant in this batch


def assign_units(
    con: duckdb.DuckDBPyConnection,
    spec: ExperimentSpec,
    unit_ids: Sequence[str],
    *,
    origin: str = "batch",
    exposed_at: datetime | None = None,
) -> AssignmentResult:
    """Assign a batch of units and log their exposures."""
    if not unit_ids:
        raise ExperimentError(f"No units to assign to experiment '{spec.name}'.", hint="Check the --units query or file, or that the project has been scored.")
    mapping = assign_many(spec, unit_ids)
    new = log_exposures(con, spec.name, mapping, exposed_at=exposed_at, origin=origin)
    counts = Counter(mapping.values())
    return AssignmentResult(spec.name, len(mapping), new, {v: counts.get(v, 0) for v in spec.variants})


def units_from_sql(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    """Unit ids from a query: its `unit_id` column, else its first column."""
    try:
        frame = con.execute(sql).df()
    except duckdb.Error as exc:
        raise ExperimentError(f"The units query failed: {exc}.", hint="Run it in `duckdb warehouse.duckdb` to fix it; it must return unit_id.") from exc
    return _ids(frame, "the units query")


def units_from_file(path: Path | str) -> list[str]:
    """Unit ids from a CSV file: its `unit_id` column, else its first column."""
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"Units file {path} does not exist.", hint="Pass a CSV with a unit_id column, or a SQL query.")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _ids(frame, str(path))


def _ids(frame: pd.DataFrame, where: str) -> list[str]:
    if frame.shape[1] == 0:
        raise ExperimentError(f"{where} has no columns.", hint="Return a unit_id column.")
    column = "unit_id" if "unit_id" in frame.columns else frame.columns[0]
    values = frame[column].dropna().astype(str).str.strip()
    return [v for v in dict.fromkeys(values) if v]


def top_k_units(con: duckdb.DuckDBPyConnection, project: str, k: int) -> list[str]:
    """The `k` highest-scored entities of the latest scoring run of `project` (e.g. the most at-risk customers)."""
    if k < 1:
        raise ExperimentError(f"--top-k needs a positive K, got {k}.")
    if not table_exists(con, "ops.predictions"):
        raise ExperimentError("There are no predictions yet.", hint=f"Run `soloml score {project}` first.")
    rows = con.execute(
        """
        WITH latest AS (
            SELECT run_id FROM ops.predictions WHERE project = ? AND origin IS DISTINCT FROM 'service'
            ORDER BY scored_at DESC LIMIT 1
        )
        SELECT entity_id FROM ops.predictions
        WHERE project = ? AND run_id = (SELECT run_id FROM latest) AND entity_id IS NOT NULL
        ORDER BY score DESC, entity_id LIMIT ?
        """,
        [project, project, k],
    ).fetchall()
    if not rows:
        raise ExperimentError(f"Project '{project}' has no batch predictions in ops.predictions.", hint=f"Run `soloml score {project}` first.")
    return [str(r[0]) for r in rows]
