"""The report's facts come from the contract, the registry and the journals, and say plainly what is missing."""

from __future__ import annotations

import json

import pytest

from soloml.errors import ConfigError
from soloml.projects.spec import ProjectSpec, save_spec
from soloml.registry.aliases import read_aliases
from soloml.registry.store import read_metadata
from soloml.reports.facts import project_facts
from soloml.tracker.words import money


def _production_meta(ws):
    version = read_aliases(ws.models_dir, "churn")["production"]
    return version, read_metadata(ws.models_dir, "churn", version)


def test_the_facts_are_strict_json(demo_ws):
    facts = project_facts(demo_ws, "churn").to_facts()
    assert json.loads(json.dumps(facts, allow_nan=False)) == facts


def test_the_contract_is_the_project_file_in_plain_words(demo_ws):
    f = project_facts(demo_ws, "churn")
    assert f.question["question"] == "Which subscribers are about to cancel?"
    assert f.question["stakeholder"] == "CEO"
    assert (
        f.contract["capacity"] == 100 and f.contract["value_per_success"] == 180 and f.contract["cost_per_action"] == 12
    )
    assert any(line == "We can act on 100 customers a week." for line in f.contract["lines"])
    assert any("$180" in line and "$12" in line for line in f.contract["lines"])


def test_the_model_is_set_against_todays_rule_and_doing_nothing_from_the_saved_verdict(demo_ws):
    version, meta = _production_meta(demo_ws)
    f = project_facts(demo_ws, "churn")
    assert f.model["version"] == version
    ways = {row["way"].split(" (")[0]: row for row in f.model["comparison"]}
    assert set(ways) == {"the model", "today's rule", "doing nothing"}
    business = meta["business"]
    assert ways["the model"]["expected_value"] == pytest.approx(business["expected_value"])
    assert ways["today's rule"]["expected_value"] == pytest.approx(business["today_rule"]["expected_value"])
    assert ways["doing nothing"]["expected_value"] == 0.0
    assert ways["the model"]["hits"] == pytest.approx(business["precision_at_capacity"] * 100)
    said = " ".join(f.model["lines"])
    assert money(business["expected_value"]) in said and money(business["today_rule"]["expected_value"]) in said
    assert f.verdict["code"] == meta["verdict"]
    assert f.verdict["model_value"] == pytest.approx(meta["verdict_detail"]["model_value"])


def test_what_drives_the_predictions_is_the_models_own_importance(demo_ws):
    _, meta = _production_meta(demo_ws)
    f = project_facts(demo_ws, "churn")
    expected = [
        i["description"] for i in sorted(meta["importance"], key=lambda i: -(i["gain_share"] or 0)) if i["gain_share"]
    ][:5]
    assert [d["description"] for d in f.drivers["features"]] == expected


def test_deployment_experiment_and_monitoring_come_from_what_the_demo_did(demo_ws):
    version, _ = _production_meta(demo_ws)
    f = project_facts(demo_ws, "churn")
    assert f.deployment["live"] == version and f.deployment["scoring_runs"] >= 1 and f.deployment["last_rows"] > 0
    [experiment] = f.experiment["experiments"]
    assert experiment["name"] == "retention-offer" and experiment["paragraph"].startswith(
        ("What was tested", "Still running")
    )
    assert 0 < experiment["chance_to_beat"] < 1
    assert f.monitoring["checked_on"] is not None
    assert f.data["readiness"] is not None and f.data["from_model"]
    _, meta = _production_meta(demo_ws)
    assert len(f.data["files"]) <= len(meta["load_ids"])


def test_a_project_not_trained_yet_says_so_in_every_section_that_needs_a_model(ws):
    save_spec(
        ProjectSpec.model_validate(
            {
                "name": "upsell",
                "question": "Who will buy the bigger plan?",
                "decision": "send them the plan offer",
                "stakeholder": "Dana",
                "owner": "Sam",
                "recipe": "buy_again",
                "label": {"definition": "buys again in 30 days", "horizon_days": 30},
                "business": {"capacity": 50},
                "done": {"metric": "precision_at_capacity", "value": 0.2},
            }
        ),
        ws.projects_dir,
    )
    f = project_facts(ws, "upsell")
    assert f.model["trained"] is False and f.model["lines"][0].startswith("Not trained yet")
    assert f.verdict["words"] == "not trained yet"
    assert f.deployment["live"] is None and f.deployment["lines"][0].startswith("Not deployed yet")
    assert f.experiment["lines"] == ["No experiment yet: nothing has proven the model's impact with a fair test."]
    assert f.monitoring["lines"][0].startswith("Not monitored yet")
    assert f.data["lines"][0] == "No load is recorded in the workspace yet."
    assert any("never agreed" in line for line in f.contract["lines"])  # no value_per_success: no money shown as fact
    assert not any("$" in line for line in f.lines())


def test_an_unknown_project_is_refused_with_the_ones_that_exist(demo_ws):
    with pytest.raises(ConfigError) as caught:
        project_facts(demo_ws, "chrun")
    assert "churn" in str(caught.value)
