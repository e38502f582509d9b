"""The service's POST /v1/experiments/{name}/assign over a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from soloml.app.serve import service_routers
from soloml.deploy.runner import app_for_workspace, running
from soloml.experiments import assign
from soloml.experiments.http import experiment_router
from soloml.experiments.spec import find_experiment
from soloml.workspace import init_workspace

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
        logged = dict(
            con.execute("SELECT unit_id, variant FROM ops.exposures WHERE experiment = 'retention'").fetchall()
        )
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
        with_key = httpx.post(
            f"{service.url}/v1/experiments/retention/assign", json={"unit_id": "cus_1"}, headers={"X-API-Key": "s3cret"}
        )
    assert without.status_code == 401
    assert with_key.status_code == 200


def test_a_missing_unit_id_is_a_422_naming_the_field(ws, experiment):
    app, _ = _app(ws)
    with running(app) as service:
        reply = httpx.post(f"{service.url}/v1/experiments/retention/assign", json={"unit": "cus_1"})
    assert reply.status_code == 422
    assert "unit_id" in reply.text


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("x" * 256, 422),
        ("é" * 200, 422),
        ("retention.yaml", 404),
        (".hidden", 422),
        ("name with spaces", 422),
        ("retention%00", 422),
        ("r" * 100, 404),
    ],
)
def test_experiment_names_are_checked_before_the_file_system_and_the_connection_stays_usable(
    served, name: str, status: int
):
    client = served["open"]
    reply = client.post(f"/v1/experiments/{name}/assign", json={"unit_id": "cus_1"})
    after = client.post("/v1/experiments/retention/assign", json={"unit_id": "cus_1"})
    assert reply.status_code == status, reply.text
    assert len(reply.content) < 1000
    assert after.status_code == 200, "the same keep-alive connection answers the next request"


KEY = "assign-key-0123456789"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two services over one workspace with the retention experiment: without and with an API key."""
    from contextlib import ExitStack

    from soloml.workspace import init_workspace

    ws = init_workspace(tmp_path_factory.mktemp("assign") / "ws")
    (ws.experiments_dir / "retention.yaml").write_text(SPEC)
    with ExitStack() as stack:
        clients = {}
        for label, key in (("open", None), ("keyed", KEY)):
            service = stack.enter_context(running(_app(ws, key=key)[0]))
            clients[label] = stack.enter_context(httpx.Client(base_url=service.url, timeout=30))
        yield clients


FIVE_MB = b'{"unit_id": "' + b"x" * (5 * 1024 * 1024) + b'"}'


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, FIVE_MB, 401),
        ({}, b'{"unit_id": 5', 401),
        ({"X-API-Key": KEY}, FIVE_MB, 413),
        ({"X-API-Key": KEY}, b'{"unit_id": "' + b"y" * 100_000 + b'"}', 422),
        ({"X-API-Key": KEY}, b'{"' + b"k" * 100_000 + b'": 1}', 422),
        ({"X-API-Key": KEY}, b"[" * 50_000, 422),
    ],
    ids=["5MB without key", "bad body without key", "5MB with key", "long unit id", "long unknown key", "deep nesting"],
)
def test_the_key_is_checked_first_bodies_are_capped_and_errors_never_echo_the_input(
    served, headers: dict, body: bytes, status: int
):
    reply = served["keyed"].post(
        "/v1/experiments/retention/assign", content=body, headers={"content-type": "application/json", **headers}
    )
    assert reply.status_code == status, reply.text[:300]
    assert len(reply.content) < 2000, f"{len(reply.content):,} bytes back"


def test_a_non_json_body_is_a_415(served):
    reply = served["open"].post(
        "/v1/experiments/retention/assign", content=b'{"unit_id": "cus_1"}', headers={"content-type": "text/plain"}
    )
    assert reply.status_code == 415


@pytest.mark.parametrize("backend", ["duckdb", "postgres"])
def test_soloml_serve_logs_the_exposures_it_assigns_to_the_workspace_warehouse(tmp_path, backend, request):
    """`soloml serve`'s routes (app.serve.service_routers): on a Postgres warehouse too, every unit the service
    assigns is in ops.exposures there (the service used to log nothing when the warehouse was a URL)."""
    warehouse = request.getfixturevalue("postgres_warehouse_url") if backend == "postgres" else "warehouse.duckdb"
    ws = init_workspace(tmp_path / backend, warehouse=warehouse)
    ws.experiments_dir.mkdir(parents=True, exist_ok=True)
    (ws.experiments_dir / "retention.yaml").write_text(SPEC)
    routers = service_routers(ws)
    ids = [f"cus_{i}" for i in range(12)]
    with running(app_for_workspace(ws, routers=routers)) as service, httpx.Client(base_url=service.url) as client:
        answers = {
            u: client.post("/v1/experiments/retention/assign", json={"unit_id": u}).json()["variant"] for u in ids
        }
    (assigning,) = [r for r in routers if getattr(r, "exposure_log", None) is not None]
    assigning.exposure_log.flush()
    with ws.connect() as con:
        logged = dict(
            con.execute("SELECT unit_id, variant FROM ops.exposures WHERE experiment = 'retention'").fetchall()
        )
    assert logged == answers and set(answers.values()) == {"control", "offer"}


def test_exposures_still_queued_when_the_service_process_exits_are_written_and_it_exits_cleanly(ws):
    """The exposure log's thread used to be killed at exit inside its DuckDB call (the process aborted, exit 134)
    and the last second's exposures were lost; now exit stops it between batches and writes the rest."""
    script = (
        "import sys\n"
        "from soloml.experiments.http import ExposureLog\n"
        "log = ExposureLog(sys.argv[1], flush_seconds=0.05)\n"
        "for i in range(500):\n"
        "    log.log('retention', f'cus_{i}', 'offer' if i % 2 else 'control')\n"
    )
    for _ in range(3):  # the abort needed the exit to meet a batch in flight: a few exits, each a new process
        done = subprocess.run(
            [sys.executable, "-c", script, ws.warehouse_url], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
    con = ws.connect()
    try:
        logged = con.execute("SELECT count(*) FROM ops.exposures WHERE experiment = 'retention'").fetchone()[0]
    finally:
        con.close()
    assert logged == 500  # every unit once, whatever batch wrote it
