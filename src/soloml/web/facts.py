"""The facts each dashboard page renders, gathered from the stage APIs: plain, JSON-ready dicts.

One small function per block of a page, so the Project page can later be switched to
`reports.facts.project_facts(ws, project).to_facts()` block by block. Every function takes an open
connection (the page opens one per request and closes it, so a CLI command in another process can
still write the warehouse) and returns dicts the templates only format: no query lives in a template.

Paths shown on a page are relative to the workspace root; absolute paths never leave this module.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from soloml.errors import SolomlError
from soloml.warehouse.base import Connection
from soloml.warehouse.stamp import Memo
from soloml.workspace import Workspace

PREDICTIONS_SHOWN = 50
QUARANTINE_SHOWN = 50
JOURNAL_SHOWN = 50


class NotFound(LookupError):
    """A project, version or experiment the workspace does not hold (the page answers 404)."""


def relative(ws: Workspace, path: Path | str | None) -> str | None:
    """`path` relative to the workspace root; a path outside it is shown by its file name only."""
    if path is None:
        return None
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ws.root))
    except ValueError:
        return p.name


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value


# --- board -----------------------------------------------------------------------------------------------------


def board(ws: Workspace, con: Connection) -> dict[str, Any]:
    """The rows `soloml board` writes to board.csv, computed without writing anything (the page is a GET)."""
    from soloml.tracker.board import MEMORY_FILE, _read_memory, build_board, person_columns
    from soloml.tracker.events import gather_events, local_now
    from soloml.tracker.sheet import Sheet, read_sheet

    log = gather_events(ws, con=con)
    sheet = read_sheet(ws.board_path) if ws.board_path.is_file() else Sheet(ws.board_path, (), (), ())
    built, _ = build_board(
        sheet, log, _read_memory(ws.root / MEMORY_FILE), today=local_now(ws).date(), person=person_columns(ws)
    )
    facts = built.to_facts()
    facts["path"] = relative(ws, built.path)
    facts.pop("xlsx", None)
    return facts


# --- project -----------------------------------------------------------------------------------------------------


def project_names(ws: Workspace) -> list[str]:
    from soloml.registry.store import projects

    return sorted({p.stem for p in ws.projects_dir.glob("*.yaml")} | set(projects(ws.models_dir)))


def contract(ws: Workspace, project: str) -> dict[str, Any] | None:
    """The requirements contract in words, or None when the project has models but no projects/<name>.yaml."""
    from soloml.projects.spec import find_spec
    from soloml.tracker.events import contract_facts

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
    d = _json(details) or {}
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
        r["top_reasons"] = "; ".join(_json(r["top_reasons"]) or [])
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
        d = _json(details) or {}
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


# --- data ---------------------------------------------------------------------------------------------------------


def tables(con: Connection) -> list[dict[str, Any]]:
    """The same tables, row counts and last loads as `soloml tables --json`."""
    from soloml.warehouse.tables import list_tables

    out = []
    for t in list_tables(con):
        last = t.last_load
        out.append(
            {
                "table": t.table,
                "rows": t.rows,
                "columns": len([c for c in t.columns if not c.name.startswith("_")]),
                "last_load": None
                if last is None
                else {
                    "load_id": last.load_id,
                    "source": Path(last.source).name,
                    "finished_at": last.finished_at,
                    "rows_loaded": last.rows_loaded,
                },
            }
        )
    return out


def journal(con: Connection, *, limit: int = JOURNAL_SHOWN) -> list[dict[str, Any]]:
    """The load journal, newest first; sources by file name (the folder they came from stays on the machine)."""
    rows = con.execute(
        "SELECT load_id, source, target_table, status, rows_in, rows_loaded, rows_quarantined, rows_skipped, coalesce(finished_at, started_at), error "
        "FROM ops.loads ORDER BY coalesce(finished_at, started_at) DESC NULLS LAST LIMIT ?",
        [limit],
    ).fetchall()
    keys = (
        "load_id",
        "source",
        "table",
        "status",
        "rows_in",
        "rows_loaded",
        "rows_quarantined",
        "rows_skipped",
        "at",
        "error",
    )
    return [{**dict(zip(keys, r, strict=True)), "source": Path(str(r[1])).name} for r in rows]


def quarantine(con: Connection, *, limit: int = QUARANTINE_SHOWN) -> dict[str, Any]:
    """Rows that did not load, with the reason, and how many there are per reason."""
    total = con.execute("SELECT count(*) FROM ops.quarantine").fetchone()
    reasons = con.execute("SELECT reason, count(*) FROM ops.quarantine GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    rows = con.execute(
        "SELECT load_id, source, row_number, reason, raw_row FROM ops.quarantine ORDER BY load_id, row_number LIMIT ?",
        [limit],
    ).fetchall()
    return {
        "total": int(total[0]) if total else 0,
        "by_reason": [{"reason": r, "rows": int(n)} for r, n in reasons],
        "rows": [
            {
                "load_id": lid,
                "source": Path(str(src)).name if src else None,
                "row_number": n,
                "reason": reason,
                "raw_row": json.dumps(_json(raw), ensure_ascii=False)[:300],
            }
            for lid, src, n, reason, raw in rows
        ],
    }


_identities_memo = Memo(max_entries=8)


def identities(con: Connection) -> dict[str, Any]:
    """Match rates between tools, as `soloml identities --json` gives them.

    The report takes a few hundred ms on 5,000 customers and changes only when the warehouse does, so it is
    kept per process under the warehouse file's stamp (soloml.warehouse.stamp): any write recomputes it.
    """
    from soloml.warehouse.stamp import connection_stamp

    stamp = connection_stamp(con)
    return _identities_memo.get(None if stamp is None else ("identities", stamp), lambda: _identities(con))


def _identities(con: Connection) -> dict[str, Any]:
    from dataclasses import asdict

    from soloml.canonical.identity_report import identity_report

    report = identity_report(con, top=0)
    facts = asdict(report)
    return {
        "customers": facts["customers"],
        "identities": facts["identities"],
        "by_source": facts["by_source"],
        "pairs": facts["pairs"],
        "unmatched_total": facts["unmatched_total"],
        "suggestions": len(facts["suggestions"]),
    }


def data(con: Connection) -> dict[str, Any]:
    return {
        "tables": tables(con),
        "journal": journal(con),
        "quarantine": quarantine(con),
        "identities": identities(con),
    }


# --- models -----------------------------------------------------------------------------------------------------


def models(ws: Workspace, con: Connection) -> list[dict[str, Any]]:
    """The registry per project: every version (as `soloml models --json`), its aliases and the alias history."""
    from soloml.registry import history, list_versions
    from soloml.registry.store import projects

    out = []
    for name in projects(ws.models_dir):
        versions = [
            {
                "version": i.version,
                "aliases": list(i.aliases),
                "verdict": i.verdict,
                "metric": i.metric,
                "model_score": i.model_score,
                "threshold": i.threshold,
                "created_at": i.created_at,
            }
            for i in list_versions(ws.models_dir, name)
        ]
        events = history(con, name)
        out.append(
            {
                "project": name,
                "versions": versions,
                "history": [{k: v for k, v in e.items() if k != "project"} for e in events],
            }
        )
    return out


def model_versions(ws: Workspace, project: str) -> list[str]:
    from soloml.registry.store import projects, versions

    if project not in projects(ws.models_dir):
        raise NotFound(f"No models for project '{project}'.")
    return versions(ws.models_dir, project)


# --- experiments ------------------------------------------------------------------------------------------------


def experiments(ws: Workspace, con: Connection) -> list[dict[str, Any]]:
    """Every experiment file: its design, units exposed against the planned sample, and the result with its decision."""
    from soloml.experiments.paragraph import plain_paragraph
    from soloml.experiments.result_cache import cached_analysis
    from soloml.experiments.spec import load_experiment

    out = []
    for path in sorted(ws.experiments_dir.glob("*.yaml")):
        try:
            spec = load_experiment(path)
        except SolomlError as exc:
            out.append({"name": path.stem, "project": None, "error": exc.message})
            continue
        counts = dict(
            con.execute(
                "SELECT variant, count(*) FROM ops.exposures WHERE experiment = ? GROUP BY 1 ORDER BY 1", [spec.name]
            ).fetchall()
        )
        planned = spec.planned_units_per_arm
        per_arm = min((counts.get(v, 0) for v in spec.variants), default=0)
        item: dict[str, Any] = {
            "name": spec.name,
            "project": spec.project,
            "description": spec.description,
            "decision_under_test": spec.decision,
            "unit": spec.unit,
            "variants": {
                v: {"weight": w, "label": spec.label(v), "units": int(counts.get(v, 0))}
                for v, w in spec.variants.items()
            },
            "primary": spec.primary.name,
            "guardrails": [g.name for g in spec.guardrails],
            "start": spec.start,
            "end": spec.end,
            "planned_per_arm": planned,
            "per_arm": per_arm,
            "progress": None if not planned else min(per_arm / planned, 1.0),
            "result": None,
            "paragraph": None,
            "error": None,
        }
        if counts:
            try:
                result = cached_analysis(con, spec, root=ws.root, warehouse=ws.warehouse_url)
                facts = result.to_facts()
                item["result"] = {
                    "headline": facts.get("headline"),
                    "decision": facts.get("decision"),
                    "decision_words": facts.get("decision_words"),
                    "final": result.final,
                    "warnings": facts.get("warnings") or [],
                }
                item["paragraph"] = plain_paragraph(facts)
            except SolomlError as exc:
                item["error"] = exc.message
        out.append(item)
    return out
