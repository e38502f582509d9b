"""The demo's train step on a small Bluebird Coffee: the churn model beats the prior and today's rule."""

from __future__ import annotations

import json

import pytest

from soloml.demo import run_demo, step_load, step_project, step_train


@pytest.mark.slow
def test_demo_churn_model_beats_prior_and_todays_rule_and_goes_live(tmp_path):
    summary = run_demo(tmp_path / "demo", customers=1500, steps=(step_load.run, step_project.run, step_train.run))
    ws_root = tmp_path / "demo"
    step = next(s for s in summary.steps if s.name == "train")
    aliases = json.loads((ws_root / "models" / "churn" / "aliases.json").read_text())
    assert aliases["production"] == aliases["candidate"] == "v0001"
    meta = json.loads((ws_root / "models" / "churn" / "v0001" / "metadata.json").read_text())
    scores = meta["baseline_scores"]
    assert meta["model_score"] > scores["prior"] and meta["model_score"] > scores["today_rule"]
    assert meta["metrics"]["roc_auc"] > max(
        meta["baseline_metrics"]["prior"]["roc_auc"], meta["baseline_metrics"]["today_rule"]["roc_auc"]
    )
    assert step.data["beats_baselines"] is True
    assert any("Expected value" in line for line in step.lines)
    assert any("promoted to production" in line for line in step.lines)
