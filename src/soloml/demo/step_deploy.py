"""Demo step: ship the churn model — score every active customer, then answer one live request.

Scores Bluebird's current customers with the production model (ops.predictions, plus a CSV the team
can open in a spreadsheet), starts the prediction service on a free loopback port, asks it about
the customer ranked first, prints the answer, and stops the service.
"""

from __future__ import annotations

import httpx

from soloml.demo.context import DemoContext, StepResult
from soloml.deploy import running, score_project
from soloml.deploy.runner import app_for_workspace

NAME = "deploy"


def run(ctx: DemoContext) -> StepResult:
    project = str(ctx.results["project"].data.get("project", "churn")) if "project" in ctx.results else "churn"
    ws = ctx.workspace
    csv = ws.reports_dir / f"{project}_predictions.csv"
    ctx.say(f"Scoring every current customer with the production {project} model ...")
    result = score_project(ws, project, run_id=f"demo-{project}-{ctx.seed}", to=(str(csv),))
    top = result.top[0]
    ctx.say("Starting the prediction service on 127.0.0.1 ...")
    with running(app_for_workspace(ws)) as service, httpx.Client(base_url=service.url, timeout=10) as client:
        path = f"/v1/{project}/predict/{top['entity_id']}"
        response = client.post(path)
        answer = response.json()
    if response.status_code != 200:
        lines = (
            f"Scored {result.rows:,} customers, but the service answered {response.status_code}: {answer.get('detail')}",
        )
        return StepResult(
            NAME,
            lines,
            {"score": result, "service": {"path": path, "status": response.status_code, "answer": answer}},
            (csv,),
        )
    reasons = "; ".join(answer["reasons"]) or "no single strong reason"
    lines = (
        f"Scored {result.rows:,} current customers with model {result.model_version}: {result.decided:,} to contact ({result.decided_by}); "
        f"the list is in {csv.name} and in the warehouse (ops.predictions).",
        f"The live service answered POST {path} in one call: churn risk {answer['score']:.0%}, "
        f"{'contact them' if answer['decision'] else 'no action'} — because {reasons}.",
        f'Run it yourself: `soloml serve` (docs at http://127.0.0.1:8000/docs); schedule the weekly list with `soloml score {project} --cron "0 6 * * 1"`.',
    )
    data = {"score": result, "service": {"path": path, "status": response.status_code, "answer": answer}}
    return StepResult(NAME, lines, data, (csv,))
