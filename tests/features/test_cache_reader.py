"""Issue 13: features/cache.py owns the training-set cache tables; monitoring and experiments read it through it."""

from __future__ import annotations

import re
from pathlib import Path

from soloml.experiments.planning import project_base_rate
from soloml.features import cache
from soloml.features.build import build_with_outcome
from soloml.monitoring.gather import reference_frame

from .test_recipes import shop, spec_for  # noqa: F401 - fixture

SRC = Path(cache.__file__).parents[1]


def test_reader_returns_the_cached_rows_features_and_label_rate(con, shop):  # noqa: F811
    spec = spec_for("churn")
    assert (cache.read_rows(con, spec.name), cache.read_features(con, spec.name), cache.label_rate(con, spec.name)) == (
        None,
        None,
        None,
    )
    built = build_with_outcome(con, spec).training_set
    rows = cache.read_rows(con, spec.name)
    assert len(rows) == len(built.frame) and set(built.features) <= set(rows.columns)
    assert cache.read_features(con, spec.name) == tuple(built.features)
    assert cache.label_rate(con, spec.name) == float(built.frame["label"].astype(float).mean())


def test_monitoring_and_experiments_read_the_cache_through_the_reader(con, shop):  # noqa: F811
    spec = spec_for("churn")
    built = build_with_outcome(con, spec).training_set
    reference, features = reference_frame(con, spec)
    latest = built.frame[built.frame["cutoff"] == built.frame["cutoff"].max()]
    assert len(reference) == len(latest) and features == tuple(built.features)
    assert project_base_rate(con, spec.name) == cache.label_rate(con, spec.name)


def test_no_module_outside_features_names_the_cache_tables():
    pattern = re.compile(r"features\.\{|__meta")
    offenders = [
        str(p.relative_to(SRC))
        for folder in ("monitoring", "experiments")
        for p in (SRC / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
