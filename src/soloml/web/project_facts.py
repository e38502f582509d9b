"""The Project page's facts: its contract, readiness, model, latest scoring, experiments, monitoring and forecast."""

from __future__ import annotations

from datetime import date
from typing import Any

from soloml.errors import SolomlError
from soloml.warehouse.base import Connection
from soloml.web.experiment_facts import experiments
from soloml.web.facts import NotFound, json_value
from soloml.workspace import Workspace

PREDICTIONS_SHOWN = 50


def project_names(ws: Workspace) -> list[str]:
    from soloml.registry.store import projects

    return sorted({p.stem for p in ws.projects_dir.glob("*.yaml")} | set(projects(ws.models_dir)))


def contract(ws: Workspace, project: str) -> dict[str, Any] | None:
    """The requirements contract in words, or None when the project has models but no projects/<name>.yaml."""
    from soloml.projects.spec import find_spec
    from soloml.tracker.project_events import contract_facts

    if not (ws.projects_dir / f"{project}.yaml").is_file():
        if project not in project_names(ws):
            raise NotFound(f"No project '{project}' in this workspace.")
        return None
    spec = find_spec(ws.projects_dir, project)
    facts = contract_facts(spec)
    facts["label"] = spec.label.definition
    facts["name"] = spec.name
    return facts


def readiness(con: Connection, project: str) -> dict[str, Any] | None:
    """The latest recorded `soloml check PROJECT` (ops.runs kind 'check'): outcome, summary and counts."""
    rows = con.execute(
        "SELECT run_id, finished_at, details FROM ops.runs WHERE kind = 'check' AND project = ? ORDER BY finished_at DESC LIMIT 1",
        [project],
    ).fetchall()
    if not rows:
        return None
    from soloml.readiness.findings import OUTCOME_WORDS

    run_id, at, details = rows[0]
    d = json_value(details) or {}
    outcome = d.get("outcome")
    return {
        "run_id": run_id,
        "checked_at": at,
        "outcome": outcome,
        "outcome_words": OUTCOME_WORDS.get(outcome, outcome),  # type: ignore[call-overload]
        "summary": d.get("summary"),
        "counts": d.get("counts") or {},
    }


def model(ws: Workspace, project: str) -> dict[str, Any] | None:
    """The production model (else the latest) against its baselines, in business units, with its verdict and drivers."""
    from soloml.modeling.words import BASELINE_NAMES, business_lines, money
    from soloml.registry.aliases import resolve
    from soloml.registry.store import read_metadata, versions

    if not versions(ws.models_dir, project):
        return None
    try:
        version, which = resolve(ws.models_dir, project, "production"), "production"
    except SolomlError:
        version, which = resolve(ws.models_dir, project, "latest"), "latest (not promoted)"
    meta = read_metadata(ws.models_dir, project, version)
    detail = meta.get("verdict_detail") or {}
    business = meta.get("business") or {}
    currency = business.get("currency") or "USD"
    try:
        words = business_lines(meta)
    except (KeyError, TypeError, ZeroDivisionError):
        words = []
    comparison = [{"name": "this model", "score": meta.get("model_score")}]
    comparison += [
        {"name": BASELINE_NAMES.get(k, k), "score": v} for k, v in (meta.get("baseline_scores") or {}).items()
    ]
    money_rows = []
    if business.get("agreed") and business.get("expected_value") is not None:
        money_rows.append(
            {
                "name": "this model",
                "value": business["expected_value"],
                "words": money(business["expected_value"], currency),
            }
        )
        rule = business.get("today_rule") or {}
        if rule.get("expected_value") is not None:
            money_rows.append(
                {
                    "name": f"today's rule ({rule.get('description')})",
                    "value": rule["expected_value"],
                    "words": money(rule["expected_value"], currency),
                }
            )
        pick = business.get("random_pick") or {}
        if pick.get("expected_value") is not None:
            money_rows.append(
                {
                    "name": "a random pick",
                    "value": pick["expected_value"],
                    "words": money(pick["expected_value"], currency),
                }
            )
    drivers = sorted(meta.get("importance") or [], key=lambda f: -(f.get("gain_share") or 0.0))[:10]
    return {
        "version": version,
        "which": which,
        "verdict": meta.get("verdict"),
        "headline": detail.get("headline"),
        "reasons": detail.get("reasons") or [],
        "next_steps": detail.get("next_steps") or [],
        "metric": meta.get("metric"),
        "threshold": detail.get("done_value"),
        "comparison": comparison,
        "business_words": words,
        "money": money_rows,
        "cycle": business.get("cycle"),
        "currency": currency,
        "created_at": meta.get("created_at"),
        "drivers": [
            {"name": f.get("description") or f["name"], "share": float(f.get("gain_share") or 0.0)} for f in drivers
        ],
    }


def latest_scoring(
    ws: Workspace, con: Connection, project: str, *, limit: int = PREDICTIONS_SHOWN
) -> dict[str, Any] | None:
    """The latest successful batch scoring run and the top of its list (the whole list is the CSV download)."""
    run = latest_run_id(con, project)
    if run is None:
        return None
    run_id, version, at, n = run
    rows = predictions(con, project, run_id, limit=limit)
    decided = con.execute(
        "SELECT count(*) FROM ops.predictions WHERE project = ? AND run_id = ? AND decision", [project, run_id]
    ).fetchone()
    return {
        "run_id": run_id,
        "version": version,
        "finished_at": at,
        "rows": n,
        "decided": int(decided[0]) if decided else 0,
        "list": rows,
    }


def latest_run_id(con: Connection, project: str) -> tuple[str, str, Any, int] | None:
    rows = con.execute(
        "SELECT run_id, model_version, finished_at, rows FROM ops.runs WHERE kind = 'score' AND status = 'succeeded' AND project = ? "
        "ORDER BY finished_at DESC LIMIT 1",
        [project],
    ).fetchall()
    return (rows[0][0], rows[0][1], rows[0][2], int(rows[0][3] or 0)) if rows else None


PREDICTION_COLUMNS = ("rank", "entity_id", "source_system", "source_id", "email", "score", "decision", "top_reasons")


def predictions(con: Connection, project: str, run_id: str, *, limit: int | None = None) -> list[dict[str, Any]]:
    """One run's predictions, best rank first."""
    sql = (
        f"SELECT {', '.join(PREDICTION_COLUMNS)} FROM ops.predictions WHERE project = ? AND run_id = ? "
        "ORDER BY rank NULLS LAST, score DESC"
    )
    params: list[Any] = [project, run_id]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    out = []
    for row in con.execute(sql, params).fetchall():
        r = dict(zip(PREDICTION_COLUMNS, row, strict=True))
        r["top_reasons"] = "; ".join(json_value(r["top_reasons"]) or [])
        out.append(r)
    return out


def monitoring(con: Connection, project: str) -> dict[str, Any] | None:
    """The latest `soloml monitor PROJECT`: every check (drift, freshness, live performance) with its alert in words."""
    from soloml.tracker.events import alert_words

    latest = con.execute(
        "SELECT run_id, checked_at FROM ops.monitoring WHERE project = ? ORDER BY checked_at DESC LIMIT 1", [project]
    ).fetchall()
    if not latest:
        return None
    run_id, at = latest[0]
    rows = con.execute(
        "SELECT check_name, subject, statistic, threshold, alert, details FROM ops.monitoring WHERE run_id = ? ORDER BY alert DESC, check_name, subject",
        [run_id],
    ).fetchall()
    checks = []
    for check, subject, stat, threshold, alert, details in rows:
        d = json_value(details) or {}
        checks.append(
            {
                "check": check,
                "subject": subject,
                "statistic": stat,
                "threshold": threshold,
                "alert": bool(alert),
                "words": alert_words(check, subject, stat, threshold, d) if alert else (d.get("words") or ""),
            }
        )
    return {"run_id": run_id, "checked_at": at, "alerts": sum(c["alert"] for c in checks), "checks": checks}


def forecast(con: Connection, project: str) -> dict[str, Any] | None:
    """The latest forecast run of a forecast project (ops.forecasts), one panel per series, for the chart."""
    from soloml.warehouse.connection import table_exists

    if not table_exists(con, "ops.forecasts"):
        return None
    latest = con.execute(
        "SELECT run_id, max(made_at) FROM ops.forecasts WHERE project = ? GROUP BY 1 ORDER BY 2 DESC LIMIT 1", [project]
    ).fetchall()
    if not latest:
        return None
    run_id, at = latest[0]
    rows = con.execute(
        "SELECT series_id, period, forecast, lower, upper, level, model FROM ops.forecasts WHERE run_id = ? AND project = ? ORDER BY series_id, period",
        [run_id, project],
    ).fetchall()
    panels: dict[str, dict[str, Any]] = {}
    for series, period, value, lower, upper, level, name in rows:
        p = panels.setdefault(
            series,
            {
                "name": series,
                "model": name,
                "level": level or 0.8,
                "dates": [],
                "forecast": [],
                "lower": [],
                "upper": [],
            },
        )
        p["dates"].append(period.isoformat() if isinstance(period, date) else str(period))
        p["forecast"].append(value)
        p["lower"].append(lower)
        p["upper"].append(upper)
    return {"run_id": run_id, "made_at": at, "panels": list(panels.values())[:4]}


def report_link(ws: Workspace, project: str) -> str | None:
    """reports/<project>.html when `soloml report` has written it."""
    return f"reports/{project}.html" if (ws.reports_dir / f"{project}.html").is_file() else None


def project(ws: Workspace, con: Connection, name: str) -> dict[str, Any]:
    """Every block of the Project page; raises NotFound for a project the workspace does not know."""
    if name not in project_names(ws):
        raise NotFound(f"No project '{name}' in this workspace.")
    return {
        "name": name,
        "contract": contract(ws, name),
        "readiness": readiness(con, name),
        "model": model(ws, name),
        "scoring": latest_scoring(ws, con, name),
        "experiments": [e for e in experiments(ws, con) if e["project"] == name],
        "monitoring": monitoring(con, name),
        "forecast": forecast(con, name),
        "report": report_link(ws, name),
    }
