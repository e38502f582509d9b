"""The two checks: the whole workspace, and one project against its contract.

    report = check_workspace(con, now=now)                          # every source and table
    report = check_project(con, spec, toolkit=toolkit, now=now)     # the workspace checks it depends on, then the project's

A project check runs the workspace checks on the tables it reads (a table project: its table only), then
history, the training set, labels, the column screen, today's rule, SQL features that read after the outcome,
the learning curve and sample size, and the power of the A/B test. Nothing is written but the project's training-set cache (as `soloml features`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from soloml.errors import ConfigError, SolomlError
from soloml.features.build import build_training_set
from soloml.features.trainingset import TrainingSet
from soloml.projects.recipes.table import is_file_path
from soloml.projects.spec import ProjectSpec
from soloml.readiness.after_outcome import check_after_outcome
from soloml.readiness.columns import check_columns
from soloml.readiness.enough import check_enough_data
from soloml.readiness.enough_data import curve_rows
from soloml.readiness.findings import Finding, Fix, ordered
from soloml.readiness.freshness import check_freshness
from soloml.readiness.gaps import check_gaps
from soloml.readiness.history import check_history
from soloml.readiness.identity import check_identity
from soloml.readiness.keys import check_keys
from soloml.readiness.labels import check_labels
from soloml.readiness.mixed import check_currencies, check_time_zones
from soloml.readiness.power import check_power
from soloml.readiness.profile import TableProfile, profile_table, profile_tables
from soloml.readiness.quarantine import check_quarantine
from soloml.readiness.report import ReadinessReport
from soloml.readiness.routing import check_routing
from soloml.readiness.screen import check_screen
from soloml.readiness.seasons import check_seasons
from soloml.readiness.sources import raw_sources
from soloml.readiness.today_rule import check_rule
from soloml.readiness.toolkit import Toolkit
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import table_exists


def check_workspace(con: Connection, *, now: datetime, used_tables: Collection[str] = ()) -> ReadinessReport:
    """Every workspace check over every source and table. `used_tables`: raw tables a project reads directly."""
    findings, profiles = workspace_findings(con, now=now, used_tables=used_tables)
    return ReadinessReport(None, now, ordered(findings), profiles)


def workspace_findings(
    con: Connection, *, now: datetime, used_tables: Collection[str] = (), only: str | None = None
) -> tuple[tuple[Finding, ...], tuple[TableProfile, ...]]:
    """The workspace checks; with `only` (a table name), just those about that table."""
    sources = raw_sources(con)
    profiles: tuple[TableProfile, ...]
    if only is not None:
        sources = {t: s for t, s in sources.items() if t == only}
        profiles = (profile_table(con, only),) if table_exists(con, only) else ()
    else:
        profiles = profile_tables(con, ("raw", "core"))
    findings = [
        *check_freshness(con, sources, now=now),
        *check_columns(con, profiles, sources),
        *check_keys(con, sources),
        *check_quarantine(con, sources),
        *check_time_zones(profiles, sources),
    ]
    if only is None:
        findings += [
            *check_routing(sources, used=used_tables),
            *check_identity(con),
            *check_currencies(con),
            *check_gaps(con, sources),
        ]
        if not sources and not any(p.rows for p in profiles):
            findings.append(
                Finding(
                    "sources",
                    "fix",
                    "warehouse",
                    "The warehouse holds no data yet: nothing has been loaded.",
                    Fix(
                        "Load the exports of your tools (Stripe, Shopify, HubSpot ...) or a table of your database.",
                        command="soloml load FILE",
                    ),
                )
            )
    else:
        findings = [f for f in findings if f.subject.startswith(only) or f.severity == "ok"]
    return tuple(findings), profiles


def check_project(
    con: Connection, spec: ProjectSpec, *, toolkit: Toolkit, now: datetime, features_dir: Path | None = None
) -> ReadinessReport:
    """The project's checks, after the workspace checks on the tables it reads."""
    findings: tuple[Finding, ...] = ()
    profiles: tuple[TableProfile, ...] = ()
    reads_a_file = spec.recipe == "table" and bool(spec.source_table) and is_file_path(str(spec.source_table))
    if not reads_a_file:  # a file read directly has no warehouse table to check
        findings, profiles = workspace_findings(
            con, now=now, only=spec.source_table if spec.recipe == "table" else None
        )
    out: list[Finding] = list(findings)
    if spec.recipe == "forecast":
        if toolkit.series is None:
            raise ValueError(
                "a forecast project's check needs toolkit.series (soloml.forecasting's series of the project)"
            )
        out += check_seasons(con, spec, toolkit.series, now=now)
        return ReadinessReport(spec.name, now, ordered(out), profiles)
    if spec.recipe != "table":
        history = check_history(con, spec, now=now)
        out += history
        if any(f.severity in ("wait", "fix") for f in history):
            return ReadinessReport(spec.name, now, ordered(out), profiles)
    ts, problem = _training_set(con, spec, features_dir)
    if ts is None:
        return ReadinessReport(spec.name, now, ordered([*out, problem] if problem else out), profiles)
    labels = check_labels(ts, spec, now=now)
    out += labels
    pool, _, _ = curve_rows(ts, spec)
    issues = toolkit.screen(ts, pool)  # a leak is judged on training rows only, never the held-out ones
    out += check_screen(ts, spec, issues)
    out += check_rule(ts, spec)
    out += check_after_outcome(con, spec, features_dir)
    if all(f.severity == "ok" for f in labels):
        kept = replace(
            ts, features=tuple(f for f in ts.features if f not in {i.column for i in issues})
        )  # as training will fit it
        enough, _ = check_enough_data(kept, spec, toolkit.score, now=now)
        out += enough
        out += check_power(ts, spec, toolkit.design, now=now)
    return ReadinessReport(spec.name, now, ordered(out), profiles)


def _training_set(
    con: Connection, spec: ProjectSpec, features_dir: Path | None
) -> tuple[TrainingSet | None, Finding | None]:
    """The project's training set; a broken today_rule is checked on its own, so the set is built without it."""
    try:
        return build_training_set(con, spec, features_dir=features_dir), None
    except ConfigError as exc:
        if "today_rule" not in exc.message:
            return None, _build_problem(spec, exc)
        try:
            return build_training_set(
                con, spec.model_copy(update={"today_rule": None}), features_dir=features_dir, use_cache=False
            ), None
        except SolomlError as again:
            return None, _build_problem(spec, again)
    except SolomlError as exc:
        return None, _build_problem(spec, exc)


def _build_problem(spec: ProjectSpec, exc: SolomlError) -> Finding:
    fix = Fix(
        exc.hint or "Fix what the message names, then check again.",
        command=f"soloml features {spec.name}",
        file=f"projects/{spec.name}.yaml",
    )
    return Finding("training_set", "fix", spec.name, f"The training set cannot be built: {exc.message}", fix)
