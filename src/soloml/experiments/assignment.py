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
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from soloml.errors import ExperimentError, did_you_mean
from soloml.experiments.spec import ExperimentSpec
from soloml.facts import JSON, field_facts
from soloml.temp_names import unique_name
from soloml.warehouse import ops
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import DATABASE_ERRORS, table_exists

_SCALE = float(2**64)


def bucket(experiment: str, salt: str, unit_id: str) -> float:
    """The unit's uniform draw in [0, 1): the first 8 bytes of sha256(f"{experiment}:{salt}:{unit_id}")."""
    digest = hashlib.sha256(f"{experiment}:{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def _salt(spec: ExperimentSpec) -> str:
    if spec.salt is None:
        raise ExperimentError(
            f"Experiment '{spec.name}' was split by {spec.split_by}, so soloml does not draw arms for it.",
            hint="Give the units with their arm (a column named variant or arm, or --arm COLUMN).",
        )
    return spec.salt


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
    u = bucket(spec.name, _salt(spec), str(unit_id))
    return names[min(bisect.bisect_right(edges, u), len(names) - 1)]


def assign_many(spec: ExperimentSpec, unit_ids: Iterable[str]) -> dict[str, str]:
    """unit_id -> variant for every id (duplicates collapse); the same answer as `assign`, vectorised."""
    keys = list(dict.fromkeys(str(u) for u in unit_ids))
    if not keys:
        return {}
    edges, names = _edges(spec)
    prefix = f"{spec.name}:{_salt(spec)}:"
    sha = hashlib.sha256
    head = b"".join([sha(f"{prefix}{k}".encode()).digest()[:8] for k in keys])
    draws = np.frombuffer(head, dtype=">u8").astype(np.float64) / _SCALE
    index = np.minimum(np.searchsorted(np.asarray(edges), draws, side="right"), len(names) - 1)
    labels = np.array(names, dtype=object)[index]
    return dict(zip(keys, labels.tolist(), strict=False))


def log_exposures(
    con: Connection,
    experiment: str,
    assignments: Mapping[str, str] | Iterable[tuple[str, str]],
    *,
    exposed_at: datetime | None = None,
    origin: str = "batch",
    replace: bool = False,
    times: Mapping[str, datetime] | None = None,
) -> int:
    """Record (unit_id, variant) exposures of `experiment` in ops.exposures; returns how many were new.

    Units already exposed in this experiment are skipped, so re-running a batch assignment or a
    service that logs every request adds nothing twice. `replace` first deletes the experiment's
    exposures (a deliberate re-assignment); `times` gives units their own exposure time.
    One transaction: all or nothing.
    """
    pairs = (
        list(assignments.items()) if isinstance(assignments, Mapping) else [(str(u), str(v)) for u, v in assignments]
    )
    if not pairs:
        return 0
    when = (exposed_at or datetime.now(UTC)).replace(tzinfo=None)
    frame = pd.DataFrame(pairs, columns=["unit_id", "variant"]).drop_duplicates("unit_id", keep="first")
    frame["unit_id"] = frame["unit_id"].astype(str)
    frame["exposed_at"] = [(times or {}).get(u, when) for u in frame["unit_id"]]
    new = unique_name("new_exposures")
    con.register(new, frame)
    try:
        con.execute("BEGIN TRANSACTION")
        if replace:
            ops.delete(con, "exposures", experiment=experiment)
        before = con.execute("SELECT count(*) FROM ops.exposures WHERE experiment = ?", [experiment]).fetchone()[0]
        ops.insert_select(
            con,
            "exposures",
            ["experiment", "unit_id", "variant", "exposed_at", "origin"],
            "SELECT ?, n.unit_id, n.variant, CAST(n.exposed_at AS TIMESTAMP), ? FROM " + new + " n "
            "WHERE NOT EXISTS (SELECT 1 FROM ops.exposures e WHERE e.experiment = ? AND e.unit_id = n.unit_id)",
            [experiment, origin, experiment],
        )
        after = con.execute("SELECT count(*) FROM ops.exposures WHERE experiment = ?", [experiment]).fetchone()[0]
        con.execute("COMMIT")
    except DATABASE_ERRORS as exc:
        con.execute("ROLLBACK")
        raise ExperimentError(
            f"Could not record exposures for experiment '{experiment}': {exc}.",
            hint="Check the warehouse is writable and retry.",
        ) from exc
    finally:
        con.unregister(new)
    return int(after - before)


@dataclass(frozen=True)
class AssignmentResult:
    experiment: str
    units: int
    new_exposures: int
    counts: dict[str, int]  # units per variant in this batch
    arms_from: str  # "hash" (soloml drew them) or the column that already held them
    replaced: int = 0  # exposures deleted first (--reassign)

    def to_facts(self) -> dict[str, JSON]:
        """What the assignment logged (`soloml experiment assign --json`)."""
        return field_facts(self)


@dataclass(frozen=True)
class Units:
    """Unit ids from a query or file, with the arm each one already has when the source holds one."""

    ids: tuple[str, ...]
    arms: tuple[str, ...] | None = None
    arm_column: str | None = None
    rows: tuple[int, ...] = ()  # the source row of each id (1-based), for error messages
    where: str = "the units"


ARM_COLUMNS = ("variant", "arm", "group", "treatment", "bucket", "cohort")


def recorded_arms(con: Connection, experiment: str) -> dict[str, str]:
    """unit_id -> the arm of its first exposure in `experiment`."""
    rows = con.execute(
        "SELECT unit_id, arg_min(variant, exposed_at) FROM ops.exposures WHERE experiment = ? GROUP BY unit_id",
        [experiment],
    ).fetchall()
    return {str(u): str(v) for u, v in rows}


def _given_mapping(spec: ExperimentSpec, units: Units) -> dict[str, str]:
    assert units.arms is not None
    mapping: dict[str, str] = {}
    for i, (unit, arm) in enumerate(zip(units.ids, units.arms, strict=True)):
        row = units.rows[i] if units.rows else i + 1
        if arm not in spec.variants:
            raise ExperimentError(
                f"{units.where}, row {row}: column '{units.arm_column}' = {arm!r} (unit '{unit}') is not a variant of experiment '{spec.name}' "
                f"(it has {list(spec.variants)}).{did_you_mean(arm, spec.variants)}",
                hint="Fix the value, or add the variant to the experiment YAML.",
            )
        if mapping.setdefault(unit, arm) != arm:
            raise ExperimentError(
                f"{units.where}, row {row}: unit '{unit}' is listed in arm '{mapping[unit]}' and again in arm '{arm}'.",
                hint="A unit belongs to one arm; remove the duplicate row.",
            )
    return mapping


def _check_no_change(spec: ExperimentSpec, recorded: dict[str, str], mapping: dict[str, str]) -> None:
    changed = [u for u, arm in mapping.items() if u in recorded and recorded[u] != arm]
    if changed:
        u = changed[0]
        raise ExperimentError(
            f"Experiment '{spec.name}' already has {len(recorded):,} exposed units, and {len(changed):,} of the units given "
            f"would get a different arm (e.g. '{u}': recorded {recorded[u]!r}, now {mapping[u]!r}).",
            hint=f"soloml never changes a recorded arm. Pass --reassign to delete the {len(recorded):,} exposures of '{spec.name}' and start over, "
            "or use a new experiment name.",
        )


def assign_units(
    con: Connection,
    spec: ExperimentSpec,
    unit_ids: Sequence[str] | Units,
    *,
    origin: str = "batch",
    exposed_at: datetime | None = None,
    reassign: bool = False,
    times: Mapping[str, datetime] | None = None,
) -> AssignmentResult:
    """Assign a batch of units and log their exposures.

    Arms a source already holds are kept as given; otherwise the salted hash draws them. A batch
    that would change an arm already recorded is refused unless `reassign` (which deletes the
    experiment's exposures first).
    """
    units = unit_ids if isinstance(unit_ids, Units) else Units(tuple(str(u) for u in unit_ids))
    if not units.ids:
        raise ExperimentError(
            f"No units to assign to experiment '{spec.name}'.",
            hint="Check the --units query or file, or that the project has been scored.",
        )
    if units.arms is not None:
        mapping = _given_mapping(spec, units)
    else:
        mapping = assign_many(spec, units.ids)
    recorded = recorded_arms(con, spec.name)
    if not reassign:
        _check_no_change(spec, recorded, mapping)
    new = log_exposures(con, spec.name, mapping, exposed_at=exposed_at, origin=origin, replace=reassign, times=times)
    counts = Counter(mapping.values())
    arms_from = units.arm_column if units.arms is not None else "hash"
    return AssignmentResult(
        spec.name,
        len(mapping),
        new,
        {v: counts.get(v, 0) for v in spec.variants},
        arms_from,
        len(recorded) if reassign else 0,
    )


def units_from_sql(con: Connection, sql: str, *, arm: str | None = None) -> Units:
    """Unit ids from a query: its `unit_id` column, else its first column; and its arm column if it has one."""
    try:
        frame = con.execute(sql).df()
    except DATABASE_ERRORS as exc:
        raise ExperimentError(
            f"The units query failed: {exc}.",
            hint="Run it in `duckdb warehouse.duckdb` to fix it; it must return unit_id.",
        ) from exc
    return _units(frame, "the units query", arm=arm, first_row=1)


def units_from_file(path: Path | str, *, arm: str | None = None) -> Units:
    """Unit ids from a CSV file: its `unit_id` column, else its first column; and its arm column if it has one."""
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(
            f"Units file {path} does not exist.", hint="Pass a CSV with a unit_id column, or a SQL query."
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _units(frame, str(path), arm=arm, first_row=2)


def _arm_column(frame: pd.DataFrame, id_column: str, arm: str | None, where: str) -> str | None:
    if arm is not None:
        if arm not in frame.columns:
            raise ExperimentError(
                f"{where} has no column '{arm}' (it has {list(frame.columns)}).{did_you_mean(arm, frame.columns)}",
                hint="Fix --arm.",
            )
        return arm
    by_name = [c for c in frame.columns if c != id_column and str(c).strip().lower() in ARM_COLUMNS]
    return by_name[0] if by_name else None


def _units(frame: pd.DataFrame, where: str, *, arm: str | None, first_row: int) -> Units:
    if frame.shape[1] == 0:
        raise ExperimentError(f"{where} has no columns.", hint="Return a unit_id column.")
    column = "unit_id" if "unit_id" in frame.columns else frame.columns[0]
    arm_column = _arm_column(frame, column, arm, where)
    ids = frame[column].astype("string").str.strip()
    keep = ids.notna() & (ids != "")
    rows = tuple(int(i) + first_row for i in np.flatnonzero(keep.to_numpy()))
    kept_ids = tuple(str(v) for v in ids[keep])
    if arm_column is None:
        return Units(tuple(dict.fromkeys(kept_ids)), where=where)
    arms = frame[arm_column].astype("string").str.strip()[keep]
    missing = arms.isna() | (arms == "")
    if missing.any():
        at = int(np.flatnonzero(missing.to_numpy())[0])
        raise ExperimentError(
            f"{where}, row {rows[at]}: unit '{kept_ids[at]}' has no value in column '{arm_column}'.",
            hint="Every unit needs its arm; fill it or drop the row.",
        )
    return Units(kept_ids, tuple(str(a) for a in arms), str(arm_column), rows, where)


def top_k_units(con: Connection, project: str, k: int) -> list[str]:
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
        raise ExperimentError(
            f"Project '{project}' has no batch predictions in ops.predictions.",
            hint=f"Run `soloml score {project}` first.",
        )
    return [str(r[0]) for r in rows]
