"""`soloml experiment design|assign|analyze`: plan an A/B test, split units into variants, read the result."""

from __future__ import annotations

from typing import Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, err_console, handled, workspace

experiment_app = typer.Typer(
    help="Design, assign and analyse A/B experiments (experiments/<name>.yaml).", no_args_is_help=True
)


def _render_design(d) -> None:
    if d.metric == "conversion":
        change = f"from {d.baseline:.1%} to {d.baseline + d.mde:.1%} ({d.mde * 100:+.1f} points)"
    else:
        change = f"of {d.mde:+,.4g} in a mean of {d.baseline:,.4g} (sd {d.sd:,.4g})"
    console.print(
        f"To detect a change {change} with {d.power:.0%} power at alpha {d.alpha:g}, you need "
        f"{d.n_control:,} control and {d.n_treatment:,} treated units ({d.total:,} in total)."
    )
    if d.days is not None:
        console.print(f"At {d.units_per_day:,.4g} units a day ({d.pace_source}) that takes about {d.days:,.0f} days.")
    else:
        console.print("Pass --traffic (units a day) or a PROJECT to see how long that takes.")
    console.print(f"Put `planned_units_per_arm: {d.n_per_arm}` in the experiment YAML so early looks stay honest.")


def _render_assignment(r) -> None:
    split = ", ".join(f"{v}: {n:,}" for v, n in r.counts.items())
    how = "by soloml's salted hash" if r.arms_from == "hash" else f"as given in column '{r.arms_from}'"
    replaced = f" (replaced {r.replaced:,} earlier exposures)" if r.replaced else ""
    console.print(
        f"Assigned {r.units:,} units in experiment '{r.experiment}' {how} ({split}); {r.new_exposures:,} new exposures logged to ops.exposures{replaced}."
    )


def _render_analysis(r) -> None:
    console.print(r["headline"])
    console.print(f"Decision: {r['decision_words']}.")  # the words a CEO reads; the code is in --json
    for line in r["details"]:
        console.print(f"  {line}")
    console.print(f"In plain words: {r['paragraph']}")


@experiment_app.command("design")
def design_cmd(
    project: Annotated[str | None, typer.Argument(help="Project whose capacity (and base rate) sets the pace.")] = None,
    metric: Annotated[str, typer.Option(help="conversion (a rate) or mean (an amount per unit).")] = "conversion",
    baseline_rate: Annotated[float | None, typer.Option(help="Today's conversion rate, e.g. 0.2.")] = None,
    mean: Annotated[float | None, typer.Option(help="Today's mean per unit (metric=mean).")] = None,
    sd: Annotated[float | None, typer.Option(help="Standard deviation per unit (metric=mean).")] = None,
    mde: Annotated[
        float | None, typer.Option(help="Smallest effect worth detecting, absolute (0.02 = two points).")
    ] = None,
    mde_relative: Annotated[
        float | None, typer.Option(help="Smallest effect as a share of the baseline (0.1 = +10%).")
    ] = None,
    alpha: Annotated[float, typer.Option(help="False-positive rate.")] = 0.05,
    power: Annotated[float, typer.Option(help="Chance to detect the effect if it is real.")] = 0.8,
    allocation: Annotated[float, typer.Option(help="Treated units per control unit.")] = 1.0,
    traffic: Annotated[
        float | None, typer.Option(help="Units that can enter the test per day (overrides the project's capacity).")
    ] = None,
    ws_path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sample size per arm, and how long it takes at the project's capacity or the given traffic."""
    from soloml.app.experiment import design

    with handled():
        result = design(
            ws_path,
            project,
            metric=metric,
            baseline_rate=baseline_rate,
            mean=mean,
            sd=sd,
            mde=mde,  # type: ignore[arg-type]
            mde_relative=mde_relative,
            alpha=alpha,
            power=power,
            allocation=allocation,
            traffic=traffic,
        )
        emit(result, as_json, _render_design)


@experiment_app.command("assign")
def assign_cmd(
    name: Annotated[str, typer.Argument(help="The experiment (experiments/<name>.yaml).")],
    units: Annotated[
        str | None,
        typer.Option(
            help="A CSV file with unit_id, or a SQL query returning unit_id (and the arm, if it already has one)."
        ),
    ] = None,
    top_k: Annotated[
        tuple[str, int] | None,
        typer.Option(help="PROJECT K: the K highest-scored entities of the project's latest scoring run."),
    ] = None,
    arm: Annotated[
        str | None,
        typer.Option(
            help="The column of --units that already holds each unit's arm (found by itself when named variant/arm/group)."
        ),
    ] = None,
    reassign: Annotated[bool, typer.Option(help="Delete the experiment's recorded exposures and start over.")] = False,
    ws_path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Split units into variants (deterministic salted hash, or the arms the units already have) and log their exposures."""
    from soloml.app.experiment import assign

    with handled():
        result = assign(workspace(ws_path), name, units=units, top_k=top_k, arm=arm, reassign=reassign)
        emit(result, as_json, _render_assignment)


@experiment_app.command("analyze")
def analyze_cmd(
    name: Annotated[
        str, typer.Argument(help="The experiment (experiments/<name>.yaml; optional with --from or --counts).")
    ],
    from_: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="An experiment split elsewhere: a CSV/Excel file, a warehouse table or a SQL query, one row per unit.",
        ),
    ] = None,
    counts: Annotated[
        str | None,
        typer.Option(
            help='Only the numbers: "control=120/1500,treatment=151/1500" (successes/units) or ARM=UNITS/SUM/SUM_OF_SQUARES.'
        ),
    ] = None,
    unit: Annotated[str | None, typer.Option(help="--from: the unit id column (found when obvious).")] = None,
    arm: Annotated[
        str | None, typer.Option(help="--from: the arm column (found when named variant/arm/group).")
    ] = None,
    outcome: Annotated[
        str | None, typer.Option(help="--from: the outcome column; yes/no, true/false, 1/0 are conversions.")
    ] = None,
    control: Annotated[str | None, typer.Option(help="The control arm (found when named control/A/0).")] = None,
    covariate: Annotated[str | None, typer.Option(help="--from: a pre-period column for CUPED.")] = None,
    exposed_at: Annotated[
        str | None, typer.Option(help="--from: the exposure time column (found when named exposed_at/sent_at).")
    ] = None,
    reassign: Annotated[bool, typer.Option(help="--from: replace arms already recorded for this experiment.")] = False,
    ws_path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """The result in business words, then lift with intervals, chance to beat control, CUPED, SRM and the decision."""
    from soloml.app.experiment import ImportedColumns, analyze

    with handled():
        columns = ImportedColumns(
            unit=unit, arm=arm, outcome=outcome, control=control, covariate=covariate, exposed_at=exposed_at
        )
        result = analyze(ws_path, name, from_=from_, counts=counts, columns=columns, reassign=reassign)
        for warning in result.warnings:  # loud even with --json: a broken split invalidates every number
            err_console.print(f"[bold red]WARNING:[/] {warning}", markup=True, highlight=False)
        emit(result, as_json, lambda r: _render_analysis(r.to_facts()))


def register(app: typer.Typer) -> None:
    app.add_typer(experiment_app, name="experiment")
