"""Random and malformed requests generated from the service's own OpenAPI schema never produce a 5xx, on every
route it publishes (predict, predict by id, model, experiment assignment, health, ready).

Uses schemathesis's strategies directly (its lazy pytest fixture loader does not run on pytest 9).
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from soloml.deploy.runner import app_for_workspace, running
from soloml.experiments.http import experiment_router

KEY = "fuzz-key-0123456789abcdef"
SPEC = "salt: s1\nvariants: {control: 1, offer: 1}\nprimary: {name: kept, sql: select 1}\n"
ROUTES = {
    "POST /v1/churn/predict",
    "POST /v1/churn/predict/{entity_id}",
    "GET /v1/churn/model",
    "POST /v1/experiments/{name}/assign",
    "GET /health",
    "GET /ready",
}


@pytest.fixture(scope="module")
def live(trained_template, tmp_path_factory):
    import shutil

    from soloml.workspace import open_workspace

    root = tmp_path_factory.mktemp("fuzz") / "acme"
    shutil.copytree(trained_template, root)
    ws = open_workspace(root)
    (ws.experiments_dir / "retention.yaml").write_text(SPEC)
    routers = (experiment_router(ws.experiments_dir, ws.warehouse_url),)
    with running(app_for_workspace(ws, api_key=KEY, routers=routers)) as svc:
        with httpx.Client(base_url=svc.url) as client:
            assert client.get("/ready").status_code == 200
        yield svc.url, schemathesis.openapi.from_url(f"{svc.url}/openapi.json")


def operations(schema) -> list:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_makes_the_service_fail(live, mode: GenerationMode):
    url, schema = live
    ops = operations(schema)
    assert {op.label for op in ops} == ROUTES
    statuses: set[int] = set()
    for op in ops:
        if mode is GenerationMode.NEGATIVE and op.method.upper() != "POST":
            continue  # GET routes take no input to malform

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def call(case) -> None:
            response = case.call(base_url=url, headers={"X-API-Key": KEY}, timeout=30)
            statuses.add(response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
            )

        call()
    expected = {200, 404} if mode is GenerationMode.POSITIVE else {422}
    assert expected <= statuses, statuses


@pytest.mark.parametrize("route", sorted(r for r in ROUTES if " /v1/" in r))
def test_generated_requests_without_the_key_are_refused(live, route: str):
    url, schema = live
    operation = next(op for op in operations(schema) if op.label == route)

    @given(case=operation.as_strategy())
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case) -> None:
        assert case.call(base_url=url, timeout=30).status_code == 401

    call()
