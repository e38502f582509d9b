"""Project files: validation errors point at the YAML key and say what is allowed."""

from __future__ import annotations

import pytest
import yaml

from soloml.errors import ConfigError
from soloml.projects import load_spec, spec_from_answers

GOOD = spec_from_answers({"name": "churn", "decision": "call", "capacity": 10, "value_per_success": 100}).spec


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("recipe",), "chrun", r"key 'recipe': Input should be 'churn', 'conversion'"),
        (
            ("label", "horizon_days"),
            0,
            r"key 'label\.horizon_days': Input should be greater than or equal to 1 \(got 0\)",
        ),
        (("business", "capacity"), "lots", r"key 'business\.capacity': Input should be a valid integer"),
        (("business", "success_rate"), 1.5, r"key 'business\.success_rate': Input should be less than or equal to 1"),
        (("cutoffs", "every"), "hourly", r"key 'cutoffs\.every': Input should be 'daily', 'weekly' or 'monthly'"),
        (("done", "metric"), "f1", r"key 'done\.metric': Input should be 'roc_auc'"),
        (("colour",), "blue", r"key 'colour': Extra inputs are not permitted"),
    ],
)
def test_bad_spec_value_names_the_key_and_what_is_allowed(tmp_path, path, value, message):
    raw = GOOD.model_dump(mode="json", exclude_none=True)
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    file = tmp_path / "churn.yaml"
    file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_spec(file)
    assert str(file) in str(info.value)


def test_written_spec_reads_back_identically(tmp_path):
    file = tmp_path / "churn.yaml"
    file.write_text(GOOD.to_yaml(), encoding="utf-8")
    assert load_spec(file) == GOOD
    assert load_spec(file).spec_hash() == GOOD.spec_hash()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("everyone", r"key 'population'.*'all_customers'"),
        (
            {"active_within_days": 0},
            r"key 'population\.active_within_days': Input should be greater than or equal to 1",
        ),
        ({"days": 30}, r"Extra inputs are not permitted"),
    ],
)
def test_bad_population_names_the_key_and_the_two_forms(tmp_path, value, message):
    file = tmp_path / "churn.yaml"
    file.write_text(
        yaml.safe_dump({**GOOD.model_dump(mode="json", exclude_none=True), "population": value}), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=message):
        load_spec(file)


def test_population_is_refused_for_a_recipe_it_does_not_apply_to(tmp_path):
    raw = {
        **GOOD.model_dump(mode="json", exclude_none=True),
        "recipe": "conversion",
        "entity": "contact",
        "population": "all_customers",
    }
    file = tmp_path / "leads.yaml"
    file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(
        ConfigError,
        match=r"population applies to the customer recipes \(churn, buy_again, spend\), not to 'conversion'",
    ):
        load_spec(file)


@pytest.mark.parametrize("population", ["all_customers", {"active_within_days": 30}])
def test_population_reads_back_in_the_form_it_was_written(tmp_path, population):
    spec = type(GOOD).model_validate({**GOOD.model_dump(), "population": population})
    file = tmp_path / "churn.yaml"
    file.write_text(spec.to_yaml(), encoding="utf-8")
    assert yaml.safe_load(file.read_text(encoding="utf-8"))["population"] == population
    assert load_spec(file) == spec
