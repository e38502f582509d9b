"""`soloml interview` through the CLI runner: answers file, prompts, refusing to clobber."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.projects import load_spec

runner = CliRunner()
ANSWERS = {
    "name": "churn",
    "recipe": "churn",
    "decision": "offer a free bag",
    "stakeholder": "CEO",
    "owner": "Dana",
    "capacity": 100,
    "cycle": "weekly",
    "value_per_success": 180,
    "cost_per_action": 12,
    "success_rate": 0.25,
    "today_rule": "no order in 60 days",
    "horizon_days": 60,
}


def test_answers_file_writes_the_spec_and_prints_the_contract(ws, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS), encoding="utf-8")
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "pays for itself when at least 26.7%" in result.output
    spec = load_spec(ws.projects_dir / "churn.yaml")
    assert spec.done.value == 0.2667
    assert spec.today_rule.expression == "coalesce(days_since_last_order, 365) >= 60"


def test_json_output_and_refusal_to_overwrite_a_different_spec(ws, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS), encoding="utf-8")
    args = ["interview", "--answers", str(answers), "--workspace", str(ws.root), "--json"]
    first = runner.invoke(app, args)
    assert json.loads(first.stdout)["spec"]["done"]["value"] == 0.2667
    assert runner.invoke(app, args).exit_code == 0  # same answers: same file, fine
    answers.write_text(yaml.safe_dump({**ANSWERS, "capacity": 50}), encoding="utf-8")
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1
    assert "already exists with a different spec" in refused.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert load_spec(ws.projects_dir / "churn.yaml").business.capacity == 50


def test_prompts_ask_about_the_decision_and_write_the_spec(ws):
    typed = (
        "\n".join(
            [
                "churn",
                "all",
                "weekly",
                "24",
                "offer a free bag",
                "CEO",
                "Dana",
                "100",
                "weekly",
                "180",
                "12",
                "0.25",
                "no order in 60 days",
                "60",
                "",
                "y",
            ]
        )
        + "\n"
    )
    result = runner.invoke(app, ["interview", "retention", "--workspace", str(ws.root)], input=typed)
    assert result.exit_code == 0, result.output
    assert "What will you do differently" in result.output and "Who is scored at each snapshot" in result.output
    spec = load_spec(ws.projects_dir / "retention.yaml")
    assert (spec.business.capacity, spec.done.value, spec.stakeholder) == (100, 0.2667, "CEO")
    assert (spec.population.all_customers, spec.cutoffs.every, spec.cutoffs.lookback_months) == (True, "weekly", 24)


def test_bad_answer_exits_1_naming_the_key(ws, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**ANSWERS, "capacity": -3}), encoding="utf-8")
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--workspace", str(ws.root)])
    assert result.exit_code == 1
    assert "key 'capacity'" in result.output


def test_table_recipe_prompts_for_the_table_and_target(ws):
    typed = (
        "\n".join(
            [
                "table",
                "raw.accounts",
                "churned",
                "",
                "call them",
                "Sales lead",
                "Dana",
                "50",
                "monthly",
                "500",
                "20",
                "0.5",
                "",
                "30",
                "2026-12-31",
                "y",
            ]
        )
        + "\n"
    )
    result = runner.invoke(app, ["interview", "accounts", "--workspace", str(ws.root)], input=typed)
    assert result.exit_code == 0, result.output
    spec = load_spec(ws.projects_dir / "accounts.yaml")
    assert (spec.recipe, spec.source_table, spec.label.target, spec.cutoffs.time_column) == (
        "table",
        "raw.accounts",
        "churned",
        None,
    )
    assert spec.done.value == 0.08  # 20 / (500 x 0.5)
    assert str(spec.deadline) == "2026-12-31"
