"""The dashboard: `create_ui(workspace)` is a FastAPI app of server-rendered pages over the facts the CLI prints.

Pages (readable without JavaScript; a vendored 2 kB htmx-style script only polls background jobs, a 1 kB
script sorts tables): Board `/`, Project `/projects/NAME`, Data `/data`, Models `/models`, Experiments
`/experiments`. Changing state (promote, rollback, re-run a check, a scoring run) is a POST carrying a CSRF token
and, for promote and rollback, a confirmation page first. Unknown names give a 404 page; paths on pages are
relative to the workspace.

    app = create_ui(open_workspace("demo-workspace"))
    uvicorn.run(app, host="127.0.0.1", port=8050)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from soloml.errors import RegistryError, SolomlError
from soloml.web import board_facts, charts, data_facts, experiment_facts, facts, model_facts, project_facts
from soloml.web.format import register_filters
from soloml.web.jobs import Jobs
from soloml.web.security import KEY_COOKIE, Guard, same_origin
from soloml.workspace import Workspace

HERE = Path(__file__).parent
NAME_RE = re.compile(r"^[a-z][a-z0-9_\-]*$")
VERSION_RE = re.compile(r"^v\d{4}$")
MAX_FORM_BYTES = 10_000
NAV = (("/", "Board"), ("/data", "Data"), ("/models", "Models"), ("/experiments", "Experiments"))


async def form_fields(request: Request) -> dict[str, str]:
    """A posted HTML form's fields (application/x-www-form-urlencoded), without needing python-multipart."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}


Fields = Depends(form_fields)


def create_ui(workspace: Workspace, *, api_key: str | None = None, guard: Guard | None = None) -> FastAPI:
    """The dashboard app for `workspace`; with `api_key` every page asks for it (needed for a public bind)."""
    ws = workspace
    guard = guard or Guard(api_key=api_key)
    jobs = Jobs()
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    register_filters(templates.env)
    app = FastAPI(title="soloml dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace, app.state.guard, app.state.jobs = ws, guard, jobs
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def scrub(text: str) -> str:
        """An error's words without the machine's folders: the workspace becomes '.', others their last part."""
        return text.replace(str(ws.root) + "/", "").replace(str(ws.root), ".")

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.update(
            request=request, nav=NAV, business=ws.settings.name, csrf=guard.new_token(), path=request.url.path
        )
        return templates.TemplateResponse(request, template, context, status_code=status)

    def error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return page(request, "error.html", status=status, title=title, message=scrub(message))

    def with_con(read: Callable[[Any], Any]) -> Any:
        con = ws.connect()
        try:
            return read(con)
        finally:
            con.close()

    @app.middleware("http")
    async def key_and_csrf(request: Request, call_next: Callable[[Request], Any]) -> Response:
        open_paths = request.url.path.startswith("/static/") or request.url.path == "/login"
        if guard.api_key and not open_paths:
            presented = request.headers.get("x-api-key") or request.cookies.get(KEY_COOKIE)
            if not guard.key_ok(presented):
                if request.method == "GET":
                    return RedirectResponse("/login", status_code=303)
                return HTMLResponse("This dashboard needs its API key: open /login first.", status_code=401)
        if request.method == "POST" and not same_origin(
            request.headers.get("origin"), request.headers.get("referer"), request.headers.get("host")
        ):
            return HTMLResponse("Refused: this form was sent from another site.", status_code=403)
        response: Response = await call_next(request)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
        )
        return response

    def check_token(request: Request, token: str | None) -> HTMLResponse | None:
        if guard.token_ok(token):
            return None
        return error_page(
            request,
            403,
            "Refused",
            "This action needs the form's security token; open the page again and use its button.",
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "Not found", f"There is no page at {request.url.path}.")
        return error_page(request, exc.status_code, "Error", str(exc.detail))

    @app.exception_handler(facts.NotFound)
    async def not_found(request: Request, exc: facts.NotFound) -> Response:
        return error_page(request, 404, "Not found", str(exc))

    @app.exception_handler(SolomlError)
    async def soloml_error(request: Request, exc: SolomlError) -> Response:
        return error_page(request, 409, "soloml could not do that", str(exc))

    @app.exception_handler(Exception)
    async def crash(
        request: Request, exc: Exception
    ) -> Response:  # the words, never a traceback with the machine's paths
        return error_page(request, 500, "Something went wrong", f"{type(exc).__name__}: {exc}")

    # --- login (only with an API key) -------------------------------------------------------------------------------

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> Response:
        return page(request, "login.html", wrong=False)

    @app.post("/login", response_class=HTMLResponse)
    def login(request: Request, fields: dict[str, str] = Fields) -> Response:
        if (refused := check_token(request, fields.get("csrf_token"))) is not None:
            return refused
        key = fields.get("key", "")
        if not guard.key_ok(key):
            return page(request, "login.html", status=401, wrong=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(KEY_COOKIE, key, httponly=True, samesite="strict")
        return response

    # --- pages ------------------------------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def board_page(request: Request) -> Response:
        return page(request, "board.html", board=with_con(lambda con: board_facts.board(ws, con)))

    @app.get("/projects/{name}", response_class=HTMLResponse)
    def project_page(request: Request, name: str) -> Response:
        if not NAME_RE.fullmatch(name):
            raise facts.NotFound(f"No project '{name}' in this workspace.")
        p = with_con(lambda con: project_facts.project(ws, con, name))
        check_job = jobs.latest("check", name)
        drivers = (
            charts.bars([(d["name"], d["share"]) for d in p["model"]["drivers"]], title="What drives the predictions")
            if p["model"] and p["model"]["drivers"]
            else ""
        )
        forecast_svgs = [
            charts.line_with_band(x["dates"], x["forecast"], x["lower"], x["upper"], title=f"Forecast of {x['name']}")
            for x in (p["forecast"] or {}).get("panels", [])
        ]
        progress = {
            e["name"]: charts.progress(e["progress"], title="Progress toward the planned sample")
            for e in p["experiments"]
            if e.get("progress") is not None
        }
        return page(
            request,
            "project.html",
            p=p,
            drivers_svg=drivers,
            forecast_svgs=forecast_svgs,
            progress=progress,
            check=check_job.facts if check_job else None,
        )

    @app.get("/projects/{name}/predictions.csv")
    def predictions_csv(name: str) -> Response:
        if not NAME_RE.fullmatch(name) or name not in project_facts.project_names(ws):
            raise facts.NotFound(f"No project '{name}' in this workspace.")

        def read(con: Any) -> tuple[str, list[dict[str, Any]]] | None:
            run = project_facts.latest_run_id(con, name)
            return None if run is None else (run[0], project_facts.predictions(con, name, run[0]))

        found = with_con(read)
        if found is None:
            raise facts.NotFound(f"Project '{name}' has no scoring run yet: run `soloml score {name}`.")
        run_id, rows = found
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(project_facts.PREDICTION_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        safe_run = re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)
        return Response(
            "\ufeff" + buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-{safe_run}.csv"'},
        )

    @app.get("/reports/{file_name}")
    def report_file(file_name: str) -> Response:
        stem = file_name.removesuffix(".html")
        path = ws.reports_dir / f"{stem}.html"
        if not file_name.endswith(".html") or not NAME_RE.fullmatch(stem) or not path.is_file():
            raise facts.NotFound(f"No report {file_name}: write it with `soloml report {stem}`.")
        return FileResponse(path, media_type="text/html")

    @app.get("/data", response_class=HTMLResponse)
    def data_page(request: Request) -> Response:
        return page(request, "data.html", d=with_con(data_facts.data))

    @app.get("/models", response_class=HTMLResponse)
    def models_page(request: Request, done: str | None = None) -> Response:
        return page(request, "models.html", projects=with_con(lambda con: model_facts.models(ws, con)), done=done)

    @app.get("/experiments", response_class=HTMLResponse)
    def experiments_page(request: Request) -> Response:
        items = with_con(lambda con: experiment_facts.experiments(ws, con))
        progress = {
            e["name"]: charts.progress(e["progress"], title="Progress toward the planned sample")
            for e in items
            if e.get("progress") is not None
        }
        return page(request, "experiments.html", experiments=items, progress=progress)

    # --- promote and rollback: a confirmation page, then a POST with the token ----------------------------------

    def _known(project: str, version: str | None = None) -> None:
        if not NAME_RE.fullmatch(project):
            raise facts.NotFound(f"No models for project '{project}'.")
        known = model_facts.model_versions(ws, project)
        if version is not None and (not VERSION_RE.fullmatch(version) or version not in known):
            raise facts.NotFound(f"Project '{project}' has no version {version}; it has {', '.join(known)}.")

    @app.get("/models/{project}/promote/{version}", response_class=HTMLResponse)
    def confirm_promote(request: Request, project: str, version: str) -> Response:
        _known(project, version)
        return page(
            request,
            "confirm.html",
            action="promote",
            project=project,
            version=version,
            target=f"/models/{project}/promote/{version}",
            current=_production(project),
        )

    @app.post("/models/{project}/promote/{version}")
    def do_promote(request: Request, project: str, version: str, fields: dict[str, str] = Fields) -> Response:
        if (refused := check_token(request, fields.get("csrf_token"))) is not None:
            return refused
        _known(project, version)
        from soloml.registry import promote

        change = with_con(
            lambda con: promote(con, ws.models_dir, project, version, "production", note="promoted from the dashboard")
        )
        return RedirectResponse(
            f"/models?done={change.project}+{change.version}+is+now+production#{project}", status_code=303
        )

    @app.get("/models/{project}/rollback", response_class=HTMLResponse)
    def confirm_rollback(request: Request, project: str) -> Response:
        _known(project)
        return page(
            request,
            "confirm.html",
            action="rollback",
            project=project,
            version=None,
            target=f"/models/{project}/rollback",
            current=_production(project),
        )

    @app.post("/models/{project}/rollback")
    def do_rollback(request: Request, project: str, fields: dict[str, str] = Fields) -> Response:
        if (refused := check_token(request, fields.get("csrf_token"))) is not None:
            return refused
        _known(project)
        from soloml.registry import rollback

        change = with_con(
            lambda con: rollback(con, ws.models_dir, project, "production", note="rolled back from the dashboard")
        )
        return RedirectResponse(
            f"/models?done={change.project}+rolled+back+to+{change.version}#{project}", status_code=303
        )

    def _production(project: str) -> str | None:
        from soloml.registry.aliases import resolve

        try:
            return resolve(ws.models_dir, project, "production")
        except RegistryError:
            return None

    # --- long work in the background ----------------------------------------------------------------------------

    @app.post("/projects/{name}/check")
    def start_check(request: Request, name: str, fields: dict[str, str] = Fields) -> Response:
        if (refused := check_token(request, fields.get("csrf_token"))) is not None:
            return refused
        if not NAME_RE.fullmatch(name) or not (ws.projects_dir / f"{name}.yaml").is_file():
            raise facts.NotFound(f"No project file projects/{name}.yaml to check.")

        def work() -> dict[str, Any]:
            from soloml.app.check import run_check

            return run_check(ws, name).to_facts()

        job = jobs.start("check", name, f"Checking whether the data is ready for {name}", work)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.post("/projects/{name}/score")
    def start_score(request: Request, name: str, fields: dict[str, str] = Fields) -> Response:
        if (refused := check_token(request, fields.get("csrf_token"))) is not None:
            return refused
        if not NAME_RE.fullmatch(name):
            raise facts.NotFound(f"No project '{name}'.")
        model_facts.model_versions(ws, name)

        def work() -> dict[str, Any]:
            from soloml.app.score import score

            r = score(ws, name)
            return {
                "run_id": r.run_id,
                "rows": r.rows,
                "decided": r.decided,
                "decided_by": r.decided_by,
                "model_version": r.model_version,
            }

        job = jobs.start("score", name, f"Scoring {name} with its production model", work)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)

    @app.get("/jobs/{job_id}", response_class=HTMLResponse)
    def job_page(request: Request, job_id: str) -> Response:
        job = jobs.get(job_id)
        if job is None:
            raise facts.NotFound(f"No job {job_id} (jobs are kept while the dashboard runs).")
        return page(request, "job.html", job=job.to_facts(), error=scrub(job.error) if job.error else None)

    @app.get("/jobs/{job_id}/status", response_class=HTMLResponse)
    def job_status(request: Request, job_id: str) -> Response:
        job = jobs.get(job_id)
        if job is None:
            raise facts.NotFound(f"No job {job_id}.")
        return page(request, "job_status.html", job=job.to_facts(), error=scrub(job.error) if job.error else None)

    return app
