"""`soloml check` for scripts: exit 0 ready, 1 fix first, 2 not enough yet; --json is the report's facts; each run is on the board."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import signal_frame, table_project
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.tracker.events import gather_events


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from soloml.workspace import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("cli") / "ws")
    rare = signal_frame(300)
    rare["label"] = np.where(np.arange(300) < 4, 1, 0)
    table_project(ws.root, rare, "rare")
    table_project(
        ws.root, signal_frame(300), "broken", today_rule={"description": "many logins", "expression": "nope > 1"}
    )
    return ws


def _check(ws, *args: str):
    return CliRunner().invoke(app, ["check", *args, "--workspace", str(ws.root)])


@pytest.mark.parametrize(
    ("project", "code", "outcome", "words"),
    [
        ("rare", 2, "not_enough_yet", "Not enough yet: Only 4 of 300 labelled rows are labelled '1'"),
        ("broken", 1, "fix_first", "To fix: Project 'broken': key 'today_rule.expression' ('nope > 1') does not run"),
    ],
)
def test_the_exit_code_says_the_verdict(folder, project, code, outcome, words):
    result = _check(folder, project)
    assert result.exit_code == code, result.output
    assert words in result.output
    as_json = _check(folder, project, "--json")
    assert as_json.exit_code == code and json.loads(as_json.stdout)["outcome"] == outcome


def test_json_prints_exactly_the_reports_facts(folder):
    from soloml.app.check import run_check

    report = run_check(folder, "rare", record=False)
    printed = json.loads(_check(folder, "rare", "--json").stdout)
    assert {k: v for k, v in printed.items() if k != "checked_at"} == {
        k: v for k, v in report.to_facts().items() if k != "checked_at"
    }


def test_every_project_check_is_recorded_where_the_board_reads_it(folder):
    _check(folder, "broken")
    failed = [e for e in gather_events(folder).for_project("broken") if e.kind == "check_failed"]
    assert failed and failed[-1].facts["outcome"] == "fix_first"
    assert failed[-1].facts["summary"].startswith("1 to fix first (today rule)")


def test_an_unknown_project_is_an_error_that_names_the_projects(folder):
    result = _check(folder, "brokn")
    assert result.exit_code == 1 and "Did you mean 'broken'?" in result.output
