"""`soloml.score(ws, project)` (soloml.app.score) does what `soloml score` does: the same facts, the same checks."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import soloml
from soloml.app.score import score
from soloml.cli.app import app
from soloml.deploy.recovery import Recovery
from soloml.errors import DeployError


def score_runs(ws) -> list[str]:
    con = ws.connect(read_only=True)
    try:
        return [
            r[0] for r in con.execute("SELECT run_id FROM ops.runs WHERE kind = 'score' ORDER BY run_id").fetchall()
        ]
    finally:
        con.close()


def test_the_python_use_case_and_the_command_give_the_same_facts(trained_ws):
    heard: list[Recovery] = []
    result = soloml.score(str(trained_ws.root), "churn", capacity=7, run_id="api", announce=heard.append)
    cli = CliRunner().invoke(
        app, ["score", "churn", "--capacity", "7", "--run-id", "cli", "-w", str(trained_ws.root), "--json"]
    )

    assert cli.exit_code == 0, cli.output
    said = json.loads(cli.stdout)
    facts = result.to_facts()
    assert set(said) == set(facts)
    same = ("project", "model_version", "rows", "decided", "decided_by", "capacity", "engine")
    assert {k: said[k] for k in same} == {k: facts[k] for k in same}
    assert result.decided == 7 and result.capacity == 7
    assert [t["entity_id"] for t in said["top"]] == [t["entity_id"] for t in facts["top"]]
    assert len(heard) == 1, "the recovery step ran once, before scoring, and was told"
    assert score_runs(trained_ws) == ["api", "cli"]


@pytest.mark.parametrize(
    ("options", "named"), [({"capacity": "lots"}, "'lots'"), ({"reasons": "why"}, "'why'"), ({"capacity": 0}, "'0'")]
)
def test_bad_options_are_refused_before_anything_is_scored(trained_ws, options, named):
    with pytest.raises(DeployError) as raised:
        score(trained_ws, "churn", **options)

    assert named in str(raised.value)
    assert score_runs(trained_ws) == [], "no run was started"
