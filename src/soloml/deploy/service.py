"""The real-time prediction service (FastAPI).

    POST /v1/{project}/predict              one record (JSON object) or a list of up to 1,000
    POST /v1/{project}/predict/{entity_id}  the features of that id from the latest `soloml score` run
    GET  /v1/{project}/model                version, threshold, feature signature
    GET  /v1/{project}/forecast             (mounted by `soloml serve` from forecasting/http.py)
    POST /v1/experiments/{name}/assign      (mounted by `soloml serve` from experiments/http.py)
    GET  /health                            the process is up          GET /ready   models are loaded
    GET  /docs, /openapi.json               the request schema of every served project

The two predict routes are answered by a thin ASGI layer in front of FastAPI (`FastPredict`): it checks
the key, then the body's type and size (deploy/edge.py), validates the body with the pydantic model
generated from the feature signature, fills a numpy row, calls the booster once and queues the
prediction for the log; no pandas, no file I/O, no database, no framework routing on the hot path. Everything else (docs, model info, health) is plain FastAPI.
"""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import ValidationError

from soloml._version import __version__
from soloml.deploy.edge import JSON, Answer, Edge, Receive, clipped, dump, header, problem, validation_errors
from soloml.deploy.logger import PredictionLogger
from soloml.deploy.models import MAX_BATCH, ModelStore, ServedModel
from soloml.deploy.reasons import as_json_list
from soloml.deploy.schema import expected_type
from soloml.errors import DeployError

REASON_MODES = ("fast", "exact", "none")
MAX_ERRORS = 20  # validation errors listed in a 422 (the message names the first 10)


def validation_problem(exc: ValidationError, served: ServedModel) -> Answer:
    """422 naming each field at fault and the type it expects (never echoing the input; long keys clipped)."""
    dtypes = served.model.signature.dtypes
    details = validation_errors(exc, MAX_ERRORS)
    for item in details:
        field_name = next((p for p in reversed(item["loc"][1:]) if isinstance(p, str) and p in dtypes), None)
        if field_name is not None:
            item["field"] = field_name
            item["expected"] = expected_type(dtypes[field_name]) + " or null"
    words = "; ".join(
        f"field '{d['field']}': {d['msg'].lower()} (expected {d['expected']})"
        if "field" in d
        else f"{'.'.join(map(str, d['loc'][1:])) or 'body'}: {d['msg'].lower()}"
        for d in details[:10]
    )
    more = f" ({exc.error_count():,} problems in all)" if exc.error_count() > len(details) else ""
    return dump(
        {"detail": details, "message": f"The request does not match project '{served.project}': {words}.{more}"}, 422
    )


class Predictor:
    """The request logic of the predict routes, independent of the web framework."""

    def __init__(self, store: ModelStore, logger: PredictionLogger | None, edge: Edge, run_id: str) -> None:
        self.store = store
        self.logger = logger
        self.edge = edge
        self.run_id = run_id

    def served(self, project: str) -> ServedModel | Answer:
        try:
            return self.store.get(project)
        except DeployError as exc:
            return problem(404, self.edge.shown(str(exc)))

    @staticmethod
    def reason_mode(query: bytes) -> str | Answer:
        if not query:
            return "fast"
        given = parse_qs(query.decode("latin-1"), keep_blank_values=True).get("reasons")
        how = "fast" if given is None else given[-1]
        if how not in REASON_MODES:
            return problem(
                422, f"Query parameter reasons='{clipped(how, 40)}' is not one of {', '.join(REASON_MODES)}."
            )
        return how

    async def handle(self, scope: dict[str, Any], receive: Receive, project: str, entity_id: str | None) -> Answer:
        """Key first, then the body's type and size, then the prediction; any failure is answered, never raised."""
        headers = scope["headers"]
        denied = self.edge.refused(header(headers, b"x-api-key"))
        if denied is None and entity_id is None:
            denied = self.edge.unsupported(header(headers, b"content-type"))
        if denied is not None:
            return denied
        body = b"" if entity_id is not None else await self.edge.body(receive, header(headers, b"content-length"))
        if isinstance(body, tuple):
            return body
        try:
            return self.predict(project, entity_id, scope.get("query_string", b""), body)
        except Exception as exc:  # noqa: BLE001 - answer, never drop the connection
            return problem(500, self.edge.shown(f"Prediction failed: {type(exc).__name__}: {exc}"))

    def predict(self, project: str, entity_id: str | None, query: bytes, body: bytes) -> Answer:
        served = self.served(project)
        if isinstance(served, tuple):
            return served
        how = self.reason_mode(query)
        if isinstance(how, tuple):
            return how
        if entity_id is not None:
            row = served.lookup.get(entity_id)
            if row is None or served.lookup_matrix is None:
                why = (
                    f"no batch has been scored yet; run `soloml score {project}`"
                    if served.lookup_matrix is None
                    else "it was not in the latest scored population"
                )
                return problem(
                    404,
                    f"No features for '{clipped(entity_id, 80)}' in project '{project}': {why}. Send the features in the body to /v1/{project}/predict instead.",
                )
            return self.answer(served, served.lookup_matrix[row : row + 1], how, True, entity_id)
        try:
            if body.lstrip()[:1] == b"[":
                records = served.many.validate_json(body)
                single = False
            else:
                records = [served.request.model_validate_json(body)]
                single = True
        except ValidationError as exc:
            return validation_problem(exc, served)
        return self.answer(served, served.encoder.encode(records), how, single)

    def answer(self, served: ServedModel, X: Any, how: str, single: bool, entity_id: str | None = None) -> Answer:
        scores, reasons = served.predict_explain(X, how)
        labels = served.classes_of(X)[1] if served.task == "multiclass" else None
        threshold = served.threshold
        out = []
        logger = self.logger
        now = datetime.now(UTC).replace(tzinfo=None) if logger is not None else None
        for i, (score, why) in enumerate(zip(scores.tolist(), reasons, strict=False)):
            decision = None if threshold is None else score >= threshold
            out.append(
                {
                    "score": score,
                    "decision": decision,
                    "reasons": why,
                    **({"class": labels[i]} if labels is not None else {}),
                }
            )
            if logger is not None:
                logger.log(
                    (
                        self.run_id,
                        served.project,
                        served.version,
                        entity_id,
                        score,
                        decision,
                        None,
                        as_json_list(why),
                        now,
                        "service",
                    )
                )
        head = {"project": served.project, "model_version": served.version}
        if single:
            return dump({**head, **({"entity_id": entity_id} if entity_id is not None else {}), **out[0]})
        return dump({**head, "predictions": out})


class FastPredict:
    """ASGI layer answering POST /v1/{project}/predict[/{entity_id}] directly; everything else goes to FastAPI."""

    def __init__(self, app: FastAPI, predictor: Predictor) -> None:
        self.app = app
        self.predictor = predictor
        self.state = app.state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            parts = scope["path"].split("/")
            if (
                len(parts) in (4, 5)
                and parts[1] == "v1"
                and parts[3] == "predict"
                and parts[2]
                and (len(parts) == 4 or parts[4])
            ):
                status, payload = await self.predictor.handle(
                    scope, receive, parts[2], parts[4] if len(parts) == 5 else None
                )
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": payload})
                return
        await self.app(scope, receive, send)


def create_app(
    models_dir: Path,
    *,
    root: Path | None = None,
    warehouse: str | Path | None = None,
    api_key: str | None = None,
    projects: tuple[str, ...] | None = None,
    watch_seconds: float = 0.5,
    log_queue: int = 50_000,
    routers: tuple[Any, ...] = (),
) -> FastPredict:
    """The service app. `root` (the workspace) enables look-ups by id; `warehouse` (a DuckDB file or a Postgres URL) the prediction log.

    `routers` are extra FastAPI routers mounted beside the predict routes (e.g. experiment assignment);
    they check keys, bodies and paths through `app.state.edge` (deploy/edge.py), as the predict routes do.
    """
    store = ModelStore(models_dir, root=root, projects=projects, watch_seconds=watch_seconds)
    logger = PredictionLogger(warehouse, max_queue=log_queue) if warehouse else None
    run_id = f"serve-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    edge = Edge(api_key, base=Path(root) if root is not None else Path(models_dir).parent)
    predictor = Predictor(store, logger, edge, run_id)

    @asynccontextmanager
    async def lifespan(_: FastAPI):  # noqa: ANN202
        store.start()
        if logger is not None:
            logger.start()
        try:
            yield
        finally:
            store.stop()
            if logger is not None:
                logger.stop()

    app = FastAPI(
        title="soloml prediction service", version=__version__, lifespan=lifespan, docs_url="/docs", redoc_url=None
    )
    app.state.store = store
    app.state.logger = logger
    app.state.run_id = run_id
    app.state.api_key = api_key
    app.state.edge = edge  # routers check the key, body and paths the same way
    for router in routers:
        app.include_router(router)

    def reply(answer: Answer) -> Response:
        return Response(answer[1], status_code=answer[0], media_type=JSON)

    # The same logic through FastAPI, for mounts and tests that bypass FastPredict.
    @app.post("/v1/{project}/predict", include_in_schema=False)
    async def predict(project: str, request: Request) -> Response:
        return reply(await predictor.handle(request.scope, request.receive, project, None))

    @app.post("/v1/{project}/predict/{entity_id}", include_in_schema=False)
    async def predict_entity(project: str, entity_id: str, request: Request) -> Response:
        return reply(await predictor.handle(request.scope, request.receive, project, entity_id))

    @app.get("/v1/{project}/model", include_in_schema=False)
    async def model_info(project: str, request: Request) -> Response:
        if (denied := edge.refused(header(request.scope["headers"], b"x-api-key"))) is not None:
            return reply(denied)
        served = predictor.served(project)
        return reply(served if isinstance(served, tuple) else dump(served.describe()))

    @app.get("/health", tags=["service"])
    async def health() -> dict[str, str]:
        """The process is up (liveness)."""
        return {"status": "ok", "version": __version__}

    @app.get("/ready", tags=["service"], responses={503: {"description": "No production model is loaded yet."}})
    async def ready() -> Response:
        """Ready when at least one production model is loaded; lists them and the prediction-log counters."""
        stats = logger.stats if logger is not None else None
        body = {
            "ready": bool(store.served or store.forecasters),
            "models": {p: s.version for p, s in sorted(store.served.items())},
            "forecasters": dict(sorted(store.forecasters.items())),
            "errors": {p: edge.shown(e) for p, e in store.errors.items()},
            "prediction_log": None
            if stats is None
            else {
                "logged": stats.logged,
                "dropped": stats.dropped,
                "pending": stats.pending,
                "failed_writes": stats.failed_writes,
            },
        }
        return reply(dump(body, 200 if store.served or store.forecasters else 503))

    mounted = {getattr(route, "path", None) for router in routers for route in getattr(router, "routes", ())}
    forecasts = "/v1/{project}/forecast" in mounted  # documented per served forecaster only where mounted
    app.openapi = lambda: openapi(app, store, api_key is not None, forecasts=forecasts)  # type: ignore[method-assign]
    return FastPredict(app, predictor)


def openapi(app: FastAPI, store: ModelStore, secured: bool, *, forecasts: bool = False) -> dict[str, Any]:
    """The OpenAPI document, with concrete paths and request schemas for every project served right now."""
    doc = get_openapi(
        title=app.title,
        version=app.version,
        routes=app.routes,
        description="Predictions from soloml's production models.",
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    security = [{"ApiKey": []}] if secured else []
    if secured:
        doc["components"]["securitySchemes"] = {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
    reasons_param = {
        "name": "reasons",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": list(REASON_MODES), "default": "fast"},
        "description": "fast: path contributions (default); exact: TreeSHAP (slower); none: skip reasons.",
    }
    prediction = {
        "type": "object",
        "properties": {
            "score": {"type": "number"},
            "decision": {"type": ["boolean", "null"]},
            "reasons": {"type": "array", "items": {"type": "string"}},
        },
    }
    errors = {
        "401": {"description": "Missing or wrong X-API-Key."},
        "404": {"description": "Unknown project or entity."},
        "422": {
            "description": "The body does not match the feature signature; names each field and the expected type."
        },
    }
    for project, served in sorted(store.served.items()):
        name = served.request.__name__
        schema = served.request.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[name] = schema
        body = {
            "anyOf": [
                {"$ref": f"#/components/schemas/{name}"},
                {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/{name}"},
                    "minItems": 1,
                    "maxItems": MAX_BATCH,
                },
            ]
        }
        doc["paths"][f"/v1/{project}/predict"] = {
            "post": {
                "summary": f"Predict for project {project} (one record or a list)",
                "operationId": f"predict_{project}",
                "tags": [project],
                "parameters": [reasons_param],
                "security": security,
                "requestBody": {"required": True, "content": {JSON: {"schema": body}}},
                "responses": {
                    "200": {
                        "description": "Score, decision, top reasons and model version.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    },
                    **errors,
                },
            }
        }
        doc["paths"][f"/v1/{project}/predict/{{entity_id}}"] = {
            "post": {
                "summary": f"Predict for one {project} entity from its latest scored features",
                "operationId": f"predict_{project}_entity",
                "tags": [project],
                "parameters": [
                    {"name": "entity_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    reasons_param,
                ],
                "security": security,
                "responses": {
                    "200": {
                        "description": "Score, decision, top reasons and model version.",
                        "content": {JSON: {"schema": prediction}},
                    },
                    **errors,
                },
            }
        }
        doc["paths"][f"/v1/{project}/model"] = {
            "get": {
                "summary": f"The production model of {project}",
                "operationId": f"model_{project}",
                "tags": [project],
                "security": security,
                "responses": {
                    "200": {
                        "description": "Version, threshold and feature signature.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    },
                    **errors,
                },
            }
        }
    for project, version in sorted(store.forecasters.items() if forecasts else ()):
        doc["paths"][f"/v1/{project}/forecast"] = {
            "get": {
                "summary": f"The latest forecast of {project} ({version} in production)",
                "operationId": f"forecast_{project}",
                "tags": [project],
                "security": security,
                "responses": {
                    "200": {
                        "description": "Periods, point forecasts, interval bounds and series ids.",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    },
                    "401": errors["401"],
                    "404": errors["404"],
                },
            }
        }
    for path, operations in doc["paths"].items():  # mounted routers (experiment assignment) need the key too
        if path.startswith("/v1/"):
            for operation in operations.values():
                operation.setdefault("security", security)
    return doc
