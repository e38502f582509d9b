"""The prediction service, over HTTP against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import time

import httpx
import numpy as np
import pandas as pd
import pytest
from deploy_helpers import FEATURES, accounts, train_version

from soloml.deploy.runner import app_for_workspace, running
from soloml.registry import load_model, promote

KEY = "test-key-0123456789abcdef"


def record(row: pd.Series) -> dict:
    out = {name: row[name] for name in FEATURES}
    out["revenue_90d"] = None if pd.isna(out["revenue_90d"]) else float(out["revenue_90d"])
    out["auto_renew"] = bool(out["auto_renew"])
    out["orders_90d"] = int(out["orders_90d"])
    out["failed_payments_30d"] = int(out["failed_payments_30d"])
    out["email_opens_30d"] = int(out["email_opens_30d"])
    return out


RECORDS = [record(r) for _, r in accounts().head(20).iterrows()]


def registry_scores(ws, records: list[dict], version: str = "production") -> np.ndarray:
    """What the registry's own pandas path predicts for the same records."""
    return load_model(ws.models_dir, "churn", version).predict(pd.DataFrame(records))


@pytest.fixture
def service(trained_ws):
    with (
        running(app_for_workspace(trained_ws, watch_seconds=0.1)) as svc,
        httpx.Client(base_url=svc.url, timeout=10) as client,
    ):
        yield trained_ws, client


def test_one_record_gets_score_decision_reasons_and_version(service):
    ws, client = service
    response = client.post("/v1/churn/predict", json=RECORDS[0])
    assert response.status_code == 200, response.text
    body = response.json()
    model = load_model(ws.models_dir, "churn")
    assert body["project"] == "churn" and body["model_version"] == "v0001"
    assert body["score"] == pytest.approx(float(registry_scores(ws, RECORDS[:1])[0]), abs=1e-12)
    assert body["decision"] is (body["score"] >= model.threshold)
    assert 1 <= len(body["reasons"]) <= 3 and all(isinstance(r, str) and ": " in r for r in body["reasons"])


def test_a_list_gets_one_prediction_per_record_in_order(service):
    ws, client = service
    response = client.post("/v1/churn/predict", json=RECORDS)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    np.testing.assert_allclose([p["score"] for p in predictions], registry_scores(ws, RECORDS), atol=1e-12)
    singles = [client.post("/v1/churn/predict", json=r).json() for r in RECORDS[:5]]
    assert [s["reasons"] for s in singles] == [p["reasons"] for p in predictions[:5]], (
        "the one-row fast path words reasons like the list path"
    )
    assert [s["score"] for s in singles] == pytest.approx([p["score"] for p in predictions[:5]], abs=1e-12)


@pytest.mark.parametrize(
    ("change", "field", "expected"),
    [
        ({"orders_90d": "a few"}, "orders_90d", "an integer or null"),
        ({"revenue_90d": "lots"}, "revenue_90d", "a number or null"),
        ({"auto_renew": "maybe"}, "auto_renew", "true or false or null"),
        ({"plan": 7}, "plan", "a text value or null"),
        ({"coupon_code": "SAVE10"}, None, None),
        ({"plan": None, "failed_payments_30d": None}, None, None),
    ],
)
def test_bad_fields_get_a_422_naming_the_field_and_type(service, change: dict, field: str | None, expected: str | None):
    _, client = service
    payload = {**RECORDS[0], **change}
    response = client.post("/v1/churn/predict", json=payload)
    if change.get("plan", 0) is None:  # explicit nulls are missing values, not errors
        assert response.status_code == 200
        return
    assert response.status_code == 422
    body = response.json()
    if field is None:
        assert body["detail"][0]["type"] == "extra_forbidden" and "coupon_code" in body["message"]
    else:
        assert body["detail"][0]["field"] == field and body["detail"][0]["expected"] == expected
        assert f"field '{field}'" in body["message"] and expected in body["message"]


def test_a_missing_field_is_named(service):
    _, client = service
    payload = dict(RECORDS[0])
    del payload["failed_payments_30d"]
    response = client.post("/v1/churn/predict", json=payload)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "failed_payments_30d"
    assert "field 'failed_payments_30d': field required" in response.json()["message"]


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b"42", b'"text"', b"[1, 2]", b"null"])
def test_malformed_bodies_are_422_not_500(service, body: bytes):
    _, client = service
    response = client.post("/v1/churn/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422


def test_too_many_records_or_bytes_are_refused(service):
    _, client = service
    too_many = client.post("/v1/churn/predict", json=[RECORDS[0]] * 1001)
    assert too_many.status_code == 422 and "at most 1000 items" in too_many.json()["message"]
    huge = client.post(
        "/v1/churn/predict",
        content=b"[" + b" " * (5 * 1024 * 1024) + b"]",
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413


def test_unknown_project_is_404_with_a_suggestion(service):
    _, client = service
    response = client.post("/v1/chrun/predict", json=RECORDS[0])
    assert response.status_code == 404 and "Did you mean 'churn'?" in response.json()["detail"]


@pytest.mark.parametrize(("mode", "some_reasons"), [("fast", True), ("exact", True), ("none", False)])
def test_reasons_can_be_exact_fast_or_skipped(service, mode: str, some_reasons: bool):
    _, client = service
    body = client.post(f"/v1/churn/predict?reasons={mode}", json=RECORDS[1]).json()
    assert bool(body["reasons"]) is some_reasons


def test_model_endpoint_describes_the_production_model(service):
    _, client = service
    body = client.get("/v1/churn/model").json()
    assert body["model_version"] == "v0001" and body["task"] == "binary"
    assert [f["name"] for f in body["features"]] == list(FEATURES)
    assert {
        "name": "plan",
        "type": "category",
        "description": "plan",
        "categories": ["annual", "monthly", "weekly"],
    } in body["features"]


def test_health_ready_and_openapi(service):
    _, client = service
    assert client.get("/health").json()["status"] == "ok"
    ready = client.get("/ready").json()
    assert ready["ready"] is True and ready["models"] == {"churn": "v0001"}
    doc = client.get("/openapi.json").json()
    assert "/v1/churn/predict" in doc["paths"] and "ChurnFeatures" in doc["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_predictions_are_logged_to_ops_predictions(trained_ws):
    with running(app_for_workspace(trained_ws)) as svc, httpx.Client(base_url=svc.url) as client:
        for payload in RECORDS[:5]:
            assert client.post("/v1/churn/predict", json=payload).status_code == 200
        assert client.post("/v1/churn/predict", json=RECORDS[5:8]).status_code == 200
    con = trained_ws.connect(read_only=True)
    try:
        rows = con.execute("SELECT model_version, origin, count(*) FROM ops.predictions GROUP BY ALL").fetchall()
    finally:
        con.close()
    assert rows == [("v0001", "service", 8)]


def test_a_promotion_is_picked_up_without_a_restart(trained_ws):
    with running(app_for_workspace(trained_ws, watch_seconds=0.1)) as svc, httpx.Client(base_url=svc.url) as client:
        before = client.post("/v1/churn/predict", json=RECORDS[:10]).json()
        assert before["model_version"] == "v0001"
        version = train_version(
            trained_ws, params={"num_threads": 1, "num_leaves": 4, "min_data_in_leaf": 40}, promote_it=False
        )
        assert client.get("/v1/churn/model").json()["model_version"] == "v0001", "a candidate is not served"
        con = trained_ws.connect()
        try:
            promote(con, trained_ws.models_dir, "churn", version)
        finally:
            con.close()
        deadline = time.monotonic() + 10
        while client.get("/v1/churn/model").json()["model_version"] != version:
            assert time.monotonic() < deadline, "the promotion was not picked up within 10 s"
            time.sleep(0.05)
        after = client.post("/v1/churn/predict", json=RECORDS[:10]).json()
    assert after["model_version"] == version == "v0002"
    np.testing.assert_allclose(
        [p["score"] for p in after["predictions"]], registry_scores(trained_ws, RECORDS[:10], version), atol=1e-12
    )
    assert [p["score"] for p in after["predictions"]] != [p["score"] for p in before["predictions"]]


def test_with_an_api_key_every_model_route_requires_it(trained_ws):
    app = app_for_workspace(trained_ws, api_key=KEY)
    with running(app) as svc, httpx.Client(base_url=svc.url) as client:
        assert client.post("/v1/churn/predict", json=RECORDS[0]).status_code == 401
        assert client.post("/v1/churn/predict", json=RECORDS[0], headers={"X-API-Key": "wrong"}).status_code == 401
        assert client.get("/v1/churn/model").status_code == 401
        assert client.post("/v1/churn/predict", json=RECORDS[0], headers={"X-API-Key": KEY}).status_code == 200
        assert client.get("/health").status_code == 200
        doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["ApiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}


def test_without_a_production_model_the_service_is_alive_but_not_ready(ws):
    with running(app_for_workspace(ws)) as svc, httpx.Client(base_url=svc.url) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 503
        response = client.post("/v1/churn/predict", json={})
    assert response.status_code == 404 and "No project has a production model yet" in response.json()["detail"]


FORGED = {
    "threshold 'abc'": lambda meta: meta.__setitem__("threshold", "abc"),
    "10 names for a 6-feature booster": lambda meta: meta["signature"].__setitem__(
        "names", [f"f{i}" for i in range(10)]
    ),
}


@pytest.mark.parametrize("forgery", list(FORGED), ids=list(FORGED))
def test_a_forged_version_is_refused_alone_and_every_other_project_is_served(trained_ws, forgery: str):
    import shutil

    from registry.forgery import forge

    shutil.copytree(trained_ws.models_dir / "churn", trained_ws.models_dir / "upsell")
    forge(trained_ws.models_dir / "upsell" / "v0001", FORGED[forgery])
    with running(app_for_workspace(trained_ws)) as svc, httpx.Client(base_url=svc.url) as client:
        ready = client.get("/ready")
        good = client.post("/v1/churn/predict", json=RECORDS[0])
        bad = client.post("/v1/upsell/predict", json=RECORDS[0])
    assert ready.status_code == 200 and ready.json()["models"] == {"churn": "v0001"}
    assert "upsell v0001" in ready.json()["errors"]["upsell"] and "cannot be used" in ready.json()["errors"]["upsell"]
    assert good.status_code == 200
    assert bad.status_code == 404 and "cannot be used" in bad.json()["detail"]
