"""`GET /v1/{project}/forecast` for the prediction service: the production forecaster's latest forecast.

The service (deploy/) knows nothing of forecasts; `soloml serve` mounts this router beside the predict
routes, as it mounts experiment assignment. The key is checked first (deploy/edge.py), as on every route;
a project with no production forecaster is a 404 whose message says what to do.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from soloml.deploy.edge import JSON, dump, edge_of, header, problem
from soloml.errors import SolomlError
from soloml.forecasting.shipping import served_forecast

ROUTE = "/v1/{project}/forecast"


def forecast_router(models_dir: Path, root: Path | None) -> APIRouter:
    """The forecast route over a workspace's models/ (and its forecasts/ folder for the latest run)."""
    router = APIRouter(tags=["forecasts"])

    @router.get(ROUTE, include_in_schema=False)  # documented per served forecaster by the service's openapi
    async def forecast(project: str, request: Request) -> Response:
        """The production forecaster's latest forecast: periods, point forecast, interval, series ids."""
        edge = edge_of(request.app)
        denied = edge.refused(header(request.scope["headers"], b"x-api-key"))
        if denied is None:
            try:
                denied = dump(served_forecast(Path(models_dir), Path(root) if root is not None else None, project))
            except SolomlError as exc:
                denied = problem(404, edge.shown(str(exc)))
        status, payload = denied
        return Response(payload, status_code=status, media_type=JSON)

    return router
