"""'Can we prove it?': the A/B test's length from the contract's capacity and base rate, by the experiment design's own numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import NOW, project_spec, training_set

from soloml.experiments.design import plan
from soloml.readiness.power import HORIZON_WEEKS, check_power, smallest_effect


def _churn_set(rate: float, n: int = 2000):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=n), "label": (rng.random(n) < rate).astype(int)})
    return training_set(frame, ("x",))


def test_with_an_agreed_success_rate_the_weeks_are_the_designs():
    ts = _churn_set(0.2)
    spec = project_spec("churn", recipe="churn", business={"capacity": 100, "cycle": "weekly", "success_rate": 0.3})
    (finding,) = check_power(ts, spec, plan, now=NOW)
    base = float(ts.frame["label"].mean())
    expected = plan("conversion", baseline_rate=base, mde=-base * 0.3, units_per_day=100 / 7, pace_source="x")
    assert finding.figures["per_group"] == expected.n_per_arm and finding.figures["total"] == expected.total
    assert finding.figures["weeks"] == pytest.approx(expected.days / 7, abs=0.05)
    assert finding.severity == ("ok" if expected.days / 7 <= 26 else "wait")
    assert "Can we prove it?" in finding.words and "100 customers a week" in finding.words


def test_a_test_longer_than_half_a_year_is_not_enough_yet_with_the_units_and_months():
    ts = _churn_set(0.05)
    spec = project_spec("churn", recipe="churn", business={"capacity": 10, "cycle": "weekly", "success_rate": 0.1})
    (finding,) = check_power(ts, spec, plan, now=NOW)
    assert finding.severity == "wait" and finding.figures["weeks"] > 26
    assert finding.needed.amount == finding.figures["total"] and finding.needed.by is not None
    assert finding.fix.column == "business.capacity"


def test_without_a_success_rate_none_is_assumed_and_the_smallest_visible_change_is_said():
    ts = _churn_set(0.2)
    spec = project_spec("churn", recipe="churn", business={"capacity": 100, "cycle": "weekly"})
    (finding,) = check_power(ts, spec, plan, now=NOW)
    assert finding.severity == "note" and "No success rate is agreed, so none is assumed" in finding.words
    base, units = finding.figures["base_rate"], 100 * HORIZON_WEEKS
    effect = smallest_effect(plan, base, units, down=True)
    assert (
        plan("conversion", baseline_rate=base, mde=-effect).total
        <= units
        < plan("conversion", baseline_rate=base, mde=-effect * 0.98).total
    )
