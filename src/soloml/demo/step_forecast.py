"""Demo step: Bluebird's revenue forecast, agreed in the interview, backtested against 'same month last year'.

The CEO plans stock and roasting a quarter ahead, month by month; a month off by more than 15% costs
about $2,000 (beans bought in a rush, or stale stock). Those answers go through the interview's code
path into projects/revenue.yaml; the forecast is judged on the backtest, registered as a forecaster,
promoted, and its verdict, ranges and chart are written under forecasts/revenue/.
"""

from __future__ import annotations

from pathlib import Path

from soloml.app.forecast import draw_chart
from soloml.demo.context import DemoContext, StepResult
from soloml.forecasting.workflow import forecast_project
from soloml.projects.contract import write_project
from soloml.projects.questions import load_answers
from soloml.registry import promote

NAME = "forecast"
PROJECT = "revenue"

CEO_ANSWERS = """\
# Bluebird Coffee: the revenue forecast, as agreed with the CEO.
name: revenue
recipe: forecast
question: How much revenue will the next quarter bring, month by month?
decision: plan green-bean purchases and roasting shifts for the next quarter
stakeholder: CEO
owner: the data person
forecast_what: revenue
plan_every: month
plan_ahead: 3           # we plan a quarter ahead
miss_tolerance: 0.15    # a month off by more than 15% hurts the plan
miss_cost: 2000         # ... and costs about $2,000 (rush orders or stale stock)
misses_ok: 0.25         # one month in four may miss and the plan still works
"""


def run(ctx: DemoContext) -> StepResult:
    answers_path = ctx.workspace.path("interviews", f"{PROJECT}.yaml")
    answers_path.parent.mkdir(parents=True, exist_ok=True)
    answers_path.write_text(CEO_ANSWERS, encoding="utf-8")
    contract, spec_path = write_project(load_answers(answers_path), ctx.workspace.projects_dir, force=True)
    ctx.say("Forecasting monthly revenue a quarter ahead, backtested against 'same month last year'...")
    run_ = forecast_project(ctx.workspace, PROJECT)
    charts = draw_chart(run_)
    con = ctx.connect()
    try:
        change = promote(
            con,
            ctx.workspace.models_dir,
            PROJECT,
            run_.model_version or "candidate",
            note="demo: promoted after forecasting",
        )
    finally:
        con.close()
    facts = run_.to_facts()
    lines = (
        facts["verdict_detail"]["headline"],  # the verdict in words; the code is in --json
        *facts["words"],
        f"Saved the forecaster as {PROJECT} {change.version} and promoted it: GET /v1/{PROJECT}/forecast serves it, "
        f'`soloml forecast {PROJECT} --use production --cron "0 6 1 * *"` schedules it, `soloml monitor {PROJECT}` checks it against actuals.',
    )
    outputs = (spec_path, *(p for p in (run_.csv, charts.get("chart_png"), charts.get("chart_svg")) if p))
    return StepResult(
        name=NAME,
        lines=lines,
        data={
            "project": PROJECT,
            "version": change.version,
            "verdict": facts["verdict"],
            "metric": facts["metric"],
            "value": facts["accuracy"]["value"],
            "baseline": facts["accuracy"]["baseline"],
            "threshold": facts["threshold"],
            "totals": facts["totals"],
            "contract": list(contract.lines),
            "chart": charts.get("chart_png"),
            "csv": str(run_.csv),
        },
        outputs=tuple(Path(p) for p in outputs),
    )
