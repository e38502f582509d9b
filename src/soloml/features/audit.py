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
    """Add records dated after `cutoff` to core.* (call inside a transaction you roll back)."""
    c = _ts(cutoff)
    mirror = "{c} + ({c} - {col})"
    statements = []
    for table, key, col in (
        ("payments", "payment_id", "paid_at"),
        ("orders", "order_id", "ordered_at"),
        ("marketing_events", "event_id", "occurred_at"),
    ):
        recent = f"FROM core.{table} WHERE {col} < {c} AND {col} >= {c} - INTERVAL 365 DAY"
        statements += [
            f"INSERT INTO core.{table} SELECT * REPLACE ({key} || '#audit-m' AS {key}, {mirror.format(c=c, col=col)} AS {col}) {recent}",
            f"INSERT INTO core.{table} SELECT * REPLACE ({key} || '#audit-0' AS {key}, {c} AS {col}) {recent} AND {col} >= {c} - INTERVAL 60 DAY",
            f"INSERT INTO core.{table} SELECT * REPLACE ({key} || '#audit-n' AS {key}, customer_id || '#audit' AS customer_id, "
            f"'audit-' || coalesce(email, '') AS email, {mirror.format(c=c, col=col)} AS {col}) {recent}",
        ]
    statements += [
        "INSERT INTO core.order_items SELECT * REPLACE (order_item_id || '#audit-m' AS order_item_id, order_id || '#audit-m' AS order_id) "
        "FROM core.order_items WHERE order_id || '#audit-m' IN (SELECT order_id FROM core.orders)",
        f"INSERT INTO core.customers SELECT * REPLACE (customer_id || '#audit' AS customer_id, 'audit-' || coalesce(email, '') AS email, "
        f"{c} + INTERVAL 1 DAY AS created_at) FROM core.customers",
    ]
    valid = f"valid_from <= {c} AND (valid_to IS NULL OR valid_to > {c})"
    later = f"{c} + INTERVAL 1 DAY"
    statements += [
        f"INSERT INTO core.subscriptions SELECT * REPLACE ('canceled' AS status, {later} AS canceled_at, {later} AS ended_at, "
        f"'audit-plan' AS plan, coalesce(mrr, 0) * 2 + 1 AS mrr, {later} AS valid_from, NULL AS valid_to, true AS is_current) "
        f"FROM core.subscriptions WHERE {valid}",
        f"INSERT INTO core.subscriptions SELECT * REPLACE (subscription_id || '#audit' AS subscription_id, 'active' AS status, "
        f"{later} AS started_at, NULL AS canceled_at, NULL AS ended_at, {later} AS valid_from, NULL AS valid_to, true AS is_current) "
        f"FROM core.subscriptions WHERE {valid}",
        f"INSERT INTO core.contacts SELECT * REPLACE ('customer' AS lifecycle_stage, {later} AS stage_changed_at, "
        f"{later} AS became_customer_at, 'audit-source' AS lead_source, {later} AS valid_from, NULL AS valid_to, true AS is_current) "
        f"FROM core.contacts WHERE {valid}",
        f"INSERT INTO core.contacts SELECT * REPLACE (contact_id || '#audit' AS contact_id, {later} AS created_at, "
        f"{later} AS valid_from, NULL AS valid_to, true AS is_current) FROM core.contacts WHERE {valid}",
        f"INSERT INTO core.deals SELECT * REPLACE (true AS is_closed, true AS won, {later} AS closed_at, coalesce(amount, 0) * 2 + 1 AS amount, "
        f"{later} AS valid_from, NULL AS valid_to, true AS is_current) FROM core.deals WHERE {valid}",
        f"INSERT INTO core.deals SELECT * REPLACE (deal_id || '#audit' AS deal_id, {later} AS created_at, "
        f"{later} AS valid_from, NULL AS valid_to, true AS is_current) FROM core.deals WHERE {valid}",
    ]
    for sql in statements:
        con.execute(sql)


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
