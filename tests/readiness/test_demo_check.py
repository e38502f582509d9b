"""On the demo business, `soloml check churn` says ready, with the figures; the demo shows the verdict; the board sees it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.demo import run_demo, step_check, step_load, step_project
from soloml.reports.wording import wording_problems
from soloml.tracker.events import gather_events
from soloml.workspace import open_workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bluebird") / "demo"
    summary = run_demo(folder, customers=600, json=True, steps=(step_load.run, step_project.run, step_check.run))
    return folder, next(s for s in summary.steps if s.name == "check")


def test_the_demo_business_is_ready_for_churn_with_the_figures(demo):
    _, step = demo
    assert step.data["outcome"] == "ready" and step.data["exit_code"] == 0
    text = " ".join(step.lines)
    assert text.startswith("Ready: the data for the churn project is ready to train on.")
    for figure in (
        "all 18 monthly snapshots fit",
        "customer snapshots with a known outcome",
        "twice as many rows would change it by about",
        "You have enough to stop collecting and start using it",
        "Can we prove it?",
        "weeks at 100 customers a week",
    ):
        assert figure in text, figure
    checks = {f["check"]: f for f in step.data["findings"]}
    assert checks["learning_curve"]["figures"]["gain_if_doubled"] < checks["learning_curve"]["figures"]["tolerance"]
    assert checks["power"]["figures"]["weeks"] <= 26


def test_the_summary_a_ceo_reads_keeps_the_wording_rules(demo):
    _, step = demo
    assert wording_problems("\n".join(step.data["summary"])) == []


def test_the_command_prints_the_reports_facts_and_exits_0(demo):
    folder, step = demo
    result = CliRunner().invoke(app, ["check", "churn", "--json", "--workspace", str(folder)])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["outcome"] == "ready" and facts["project"] == "churn"
    assert [f["words"] for f in facts["findings"]] == [
        f["words"] for f in step.data["findings"]
    ]  # the same check, run again
    assert {p["table"] for p in facts["profiles"]} >= {"core.customers", "raw.stripe_payments"}


def test_a_passed_check_is_an_event_the_board_reads(demo):
    folder, _ = demo
    passed = [e for e in gather_events(open_workspace(folder)).for_project("churn") if e.kind == "check_passed"]
    assert passed and passed[-1].facts["outcome"] == "ready"
    assert passed[-1].facts["summary"].startswith("ready: ")


def test_the_workspace_check_is_ready_too(demo):
    folder, _ = demo
    result = CliRunner().invoke(app, ["check", "--workspace", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Ready: nothing in the workspace needs fixing first.")
    assert "Every check:" in result.output
