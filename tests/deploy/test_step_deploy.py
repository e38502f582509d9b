"""The demo's deploy step: scores the project, answers one live request, and says so in plain words."""

from __future__ import annotations

from datetime import date

from soloml.demo.context import DemoContext, StepResult
from soloml.demo.generator import DemoExports
from soloml.demo.step_deploy import run


def test_deploy_step_scores_then_answers_one_live_call(trained_ws):
    exports = DemoExports(
        directory=trained_ws.root,
        files={},
        rows={},
        truth=trained_ws.root / "truth.csv",
        customers=800,
        seed=7,
        end_date=date(2026, 11, 1),
    )
    project = StepResult("project", ("agreed",), {"project": "churn"})
    result = run(DemoContext(workspace=trained_ws, exports=exports, seed=7, results={"project": project}))
    assert result.name == "deploy"
    service = result.data["service"]
    assert service["status"] == 200 and service["answer"]["model_version"] == "v0001"
    assert service["answer"]["entity_id"] == result.data["score"].top[0]["entity_id"]
    assert result.lines[0].startswith("Scored 800 current customers with model v0001")
    assert "The live service answered POST /v1/churn/predict/" in result.lines[1]
    assert result.outputs[0].is_file()
