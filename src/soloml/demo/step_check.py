"""Demo step: is Bluebird's data ready for the churn project? `soloml check churn`, before training.

The same entry as the command: the workspace checks (fresh sources, clean columns, keys, identities,
currencies, gaps), then the project's (history, labels, leaks, today's rule, the learning curve, the
minimum sample size, and whether an A/B test could prove the model's impact). The verdict is shown and
recorded for the board; the demo trains either way, so a reader sees what the check said first.
"""

from __future__ import annotations

from soloml.app.check import run_check
from soloml.demo.context import DemoContext, StepResult

NAME = "check"
PROJECT = "churn"


def run(ctx: DemoContext) -> StepResult:
    project = ctx.results["project"].data.get("project", PROJECT) if "project" in ctx.results else PROJECT
    ctx.say(
        "Checking the data is ready for the churn project (history, labels, leaks, how much data is enough, can we prove it)..."
    )
    report = run_check(ctx.workspace, project)
    facts = report.to_facts()
    lines = (
        *report.summary(),
        f"Run it yourself: `soloml check {project}` (exit code {report.exit_code}; --json for every finding).",
    )
    data = {k: facts[k] for k in ("project", "outcome", "exit_code", "summary", "counts", "findings")}
    return StepResult(name=NAME, lines=lines, data=data)
