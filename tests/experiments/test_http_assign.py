"""The service's POST /v1/experiments/{name}/assign over a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest

from soloml.deploy.runner import app_for_workspace, running
from soloml.experiments import assign
from soloml.experiments.http import experiment_router
from soloml.experiments.spec import find_experiment

SPEC = "salt: s1\nvariants: {control: 1, offer: 1}\nprimary: {name: kept, sql: select 1}\n"


@pytest.fixture
def experiment(ws):
    (ws.experiments_dir / "retention.yaml").write_text(SPEC)
    return find_experiment(ws.experiments_dir, "retention")


def _app(ws, key=None):
    router = experiment_router(ws.experiments_dir, ws.warehouse_url)
    return app_for_workspace(ws, api_key=key, routers=(router,)), router


def test_service_assigns_the_same_variant_as_the_batch_job_and_logs_one_exposure(ws, experiment):
    app, router = _app(ws)
    ids = [f"cus_{i}" for i in range(40)]
    with running(app) as service, httpx.Client(base_url=service.url) as client:
        answers = [client.post("/v1/experiments/retention/assign", json={"unit_id": u}).json() for u in ids]
        again = client.post("/v1/experiments/retention/assign", json={"unit_id": ids[0]}).json()
    assert [a["variant"] for a in answers] == [assign(experiment, u) for u in ids]
    assert again == answers[0]
    assert {a["variant"] for a in answers} == {"control", "offer"}
    router.exposure_log.flush()
    con = ws.connect()
    try:
        logged = dict(con.execute("SELECT unit_id, variant FROM ops.exposures WHERE experiment = 'retention'").fetchall())
    finally:
        con.close()
    assert logged == {a["unit_id"]: a["variant"] for a in answers}


def test_unknown_experiment_is_a_404_that_names_it(ws, experiment):
    app, _ = _app(ws)
    with running(app) as service:
        reply = httpx.post(f"{service.url}/v1/experiments/retentoin/assign", json={"unit_id": "cus_1"})
    assert reply.status_code == 404
    assert "retentoin" in reply.json()["detail"] and "retention" in reply.json()["detail"]


def test_assign_needs_the_key_when_the_service_has_one(ws, experiment):
    app, _ = _app(ws, key="s3cret")
    with running(app) as service:
        without = httpx.post(f"{service.url}/v1/experiments/retention/assign", json={"unit_id": "cus_1"})
        with_key = httpx.post(f"{service.url}/v1/experiments/retention/assign", json={"unit_id": "cus_1"}, headers={"X-API-Key": "s3cret"})
    assert without.status_code == 401
    assert with_key.status_code == 200


def test_a_missing_unit_id_is_a_422_naming_the_field(ws, experiment):
    app, _ = _app(ws)
    with running(app) as service:
        reply = httpx.post(f"{service.url}/v1/experiments/retention/assign", json={"unit": "cus_1"})
    assert reply.status_code == 422
    assert "unit_id" in reply.text
