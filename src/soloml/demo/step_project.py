"""Demo step: agree the churn project with Bluebird's CEO, then build its training set.

The CEO's answers go through the same code path as `soloml interview --answers FILE`: the
break-even precision becomes the done line, "no purchase in 60 days" becomes today's rule. Then
the point-in-time training set is built (monthly snapshots over the last 18 months).
"""

from __future__ import annotations

from soloml.demo.context import DemoContext, StepResult
from soloml.features.summary import summarise_features
from soloml.projects.contract import write_project
from soloml.projects.questions import load_answers

NAME = "project"
PROJECT = "churn"

# What the CEO said, as an answers file a person could have written.
CEO_ANSWERS = """\
# Bluebird Coffee: the churn project, as agreed with the CEO.
name: churn
recipe: churn
question: Which subscribers are about to cancel?
decision: offer a free bag of coffee to customers likely to cancel
stakeholder: CEO
owner: the data person
capacity: 100            # we can send 100 offers a week
cycle: weekly
value_per_success: 180   # a saved subscriber is worth about $180 in margin
cost_per_action: 12      # an offer (bag + shipping) costs $12
success_rate: 0.3        # of those about to cancel, about 3 in 10 stay thanks to the offer
today_rule: today we contact anyone with no purchase in 60 days
horizon_days: 60
min_lift_over_rule: 0.1
"""


def run(ctx: DemoContext) -> StepResult:
    answers_path = ctx.workspace.path("interviews", f"{PROJECT}.yaml")
    answers_path.parent.mkdir(parents=True, exist_ok=True)
    answers_path.write_text(CEO_ANSWERS, encoding="utf-8")
    contract, spec_path = write_project(load_answers(answers_path), ctx.workspace.projects_dir, force=True)
    ctx.say("Building the training set (one snapshot a month, features from before each snapshot only)...")
    con = ctx.connect()
    try:
        report = summarise_features(con, contract.spec, features_dir=ctx.workspace.features_dir)
    finally:
        con.close()
    rates = [c.base_rate for c in report.cutoffs if c.base_rate is not None]
    first, last = report.cutoffs[0].cutoff, report.cutoffs[-1].cutoff
    lines = (
        f"Agreed the churn project with the CEO: {contract.lines[2]}",
        contract.lines[3],
        f"Built the training set: {report.rows:,} customer-months from {len(report.cutoffs)} monthly snapshots "
        f"({first:%b %Y} to {last:%b %Y}), {len(report.features)} facts about each customer.",
        f"In a typical month {sum(rates) / len(rates):.0%} of active customers went on to cancel or stop buying within "
        f"{contract.spec.label.horizon_days} days (between {min(rates):.0%} and {max(rates):.0%}).",
    )
    return StepResult(
        name=NAME,
        lines=lines,
        data={
            "project": PROJECT,
            "spec": str(spec_path),
            "done_precision": contract.spec.done.value,
            "break_even_precision": contract.break_even,
            "rows": report.rows,
            "features": len(report.features),
            "base_rate_by_cutoff": {f"{c.cutoff:%Y-%m-%d}": c.base_rate for c in report.cutoffs},
            "reused_cache": report.reused,
        },
        outputs=(answers_path, spec_path),
    )
