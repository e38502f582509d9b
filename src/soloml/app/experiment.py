"""`soloml experiment`'s use cases: design (sample size and pace), assign (split units, log exposures), analyze.

`analyze` reads an experiment three ways: soloml's own exposures (experiments/NAME.yaml), a split made
elsewhere (`from_`: a file, table or query, one row per unit), or only the summary numbers (`counts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.errors import ExperimentError
from soloml.experiments.design import Design, MetricKind

if TYPE_CHECKING:
    from soloml.experiments.analysis import ExperimentResult
    from soloml.experiments.assignment import AssignmentResult


@dataclass(frozen=True)
class ImportedColumns:
    """The columns of an experiment split elsewhere (`analyze(from_=...)`); each is found by itself when obvious."""

    unit: str | None = None  # the unit id
    arm: str | None = None  # named variant/arm/group
    outcome: str | None = None  # yes/no, true/false, 1/0 are conversions
    control: str | None = None  # the control arm's value (control/A/0); also for `counts`
    covariate: str | None = None  # a pre-period column for CUPED
    exposed_at: str | None = None  # the exposure time (exposed_at/sent_at)


def design(
    workspace: WorkspaceLike | None = None,
    project: str | None = None,
    *,
    metric: MetricKind = "conversion",
    baseline_rate: float | None = None,
    traffic: float | None = None,
    **effect: Any,
) -> Design:
    """Units per arm for the effect asked; with `project`, how long it takes at its capacity (and its cached base rate).

    `effect` is soloml.experiments.design.plan's own: mean, sd, mde, mde_relative, alpha, power, allocation.
    The workspace is only opened for a project; `traffic` (units a day) overrides the project's pace.
    """
    from soloml.experiments.design import plan

    pace, source = traffic, None
    if project is not None:
        from soloml.experiments.planning import project_base_rate, project_pace
        from soloml.projects.spec import find_spec

        ws = as_workspace(workspace)
        spec = find_spec(ws.projects_dir, project)
        if pace is None:
            pace, source = project_pace(spec)
        if metric == "conversion" and baseline_rate is None:
            con = ws.connect(read_only=True)
            try:
                baseline_rate = project_base_rate(con, project)
            finally:
                con.close()
            if baseline_rate is None:
                raise ExperimentError(
                    f"Project '{project}' has no cached training set to take the base rate from.",
                    hint=f"Pass --baseline-rate, or run `soloml features {project}` first.",
                )
    return plan(metric, baseline_rate=baseline_rate, units_per_day=pace, pace_source=source, **effect)


def assign(
    workspace: WorkspaceLike,
    name: str,
    *,
    units: str | None = None,
    top_k: tuple[str, int] | None = None,
    arm: str | None = None,
    reassign: bool = False,
) -> AssignmentResult:
    """Split `units` (a CSV file or a SQL query) or a project's `top_k` scored entities into the experiment's variants."""
    from soloml.experiments.assignment import Units, assign_units, top_k_units, units_from_file, units_from_sql
    from soloml.experiments.spec import find_experiment

    ws = as_workspace(workspace)
    spec = find_experiment(ws.experiments_dir, name)
    if (units is None) == (top_k is None):
        raise ExperimentError(
            "Give exactly one of --units (a CSV file or SQL) or --top-k PROJECT K.",
            hint=f"E.g. `soloml experiment assign {name} --top-k churn 200`.",
        )
    with ws.connect() as con:
        batch: Units
        if top_k is not None:
            batch = Units(tuple(top_k_units(con, top_k[0], int(top_k[1]))))
        elif units is not None and (Path(units).suffix.lower() in {".csv", ".txt"} or Path(units).is_file()):
            path = Path(units)
            batch = units_from_file(path if path.is_absolute() or path.is_file() else ws.root / path, arm=arm)
        else:
            assert units is not None
            batch = units_from_sql(con, units, arm=arm)
        return assign_units(con, spec, batch, reassign=reassign)


def analyze(
    workspace: WorkspaceLike | None,
    name: str,
    *,
    from_: str | None = None,
    counts: str | None = None,
    columns: ImportedColumns = ImportedColumns(),
    reassign: bool = False,
) -> ExperimentResult:
    """The experiment's result: lift with intervals, chance to beat control, CUPED, SRM and the decision.

    The options are checked before the workspace is looked for. Read `result.warnings` out loud: a broken
    split invalidates every number.
    """
    from soloml.experiments.analysis import analyze_experiment
    from soloml.experiments.spec import find_experiment

    if from_ is not None and counts is not None:
        raise ExperimentError("Give --from (one row per unit) or --counts (summary numbers), not both.")
    c = columns
    column_options = {
        "--unit": c.unit,
        "--arm": c.arm,
        "--outcome": c.outcome,
        "--covariate": c.covariate,
        "--exposed-at": c.exposed_at,
        "--reassign": reassign or None,
    }
    unused = [k for k, v in column_options.items() if v is not None] + (
        ["--control"] if c.control and from_ is None and counts is None else []
    )
    if from_ is None and unused:
        raise ExperimentError(
            f"{', '.join(unused)} only apply with --from{' or --counts' if unused == ['--control'] else ''}.",
            hint=f"E.g. `soloml experiment analyze {name} --from export.csv --arm group --outcome converted`.",
        )
    ws = as_workspace(workspace)
    has_yaml = (ws.experiments_dir / f"{name}.yaml").is_file()
    spec = find_experiment(ws.experiments_dir, name) if has_yaml or (from_ is None and counts is None) else None
    if counts is not None:
        from soloml.experiments.counts import analyze_counts, parse_counts, spec_for_counts

        kind, arms = parse_counts(counts)
        return analyze_counts(spec_for_counts(name, kind, arms, control=c.control, base=spec), arms)
    if from_ is not None:
        from soloml.experiments.imported import analyze_from

        with ws.connect() as con:
            return analyze_from(
                con,
                name,
                from_,
                base=spec,
                root=ws.root,
                unit=c.unit,
                arm=c.arm,
                outcome=c.outcome,
                control=c.control,
                covariate=c.covariate,
                exposed_at=c.exposed_at,
                reassign=reassign,
            )
    assert spec is not None
    with ws.connect(read_only=True) as con:
        return analyze_experiment(con, spec, root=ws.root)
