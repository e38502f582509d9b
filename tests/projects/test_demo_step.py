"""The demo's project step: the CEO's answers become the churn spec and a sensible training set."""

from __future__ import annotations

import pytest

from soloml.demo.walkthrough import _resolve, run_demo
from soloml.projects import load_spec


@pytest.mark.slow
def test_demo_project_step_specifies_churn_and_builds_sensible_base_rates(tmp_path):
    summary = run_demo(
        tmp_path / "demo", customers=250, json=True, steps=(_resolve("step_load"), _resolve("step_project"))
    )
    step = next(s for s in summary.steps if s.name == "project")
    spec = load_spec(tmp_path / "demo" / "projects" / "churn.yaml")
    assert spec.done.value == pytest.approx(12 / (180 * 0.3), abs=1e-4)
    assert spec.today_rule.expression == "coalesce(days_since_last_activity, 365) >= 60"
    rates = step.data["base_rate_by_cutoff"]
    assert len(rates) == 18
    assert all(0.03 < r < 0.6 for r in rates.values()), rates
    assert "pays for itself when at least 22.2%" in " ".join(step.lines)
