"""`soloml check PROJECT` on projects with planted problems: each project check finds its problem, with the fix
or the number still needed. Table projects read a CSV written here; the churn project reads core.* rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from helpers import NOW, signal_frame, table_project

from soloml.app.check import toolkit
from soloml.canonical.schema import create_core_tables
from soloml.readiness import check_project
from soloml.readiness.findings import Finding


def _with(**columns):
    def build(n: int, rng: np.random.Generator) -> pd.DataFrame:
        frame = signal_frame(n, seed=1)
        for name, make in columns.items():
            frame[name] = make(frame, rng)
        return frame

    return build


def _few_positives(n: int, rng: np.random.Generator) -> pd.DataFrame:
    frame = signal_frame(n, seed=2)
    frame["label"] = 0
    frame.loc[frame.index[:4], "label"] = 1
    return frame


def _monthly_sales(months: int, *, skip: tuple[int, ...] = (), every: str = "MS"):
    def build(n: int, rng: np.random.Generator) -> pd.DataFrame:
        days = pd.date_range("2025-01-01", periods=months, freq=every)
        kept = [d for i, d in enumerate(days) if i not in skip]
        return pd.DataFrame({"day": kept, "label": rng.poisson(100, len(kept))})

    return build


def _forecast_of(path):
    """A forecast project of the monthly table at `path` (its `label` column per `day`)."""
    return {
        "recipe": "forecast",
        "label": {"definition": "sales"},
        "metric": "wape",
        "done": {"metric": "wape", "value": 0.1},
        "forecast": {"series": "table", "table": str(path), "date_column": "day", "value_column": "label"},
    }


# name, the table, spec changes, the check, its severity, words of the finding, words of the fix (or the number needed)
PLANTED = [
    (
        "ids",
        _with(serial=lambda f, r: np.arange(1000, 1000 + len(f))),
        {},
        "id_column",
        "note",
        "'serial' looks like a row id",
        "training leaves 'serial' out",
    ),
    (
        "leaky",
        _with(refund_issued=lambda f, r: f["label"] * 5.0 + r.normal(0, 1, len(f))),
        {},
        "leak",
        "fix",
        "predicts the label almost perfectly",
        "Remove 'refund_issued'",
    ),
    (
        "empty",
        _with(coupon=lambda f, r: np.nan),
        {},
        "all_missing",
        "note",
        "'coupon' is missing in every row",
        "training leaves 'coupon' out",
    ),
    (
        "sparse",
        _with(nps=lambda f, r: np.where(np.arange(len(f)) % 10, np.nan, r.integers(0, 10, len(f)))),
        {},
        "mostly_missing",
        "note",
        "'nps' is missing for 90% of the rows",
        "check where it comes from",
    ),
    (
        "rare",
        _few_positives,
        {},
        "labels",
        "wait",
        "Only 4 of 300 labelled rows are labelled '1'",
        "about 6 more labelled rows labelled '1'",
    ),
    (
        "rule",
        signal_frame,
        {"today_rule": {"description": "many tickets", "expression": "coalesce(no_such_column, 0) > 1"}},
        "today_rule",
        "fix",
        "does not run over the training set",
        "Write it over the feature names",
    ),
    (
        "seasonal",
        _monthly_sales(14),
        _forecast_of,
        "seasons",
        "wait",
        "covers 14 months, 1.2 years",
        "about 10 more months of history",
    ),
    (
        "gappy",
        _monthly_sales(30, skip=(7, 8)),
        _forecast_of,
        "frequency",
        "fix",
        "2 of its 30 months have no data (2025-08-01, 2025-09-01)",
        "add them with a value of 0",
    ),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from soloml.workspace import init_workspace

    return init_workspace(tmp_path_factory.mktemp("projects") / "ws")


@pytest.mark.parametrize(
    ("name", "build", "changes", "check", "severity", "words", "fix"), PLANTED, ids=[p[0] for p in PLANTED]
)
def test_each_planted_project_problem_gets_its_finding(folder, name, build, changes, check, severity, words, fix):
    frame = build(300, np.random.default_rng(0)) if build is not signal_frame else signal_frame(300)
    if callable(changes):  # a forecast project: its settings name the table's file
        changes = changes(folder.root / f"{name}.csv")
    spec = table_project(folder.root, frame, name, **changes)
    with folder.connect() as con:
        report = check_project(con, spec, toolkit=toolkit(), now=NOW)
    finding = _one(report.findings, check)
    assert finding.severity == severity
    assert words in finding.words
    assert fix in " ".join(filter(None, [finding.fix and finding.fix.words, finding.needed and finding.needed.words()]))


def test_a_clean_table_project_is_ready_with_the_figures(folder):
    spec = table_project(folder.root, signal_frame(600), "clean")
    with folder.connect() as con:
        report = check_project(con, spec, toolkit=toolkit(), now=NOW)
    assert report.outcome == "ready", report.summary()
    checks = {f.check for f in report.findings}
    assert {"labels", "learning_curve", "sample_size", "power"} <= checks
    assert _one(report.findings, "sample_size").figures["rows"] > 0


def test_too_little_history_for_the_horizon_says_how_many_months_more_and_when(ws):
    with ws.connect() as con:
        create_core_tables(con)
        start = datetime(2026, 9, 1)
        for day in range(40):
            con.execute(
                "INSERT INTO core.payments (payment_id, source, customer_id, kind, status, amount, currency, paid_at) "
                "VALUES (?, 'stripe', ?, 'charge', 'succeeded', 20, 'USD', ?)",
                [f"p{day}", f"c{day % 7}", start + timedelta(days=day)],
            )
        from helpers import project_spec

        spec = project_spec(
            "churn", recipe="churn", label={"definition": "no purchase in 60 days", "horizon_days": 60, "target": None}
        )
        report = check_project(con, spec, toolkit=toolkit(), now=NOW)
    finding = _one(report.findings, "history")
    assert finding.severity == "wait" and report.exit_code == 2
    assert "too short for two monthly snapshots with a 60-day label window" in finding.words
    assert finding.needed.unit == "months of history" and 2 < finding.needed.amount < 3.5
    assert finding.needed.by is not None and finding.needed.by > NOW.date()


LEAKY_SQL = "SELECT customer_id AS entity_id, count(*) AS payments_all_time FROM core.payments GROUP BY customer_id"


def test_a_sql_feature_that_reads_after_the_outcome_is_a_leak_to_fix(ws):
    from helpers import project_spec

    (ws.features_dir / "leaky.sql").write_text(LEAKY_SQL, encoding="utf-8")
    with ws.connect() as con:
        create_core_tables(con)
        for customer in range(8):
            for month in range(1, 8 - customer % 3):
                con.execute(
                    "INSERT INTO core.payments (payment_id, source, customer_id, kind, status, amount, currency, paid_at) "
                    "VALUES (?, 'stripe', ?, 'charge', 'succeeded', 20, 'USD', ?)",
                    [f"p{customer}-{month}", f"c{customer}", datetime(2024, month, 10)],
                )
        spec = project_spec(
            "churn",
            recipe="churn",
            features_sql=["leaky.sql"],
            cutoffs={"lookback_months": 3},
            label={"definition": "no purchase in 30 days", "horizon_days": 30, "target": None},
        )
        report = check_project(con, spec, toolkit=toolkit(), now=NOW, features_dir=ws.features_dir)
    finding = _one(report.findings, "after_outcome")
    assert finding.severity == "fix" and report.outcome == "fix_first"
    assert "Feature 'payments_all_time' (from features/leaky.sql) changes at the" in finding.words
    assert finding.fix.file == "features/leaky.sql" and finding.fix.command == "soloml features churn --audit"


def _one(findings: tuple[Finding, ...], check: str) -> Finding:
    found = [f for f in findings if f.check == check]
    assert len(found) == 1, [(f.check, f.severity, f.words) for f in findings]
    return found[0]


@pytest.mark.parametrize("task", ["binary", "regression"])
def test_a_category_the_label_does_not_depend_on_is_no_leak_suspect(task):
    """Two plans with exactly the same outcomes: a leave-one-out plan mean ranks every row against its own label
    (inverted), which must not read as a near-perfect predictor (the screen the check and training share)."""
    from soloml.modeling.columns import leak_reason

    rng = np.random.default_rng(0)
    half = np.where(np.arange(120) % 10 < 3, 1.0, 0.0) if task == "binary" else rng.normal(size=120)
    label = np.concatenate([half, half])
    order = rng.permutation(240)
    plan = pd.Series(pd.Categorical(np.repeat(["free", "pro"], 120)[order]))
    assert leak_reason(plan, label[order], task) is None


def test_a_category_that_is_the_outcome_is_still_a_leak_suspect():
    from soloml.modeling.columns import leak_reason

    label = np.where(np.arange(240) % 10 < 3, 1.0, 0.0)
    assert leak_reason(pd.Series(pd.Categorical(np.where(label == 1, "refunded", "kept"))), label, "binary") is not None
