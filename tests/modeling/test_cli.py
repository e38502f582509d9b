"""`soloml train`, `soloml models`, `soloml promote`, `soloml rollback` through the CLI runner."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app

runner = CliRunner()


def run(ws, *args):
    return runner.invoke(app, [*args, "--workspace", str(ws.root)])


def test_train_quick_path_prints_the_contract_keys_as_json(ws, accounts):
    result = run(ws, "train", "--table", str(accounts), "--target", "churned", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for key in (
        "project",
        "version",
        "recipe",
        "metric",
        "model_score",
        "baseline_scores",
        "threshold",
        "verdict",
        "business",
        "top_features",
    ):
        assert key in out, key
    for key in ("capacity", "precision_at_capacity", "lift_at_capacity", "expected_value"):
        assert key in out["business"], key
    assert out["version"] == "v0001" and out["recipe"] == "table"
    assert out["model_score"] > out["baseline_scores"]["prior"] + 0.1
    assert (ws.models_dir / out["project"] / "v0001" / "model.txt").is_file()
    assert (ws.projects_dir / f"{out['project']}.yaml").is_file()
    con = ws.connect()
    try:
        assert con.execute("SELECT kind, status, model_version FROM ops.runs").fetchall() == [
            ("train", "succeeded", "v0001")
        ]
    finally:
        con.close()


def test_train_with_agreed_business_values_speaks_in_money_and_prints_auc_beside_precision(ws, accounts):
    assert run(ws, "train", "--table", str(accounts), "--target", "churned", "--no-save").exit_code == 0
    path = ws.projects_dir / "accounts_churned.yaml"
    agreed = (
        path.read_text()
        .replace("business:\n", "business:\n  value_per_success: 50\n")
        .replace("cost_per_action: 0.0", "cost_per_action: 5.0")
    )
    path.write_text(
        agreed.replace("metric: roc_auc\nbusiness", "metric: precision_at_capacity\nbusiness")
    )  # headline: precision, as the interview writes
    result = run(ws, "train", "accounts_churned")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "If we act on the 60 rows the model ranks highest each week" in text
    assert "Expected value: $" in text
    assert re.search(
        r"Model: precision at capacity \d+\.\d% \(vs \d+\.\d% no model\); ROC AUC 0\.\d{3} \(vs 0\.\d{3} no model\)",
        text,
    )
    assert "soloml promote" in text
    first = result.stdout.splitlines()[0]  # the verdict, said once in words: not "DONE: Done: ..."
    assert not re.match(r"(DONE|KEEP_GOING|NOT_WORTH_IT):", first) and re.match(
        r"(Done|Keep going|Not worth it)", first
    ), first


def test_models_promote_rollback_round_trip(ws, accounts):
    for _ in range(2):
        assert run(ws, "train", "--table", str(accounts), "--target", "churned", "--json").exit_code == 0
    project = "accounts_churned"
    assert run(ws, "promote", project, "v0001").exit_code == 0
    promoted = run(ws, "promote", project, "candidate", "--json")
    assert json.loads(promoted.stdout)["version"] == "v0002"
    listed = json.loads(run(ws, "models", "--json").stdout)
    assert [(r["version"], r["aliases"]) for r in listed] == [("v0001", []), ("v0002", ["candidate", "production"])]
    back = run(ws, "rollback", project)
    assert back.exit_code == 0 and "rolled back to v0001 (was v0002)" in back.stdout
    text = run(ws, "models").stdout  # the verdict in words, as train says it; the code stays in --json
    assert not re.search(r"\b(DONE|KEEP_GOING|NOT_WORTH_IT)\b", text), text
    assert re.search(r"v0001[^\n]*: (done|not there yet|not better than today's way), ", text), text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("train",), "Give either a PROJECT or --table"),
        (("train", "--table", "x.csv"), "needs --target"),
        (("train", "nosuch"), "No project 'nosuch'"),
        (("promote", "nosuch", "v0001"), "No saved models for project 'nosuch'"),
        (("rollback", "nosuch"), "No saved models for project 'nosuch'"),
    ],
)
def test_bad_input_exits_1_with_one_clear_paragraph(ws, args, message):
    result = run(ws, *args)
    assert result.exit_code == 1
    assert message in " ".join(result.stderr.split())


def test_train_without_save_leaves_the_registry_empty(ws, accounts):
    result = run(ws, "train", "--table", str(accounts), "--target", "churned", "--no-save", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["version"] is None
    assert not any(ws.models_dir.iterdir())
