"""Demo step: prove the churn model's impact with a retention experiment, then check the model's health.

Bluebird offers a retention discount to its most at-risk customers. Half of them (by a salted
hash) get the offer, half are held out. The outcome is SIMULATED with a known true effect
(seeded), so the demo can show that the experiment's interval covers the truth. Then the
monitor compares recent scoring rows with the training data and checks every source is fresh.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from soloml.demo.context import DemoContext, StepResult
from soloml.errors import SolomlError
from soloml.experiments.analysis import analyze_experiment
from soloml.experiments.assignment import assign_many, assign_units, top_k_units
from soloml.experiments.design import design_conversion, pace_from_capacity, with_pace
from soloml.experiments.spec import ExperimentSpec, save_experiment

NAME = "impact"
PROJECT = "churn"
EXPERIMENT = "retention-offer"
HIGH_RISK = 1500  # customers in the test: the most at-risk first
TRUE_LIFT = 0.10  # the offer keeps 10 more customers in 100 (the truth the analysis must recover)
OUTCOME_FILE = f"experiments/{EXPERIMENT}-outcome.csv"


def _units(ctx: DemoContext) -> tuple[list[str], np.ndarray, str]:
    """The most at-risk customers and each one's chance of staying without the offer."""
    con = ctx.connect()
    try:
        try:
            ids = top_k_units(con, PROJECT, HIGH_RISK)
            scores = dict(
                con.execute(
                    "SELECT entity_id, score FROM ops.predictions WHERE project = ? AND run_id = "
                    "(SELECT run_id FROM ops.predictions WHERE project = ? AND origin IS DISTINCT FROM 'service' ORDER BY scored_at DESC LIMIT 1)",
                    [PROJECT, PROJECT],
                ).fetchall()
            )
            stay = np.array([1.0 - float(scores[u]) for u in ids])
            return ids, np.clip(stay, 0.15, 0.85), "the churn model's latest scores"
        except SolomlError:
            rows = con.execute(
                "SELECT c.customer_id, max(p.paid_at) AS last_paid FROM core.customers c "
                "LEFT JOIN core.payments p ON p.customer_id = c.customer_id AND p.status = 'succeeded' "
                "GROUP BY 1 ORDER BY last_paid ASC NULLS FIRST, 1 LIMIT ?",
                [HIGH_RISK],
            ).fetchall()
            ids = sorted(str(r[0]) for r in rows)
            rng = np.random.default_rng(ctx.seed)
            return (
                ids,
                np.clip(rng.beta(5, 5, len(ids)), 0.15, 0.85),
                "the customers who paid longest ago (no churn scores yet)",
            )
    finally:
        con.close()


def _spec(value_per_customer: float) -> ExperimentSpec:
    return ExperimentSpec.model_validate(
        {
            "name": EXPERIMENT,
            "description": "The retention offer to high-risk customers",
            "unit": "customer",
            "salt": "bluebird-demo",
            "variants": {"control": 0.5, "offer": 0.5},
            "project": PROJECT,
            "decision": "send the retention offer to the most at-risk customers",
            "primary": {
                "name": "retained",
                "kind": "conversion",
                "csv": OUTCOME_FILE,
                "unit_words": "customers",
                "verb": "kept",
                "value_per_unit": value_per_customer,
            },
        }
    )


def _value_and_capacity(ctx: DemoContext) -> tuple[float, int, str]:
    from soloml.projects.spec import find_spec

    try:
        spec = find_spec(ctx.workspace.projects_dir, PROJECT)
        return spec.business.value_per_success, spec.business.capacity, spec.business.cycle
    except SolomlError:
        return 300.0, 100, "weekly"


def run(ctx: DemoContext) -> StepResult:
    ws = ctx.workspace
    value, capacity, cycle = _value_and_capacity(ctx)
    ids, stay, chosen_by = _units(ctx)
    order = np.argsort(ids, kind="stable")  # the simulation depends on who is in the test, not on row order
    ids, stay = [ids[i] for i in order], stay[order]
    base = float(stay.mean())
    plan = with_pace(
        design_conversion(base, mde=TRUE_LIFT),
        pace_from_capacity(capacity, cycle),
        f"{capacity} offers a {cycle.removesuffix('ly')}",
    )
    spec = _spec(value)
    save_experiment(spec, ws.experiments_dir)
    con = ctx.connect()
    try:
        assigned = assign_units(con, spec, ids, origin="demo", exposed_at=datetime.now(UTC))
    finally:
        con.close()
    # Simulate what happened: each customer stays with their own chance, plus TRUE_LIFT with the offer.
    variants = assign_many(spec, ids)
    offered = np.array([variants[u] == "offer" for u in ids])
    chance = np.minimum(stay + TRUE_LIFT * offered, 0.95)
    rng = np.random.default_rng(ctx.seed + 1)
    kept = (rng.random(len(ids)) < chance).astype(int)
    outcome = pd.DataFrame({"unit_id": ids, "value": kept, "covariate": stay})
    path = ws.root / OUTCOME_FILE
    outcome.to_csv(path, index=False)
    truth = float((chance - stay)[offered].sum())  # customers the offer truly kept, in expectation

    con = ctx.connect()
    try:
        result = analyze_experiment(con, spec, root=ws.root)
    finally:
        con.close()
    best = result.best()
    n_offer = next(v.units for v in result.primary.variants if v.variant == "offer")
    low, high = best.lift.ci_low * n_offer, best.lift.ci_high * n_offer
    covered = bool(low <= truth <= high)
    lines = [
        f"Designed a retention test: to see +{TRUE_LIFT:.0%} retention on a {base:.0%} base needs {plan.n_per_arm:,} customers per arm "
        f"(about {plan.days / 7:,.0f} weeks at {plan.pace_source}).",
        f"Split the {len(ids):,} most at-risk customers (chosen by {chosen_by}) into offer {assigned.counts['offer']:,} and control {assigned.counts['control']:,}.",
        result.headline,
        f"The truth planted in this simulation: the offer kept {truth:,.0f} customers; the interval {low:,.0f} to {high:,.0f} "
        + ("covers it." if covered else "misses it (that happens 1 time in 20)."),
        f"Decision: {result.verdict.words(spec)}.",  # words only; the code stays in the step data
    ]
    monitor_data = _monitor(ctx, lines)
    return StepResult(
        NAME,
        tuple(lines),
        {
            "experiment": result.to_facts(),
            "truth": truth,
            "covered": covered,
            "design": {"n_per_arm": plan.n_per_arm, "days": plan.days},
            "monitor": monitor_data,
        },
        (ws.experiments_dir / f"{EXPERIMENT}.yaml", path),
    )


def _monitor(ctx: DemoContext, lines: list[str]) -> dict | None:
    from soloml.monitoring import monitor_project

    if not (ctx.workspace.projects_dir / f"{PROJECT}.yaml").is_file():
        lines.append("Monitoring: no churn project yet, so nothing to watch.")
        return None
    try:
        report = monitor_project(ctx.workspace, PROJECT)
    except SolomlError as exc:
        lines.append(f"Monitoring could not run yet: {exc.message}")
        return None
    if report.alert:
        lines.append(f"Monitoring raised {len(report.alerts)} alert(s) (a cron job would e-mail these):")
        lines += [f"  {a}" for a in report.alerts[:5]]
    else:
        lines.append("Monitoring: no drift, every source fresh, no alert.")
    lines += [f"  {line}" for line in report.lines[:1]]
    return report.to_facts()
