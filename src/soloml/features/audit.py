"""The leakage guard: add records dated after a cutoff and check that no feature at that cutoff moves.

For each audited cutoff, inside a transaction that is rolled back: every event in the year
before the cutoff is copied to its mirror time after it (and some exactly at it); customers'
events are also copied under new customer ids; history tables get new versions dated after
the cutoff (canceled, won, became customer) and new records created after it. A feature whose
value, or a population that changes, reads the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from soloml.errors import FeatureError
from soloml.features.cutoffs import FEATURE_WINDOW, cutoff_schedule, label_window_words
from soloml.features.frame_sql import frame_query
from soloml.projects.spec import ProjectSpec
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident


@dataclass(frozen=True)
class Leak:
    feature: str
    source: str  # 'built-in' or the SQL file
    cutoff: datetime
    entity_id: str
    before: object
    after: object


@dataclass(frozen=True)
class AuditResult:
    project: str
    passed: bool
    cutoffs_checked: tuple[datetime, ...]
    features_checked: int
    feature_window: str
    label_window: str
    leaks: tuple[Leak, ...]
    population_changed: tuple[datetime, ...]
    note: str = ""

    def message(self) -> str:
        if self.passed:
            return (
                f"Leakage audit passed: {self.features_checked} features unchanged at {len(self.cutoffs_checked)} cutoffs "
                f"after adding records dated after each cutoff. Features: {self.feature_window}. Label: {self.label_window}."
            )
        parts = []
        for leak in self.leaks:
            where = "a built-in feature" if leak.source == "built-in" else f"from {leak.source}"
            parts.append(
                f"feature '{leak.feature}' ({where}) changes at cutoff {leak.cutoff:%Y-%m-%d} when records dated after the cutoff "
                f"are added (entity_id '{leak.entity_id}': {leak.before} -> {leak.after})"
            )
        if self.population_changed:
            parts.append(
                "the population at cutoff " + ", ".join(f"{c:%Y-%m-%d}" for c in self.population_changed) + " changes"
            )
        return f"Leakage audit failed for project '{self.project}': " + "; ".join(parts) + "."

    def raise_for_leaks(self) -> None:
        if not self.passed:
            raise FeatureError(
                self.message(),
                hint="A feature may only read rows dated before {{ cutoff }}: add WHERE <time> < {{ cutoff }} to every table it reads.",
            )


def _ts(c: datetime) -> str:
    return f"TIMESTAMP '{c:%Y-%m-%d %H:%M:%S.%f}'"


def inject_future(con: Connection, cutoff: datetime) -> None:
    """Add records dated after `cutoff` to core.* (call inside a transaction you roll back).

    Each is a copy of rows already there with some columns replaced (`_copies`): DuckDB's `SELECT * REPLACE (...)`,
    written out column by column so Postgres runs it too.
    """
    c = _ts(cutoff)
    mirror = "{c} + ({c} - {col})"
    copies: list[tuple[str, dict[str, str], str]] = []  # (table, {column: new value}, FROM ... WHERE ...)
    for table, key, col in (
        ("payments", "payment_id", "paid_at"),
        ("orders", "order_id", "ordered_at"),
        ("marketing_events", "event_id", "occurred_at"),
    ):
        recent = f"FROM core.{table} WHERE {col} < {c} AND {col} >= {c} - INTERVAL 365 DAY"
        mirrored = mirror.format(c=c, col=col)
        copies += [
            (table, {key: f"{key} || '#audit-m'", col: mirrored}, recent),
            (table, {key: f"{key} || '#audit-0'", col: c}, f"{recent} AND {col} >= {c} - INTERVAL 60 DAY"),
            (
                table,
                {
                    key: f"{key} || '#audit-n'",
                    "customer_id": "customer_id || '#audit'",
                    "email": "'audit-' || coalesce(email, '')",
                    col: mirrored,
                },
                recent,
            ),
        ]
    copies += [
        (
            "order_items",
            {"order_item_id": "order_item_id || '#audit-m'", "order_id": "order_id || '#audit-m'"},
            "FROM core.order_items WHERE order_id || '#audit-m' IN (SELECT order_id FROM core.orders)",
        ),
        (
            "customers",
            {
                "customer_id": "customer_id || '#audit'",
                "email": "'audit-' || coalesce(email, '')",
                "created_at": f"{c} + INTERVAL 1 DAY",
            },
            "FROM core.customers",
        ),
    ]
    valid = f"valid_from <= {c} AND (valid_to IS NULL OR valid_to > {c})"
    later = f"{c} + INTERVAL 1 DAY"
    current = {"valid_from": later, "valid_to": "NULL", "is_current": "true"}
    copies += [
        (
            "subscriptions",
            {
                "status": "'canceled'",
                "canceled_at": later,
                "ended_at": later,
                "plan": "'audit-plan'",
                "mrr": "coalesce(mrr, 0) * 2 + 1",
                **current,
            },
            f"FROM core.subscriptions WHERE {valid}",
        ),
        (
            "subscriptions",
            {
                "subscription_id": "subscription_id || '#audit'",
                "status": "'active'",
                "started_at": later,
                "canceled_at": "NULL",
                "ended_at": "NULL",
                **current,
            },
            f"FROM core.subscriptions WHERE {valid}",
        ),
        (
            "contacts",
            {
                "lifecycle_stage": "'customer'",
                "stage_changed_at": later,
                "became_customer_at": later,
                "lead_source": "'audit-source'",
                **current,
            },
            f"FROM core.contacts WHERE {valid}",
        ),
        (
            "contacts",
            {"contact_id": "contact_id || '#audit'", "created_at": later, **current},
            f"FROM core.contacts WHERE {valid}",
        ),
        (
            "deals",
            {
                "is_closed": "true",
                "won": "true",
                "closed_at": later,
                "amount": "coalesce(amount, 0) * 2 + 1",
                **current,
            },
            f"FROM core.deals WHERE {valid}",
        ),
        (
            "deals",
            {"deal_id": "deal_id || '#audit'", "created_at": later, **current},
            f"FROM core.deals WHERE {valid}",
        ),
    ]
    columns: dict[str, list[str]] = {}
    for table, replaced, rest in copies:
        if table not in columns:
            columns[table] = _columns(con, table)
        listed = ", ".join(
            f"{replaced[name]} AS {quote_ident(name)}" if name in replaced else quote_ident(name)
            for name in columns[table]
        )
        con.execute(f"INSERT INTO core.{table} SELECT {listed} {rest}")


def _columns(con: Connection, table: str) -> list[str]:
    """core.`table`'s columns in table order (information_schema: the same answer on DuckDB and Postgres)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'core' AND table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _frame_at(con: Connection, spec: ProjectSpec, cutoff: datetime, features_dir: Path | None):
    query = frame_query(con, spec, [cutoff], features_dir=features_dir, with_label=False)
    return query, con.execute(query.sql).fetchdf().set_index("entity_id").drop(columns=["cutoff"])


def _changed(before: pd.Series, after: pd.Series) -> pd.Series:
    """True where a value differs (both missing counts as equal; numbers compared with a tiny tolerance)."""
    both_missing = before.isna() & after.isna()
    try:
        b, a = pd.to_numeric(before), pd.to_numeric(after)
        equal = ((b - a).abs() <= 1e-9 * b.abs().clip(lower=1.0)).fillna(False)
    except (TypeError, ValueError):
        equal = (before.astype(object) == after.astype(object)).fillna(False)
    return ~(equal | both_missing)


def audit_leakage(
    con: Connection,
    spec: ProjectSpec,
    *,
    features_dir: Path | None = None,
    cutoffs: list[datetime] | None = None,
    max_cutoffs: int = 4,
) -> AuditResult:
    """Check every feature at up to `max_cutoffs` cutoffs (spread over the schedule) for reading the future.

    Leaves the warehouse untouched: the added records live in a transaction that is rolled back.
    """
    horizon = spec.label.horizon_days
    label_window = label_window_words(horizon)
    feature_window = FEATURE_WINDOW
    if spec.recipe == "table":
        return AuditResult(
            spec.name,
            True,
            (),
            0,
            "the table's own columns",
            "the target column",
            (),
            (),
            note="table recipe: rows are used as given; no point-in-time check applies.",
        )
    schedule = cutoffs or cutoff_schedule(con, spec)
    if len(schedule) > max_cutoffs:
        step = (len(schedule) - 1) / (max_cutoffs - 1)
        schedule = [schedule[round(i * step)] for i in range(max_cutoffs)]
    leaks: list[Leak] = []
    moved: list[datetime] = []
    n_features = 0
    for cutoff in schedule:
        query, before = _frame_at(con, spec, cutoff, features_dir)
        n_features = len(query.features)
        con.execute("BEGIN TRANSACTION")
        try:
            inject_future(con, cutoff)
            _, after = _frame_at(con, spec, cutoff, features_dir)
        finally:
            con.execute("ROLLBACK")
        if set(before.index) != set(after.index):
            moved.append(cutoff)
        common = before.index.intersection(after.index)
        for name in query.features:
            if any(leak.feature == name for leak in leaks):
                continue
            b, a = before.loc[common, name], after.loc[common, name]
            changed = _changed(b, a)
            if changed.any():
                entity = changed[changed].index[0]
                leaks.append(Leak(name, query.sources.get(name, "built-in"), cutoff, str(entity), b[entity], a[entity]))
    return AuditResult(
        spec.name,
        not leaks and not moved,
        tuple(schedule),
        n_features,
        feature_window,
        label_window,
        tuple(leaks),
        tuple(moved),
    )
