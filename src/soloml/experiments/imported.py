"""Experiments split somewhere else (a Mailchimp A/B send, a discount code, a sales list): `analyze --from`.

The source has one row per unit: unit id, arm, outcome, and optionally a pre-period covariate
(CUPED) and an exposure time. It is a warehouse table, a SQL query, or a CSV/Excel file. Columns
are named by the caller or found when obvious; yes/no, true/false and 1/0 outcomes are
conversions. The arms are recorded once in ops.exposures (the same rules as `assign`: a recorded
arm is never changed without --reassign), then the experiment is analysed as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from soloml.errors import ExperimentError, did_you_mean
from soloml.experiments.analysis import ExperimentResult, analyze_experiment
from soloml.experiments.assignment import ARM_COLUMNS, Units, assign_units
from soloml.experiments.spec import ExperimentSpec
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import DATABASE_ERRORS, table_exists

FILE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm"}
UNIT_COLUMNS = ("unit_id", "unit", "id", "customer_id", "user_id", "contact_id", "email", "customer", "user")
OUTCOME_COLUMNS = ("outcome", "value", "converted", "conversion", "result")
COVARIATE_COLUMNS = ("covariate", "pre_period", "pre", "baseline")
TIME_COLUMNS = ("exposed_at", "exposure_time", "assigned_at", "sent_at", "enrolled_at")
YES = {"1", "1.0", "yes", "y", "true", "t"}
NO = {"0", "0.0", "no", "n", "false", "f"}


@dataclass(frozen=True)
class Source:
    """The rows of a --from source, as text or values, with how to name a row in an error."""

    frame: pd.DataFrame
    where: str
    first_row: int  # the row number of frame row 0 (2 for a file with a header line)


@dataclass(frozen=True)
class Columns:
    unit: str
    arm: str
    outcome: str | None
    covariate: str | None
    exposed_at: str | None


def read_source(con: Connection, source: str, *, root: Path | None = None) -> Source:
    """A file (csv, tsv, xlsx), a SQL query (SELECT/WITH ...) or a warehouse table."""
    text = source.strip()
    path = Path(text)
    if not path.is_absolute() and root is not None and not path.is_file() and (root / path).is_file():
        path = root / path
    if path.suffix.lower() in FILE_SUFFIXES or path.is_file():
        if not path.is_file():
            raise ExperimentError(
                f"--from file {path} does not exist.",
                hint="Give the path of the export, a warehouse table or a SQL query.",
            )
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                sep=None if path.suffix.lower() != ".tsv" else "\t",
                engine="python",
            )
        return Source(frame, str(path), 2)
    if text.split(None, 1)[0].lower() in {"select", "with", "from"}:
        try:
            return Source(con.sql(text).df(), "the --from query", 1)
        except DATABASE_ERRORS as exc:
            raise ExperimentError(
                f"The --from query failed: {exc}.", hint="Run it in `duckdb warehouse.duckdb` to fix it."
            ) from exc
    if not table_exists(con, text if "." in text else f"main.{text}"):
        tables = [
            f"{s}.{t}"
            for s, t in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        ]
        raise ExperimentError(
            f"--from {text!r} is not a file, a SQL query or a warehouse table.{did_you_mean(text, tables)}",
            hint="See `soloml tables`.",
        )
    return Source(con.sql(f"SELECT * FROM {text}").df(), f"table {text}", 1)


def _named(
    frame: pd.DataFrame, given: str | None, names: tuple[str, ...], what: str, where: str, taken: set[str]
) -> str | None:
    if given is not None:
        if given not in frame.columns:
            raise ExperimentError(
                f"{where} has no column {given!r} for the {what} (it has {list(frame.columns)}).{did_you_mean(given, frame.columns)}",
                hint=f"Fix --{what}.",
            )
        return given
    lowered = {str(c).strip().lower(): c for c in frame.columns if c not in taken}
    return next((lowered[n] for n in names if n in lowered), None)


def find_columns(
    src: Source,
    *,
    unit: str | None,
    arm: str | None,
    outcome: str | None,
    covariate: str | None,
    exposed_at: str | None,
    outcome_needed: bool,
) -> Columns:
    """The caller's names, else the obvious ones; refuses to guess when it is not obvious."""
    frame, where = src.frame, src.where
    taken: set[str] = set()
    found = {}
    for what, given, names in (
        ("unit", unit, UNIT_COLUMNS),
        ("arm", arm, ARM_COLUMNS),
        ("covariate", covariate, COVARIATE_COLUMNS),
        ("exposed-at", exposed_at, TIME_COLUMNS),
    ):
        found[what] = _named(frame, given, names, what, where, taken)
        taken |= {found[what]} - {None}
    for what in ("unit", "arm"):
        if found[what] is None:
            raise ExperimentError(
                f"Cannot tell which column of {where} holds the {what} (it has {list(frame.columns)}).",
                hint=f"Name it with --{what} COLUMN.",
            )
    out = _named(frame, outcome, OUTCOME_COLUMNS, "outcome", where, taken)
    rest = [c for c in frame.columns if c not in taken]
    if out is None and outcome_needed:
        if len(rest) != 1:
            raise ExperimentError(
                f"Cannot tell which column of {where} is the outcome (candidates {rest}).",
                hint="Name it with --outcome COLUMN.",
            )
        out = rest[0]
    return Columns(found["unit"], found["arm"], out, found["covariate"], found["exposed-at"])


def outcome_values(src: Source, column: str) -> tuple[np.ndarray, str]:
    """Per-row outcome as numbers and its kind: yes/no, true/false, 1/0 are conversions; other numbers are means."""
    raw = src.frame[column]
    if raw.dtype == bool:
        return raw.to_numpy(dtype=float), "conversion"
    text = raw.astype("string").str.strip().str.lower()
    empty = text.isna() | (text == "")
    if empty.any():
        row = int(np.flatnonzero(empty.to_numpy())[0])
        raise ExperimentError(
            f"{src.where}, row {row + src.first_row}: column {column!r} is empty.",
            hint="Every unit needs an outcome: fill it (0 / no) or leave the row out (e.g. a --from query with WHERE).",
        )
    if text.isin(YES | NO).all():
        return text.isin(YES).to_numpy(dtype=float), "conversion"
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.isna().any():
        row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
        raise ExperimentError(
            f"{src.where}, row {row + src.first_row}: column {column!r} = {raw.iloc[row]!r} is neither yes/no nor a number.",
            hint="Give 1/0, yes/no, true/false or an amount.",
        )
    return numbers.to_numpy(dtype=float), "mean"


def arm_text(values: pd.Series) -> pd.Series:
    """Arms as text; whole numbers stored as floats (1.0) read as 1."""
    if pd.api.types.is_float_dtype(values) and values.dropna().apply(float.is_integer).all():
        values = values.astype("Int64")
    return values.astype("string").str.strip()


def _exposure_times(src: Source, column: str | None, fallback: datetime) -> pd.Series:
    if column is None:
        return pd.Series([fallback] * len(src.frame))
    times = pd.to_datetime(src.frame[column], errors="coerce", utc=True)
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise ExperimentError(
            f"{src.where}, row {row + src.first_row}: column {column!r} = {src.frame[column].iloc[row]!r} is not a date or time.",
            hint="Use ISO dates (2026-03-01 or 2026-03-01T09:30).",
        )
    return times.dt.tz_localize(None)


def _in_window(times: pd.Series, spec: ExperimentSpec) -> pd.Series:
    """Rows exposed within the spec's start and end (whole days); their outcomes are the ones analysed."""
    keep = pd.Series(True, index=times.index)
    if spec.start is not None:
        keep &= times >= pd.Timestamp(spec.start)
    if spec.end is not None:
        keep &= times < pd.Timestamp(spec.end) + pd.Timedelta(days=1)
    return keep


def spec_from_source(
    name: str, src: Source, cols: Columns, kind: str, *, control: str | None, base: ExperimentSpec | None
) -> ExperimentSpec:
    """The YAML's spec (with --outcome as its primary column when it names none), or one drawn from the data."""
    arms = list(dict.fromkeys(arm_text(src.frame[cols.arm]).dropna()))
    if base is not None:
        if control is not None and control != base.control_variant:
            raise ExperimentError(
                f"--control {control!r} contradicts the YAML's control {base.control_variant!r}.",
                hint="Drop --control or fix the YAML.",
            )
        primary = base.primary
        if not primary.has_source:
            if primary.column is not None and cols.outcome is not None and primary.column != cols.outcome:
                raise ExperimentError(
                    f"--outcome {cols.outcome!r} contradicts the YAML's primary column {primary.column!r}.",
                    hint="Drop --outcome or fix the YAML.",
                )
            update = {"column": primary.column or cols.outcome, "covariate": primary.covariate or cols.covariate}
            if "kind" not in primary.model_fields_set:
                update["kind"] = kind
            primary = primary.model_copy(update=update)
        return base.model_copy(update={"primary": primary})
    if control is None:
        guesses = [a for a in arms if a.lower() in {"control", "a", "0", "false", "no", "holdout", "original"}]
        if len(guesses) != 1:
            raise ExperimentError(
                f"Cannot tell which arm of {src.where} is the control (arms {arms}).",
                hint="Name it with --control ARM.",
            )
        control = guesses[0]
    if control not in arms:
        raise ExperimentError(
            f"--control {control!r} is not an arm in {src.where} (arms {arms}).{did_you_mean(control, arms)}",
            hint="Name one of the arms.",
        )
    counts = arm_text(src.frame[cols.arm]).value_counts()
    return ExperimentSpec.model_validate(
        {
            "name": name,
            "split_by": "another tool",
            "planned_split": False,
            "control": control,
            "variants": {a: float(counts[a]) for a in [control] + [a for a in arms if a != control]},
            "primary": {"name": cols.outcome, "kind": kind, "column": cols.outcome, "covariate": cols.covariate},
        }
    )


def _metric_table(src: Source, spec: ExperimentSpec, unit_ids: pd.Series) -> pa.Table:
    """unit_id and every column a metric of `spec` reads, as numbers (yes/no -> 1/0)."""
    columns = {"unit_id": unit_ids.to_numpy(dtype=object)}
    for m in (spec.primary, *spec.guardrails):
        for c in (m.column, m.covariate):
            if c is not None and c not in columns:
                if c not in src.frame.columns:
                    raise ExperimentError(
                        f"{src.where} has no column {c!r} for metric '{m.name}' (it has {list(src.frame.columns)}).{did_you_mean(c, src.frame.columns)}",
                        hint="Fix the column in the YAML.",
                    )
                columns[c] = outcome_values(src, c)[0]
    return pa.table(columns)


def analyze_from(
    con: Connection,
    name: str,
    source: str,
    *,
    base: ExperimentSpec | None = None,
    root: Path | None = None,
    unit: str | None = None,
    arm: str | None = None,
    outcome: str | None = None,
    control: str | None = None,
    covariate: str | None = None,
    exposed_at: str | None = None,
    reassign: bool = False,
    today: date | None = None,
) -> ExperimentResult:
    """Record the source's arms as exposures (once) and analyse the experiment on its outcome."""
    src = read_source(con, source, root=root)
    if src.frame.empty:
        raise ExperimentError(f"{src.where} has no rows.", hint="Check the export or the query.")
    needs_outcome = base is None or not base.primary.has_source and base.primary.column is None
    cols = find_columns(
        src,
        unit=unit,
        arm=arm,
        outcome=outcome,
        covariate=covariate,
        exposed_at=exposed_at,
        outcome_needed=needs_outcome,
    )
    kind = outcome_values(src, cols.outcome)[1] if cols.outcome is not None else "conversion"
    spec = spec_from_source(name, src, cols, kind, control=control, base=base)
    ids = src.frame[cols.unit].astype("string").str.strip()
    if (ids.isna() | (ids == "")).any():
        row = int(np.flatnonzero((ids.isna() | (ids == "")).to_numpy())[0])
        raise ExperimentError(
            f"{src.where}, row {row + src.first_row}: column {cols.unit!r} (the unit) is empty.",
            hint="Every row needs its unit id.",
        )
    arms = arm_text(src.frame[cols.arm])
    if (arms.isna() | (arms == "")).any():
        row = int(np.flatnonzero((arms.isna() | (arms == "")).to_numpy())[0])
        raise ExperimentError(
            f"{src.where}, row {row + src.first_row}: column {cols.arm!r} (the arm) is empty.",
            hint="Every unit needs its arm: fill it or leave the row out (e.g. a --from query with WHERE).",
        )
    table = _metric_table(src, spec, ids)
    rows = tuple(range(src.first_row, src.first_row + len(ids)))
    units = Units(tuple(str(u) for u in ids), tuple(str(a) for a in arms), cols.arm, rows, src.where)
    fallback = datetime.combine(spec.start, time.min) if spec.start else datetime.now()
    times = _exposure_times(src, cols.exposed_at, fallback)
    assign_units(
        con,
        spec,
        units,
        origin="imported",
        exposed_at=fallback,
        reassign=reassign,
        times=dict(zip(units.ids, times, strict=False)),
    )
    table = table.filter(pa.array(_in_window(times, spec).to_numpy()))
    return analyze_experiment(con, spec, root=root, today=today, source=table, source_words=src.where)
