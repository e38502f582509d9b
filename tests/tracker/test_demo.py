"""`soloml demo` ends with the board and the weekly update written, and says where they are."""

from __future__ import annotations

from soloml.demo import DemoContext, StepResult, run_demo
from soloml.projects.spec import save_spec
from tracker.helpers import spec


def _agree(ctx: DemoContext) -> StepResult:
    save_spec(spec(), ctx.workspace.projects_dir)
    return StepResult("agree", ("Agreed the churn project.",))


def test_the_demo_closes_with_the_board_and_the_update_and_where_they_are(tmp_path):
    summary = run_demo(tmp_path / "d", customers=40, steps=(_agree,))
    board_line = next(line for line in summary.lines if line.startswith("The project board: "))
    update_line = next(line for line in summary.lines if line.startswith("This week's update: "))
    assert str(summary.workspace / "board.csv") in board_line
    assert "churn,agreed,green" in (summary.workspace / "board.csv").read_text(encoding="utf-8-sig")
    [update] = sorted((summary.workspace / "reports").glob("update-*.md"))
    assert str(update) in update_line and "- churn: green." in update.read_text(encoding="utf-8")
