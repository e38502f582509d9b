"""Demo step: train Bluebird's churn model, save it, make it the production model, and give the verdict.

The model is judged on the latest monthly snapshot against no model (the base rate) and the CEO's
current rule ("no purchase in 60 days"), in the money the CEO agreed: a saved subscriber is worth $180,
an offer costs $12, 100 offers a week.
"""

from __future__ import annotations

from soloml.app.train import train_project
from soloml.demo.context import DemoContext, StepResult
from soloml.modeling.words import verdict_lines
from soloml.registry import promote

NAME = "train"
PROJECT = "churn"


def run(ctx: DemoContext) -> StepResult:
    project = ctx.results["project"].data.get("project", PROJECT) if "project" in ctx.results else PROJECT
    ctx.say("Training the churn model (LightGBM), judged on the latest month against today's rule...")
    report = train_project(ctx.workspace, project, seed=ctx.seed)
    con = ctx.connect()
    try:
        change = promote(
            con, ctx.workspace.models_dir, project, report.version or "candidate", note="demo: promoted after training"
        )
    finally:
        con.close()
    summary = report.summary()
    result = report.result
    rule = result.baseline_scores.get("today_rule")
    beats = result.model_score > max(v for v in result.baseline_scores.values() if v is not None)
    lines = (
        *verdict_lines(summary),
        f"Saved as {project} {change.version} and promoted to production"
        + (
            f" (it replaces {change.previous_version})."
            if change.previous_version and change.previous_version != change.version
            else "."
        ),
    )
    return StepResult(
        name=NAME,
        lines=tuple(lines),
        data={
            "project": project,
            "version": change.version,
            "verdict": result.verdict.decision,
            "metric": result.metric,
            "model_score": result.model_score,
            "baseline_scores": result.baseline_scores,
            "beats_baselines": beats,
            "today_rule_score": rule,
            "threshold": result.threshold,
            "business": result.business_summary(),
        },
        outputs=(ctx.workspace.models_dir / project / change.version,),
    )
