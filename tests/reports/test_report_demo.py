"""`soloml demo` ends with the project report written and says where it is."""

from __future__ import annotations

from soloml.demo import DemoContext, StepResult, run_demo
from soloml.projects.spec import save_spec
from tracker.helpers import spec


def _agree(ctx: DemoContext) -> StepResult:
    save_spec(spec(), ctx.workspace.projects_dir)
    return StepResult("agree", ("Agreed the churn project.",))


def test_the_demo_closes_with_the_report_and_where_it_is(tmp_path):
    summary = run_demo(tmp_path / "d", customers=40, steps=(_agree,))
    html, md = summary.workspace / "reports" / "churn.html", summary.workspace / "reports" / "churn.md"
    line = next(line for line in summary.lines if line.startswith("The churn report for the CEO: "))
    assert str(html) in line and str(md) in line
    assert "Not trained yet" in md.read_text(encoding="utf-8")  # the demo stopped before training: the report says so
    assert "Which subscribers are about to cancel?" in html.read_text(encoding="utf-8")


def test_the_full_demo_wrote_the_churn_report_with_its_model(demo_ws):
    md = (demo_ws.reports_dir / "churn.md").read_text(encoding="utf-8")
    assert "Live model: v0001" in md and "What was tested:" in md
