"""The training-set cache: reused while data and spec are unchanged, rebuilt when either changes."""

from __future__ import annotations

from soloml.features.build import build_with_outcome
from soloml.features.cache import read_meta

from .feature_rows import pay
from .test_recipes import shop, spec_for  # noqa: F401 - fixture


def test_second_build_reuses_the_cached_set(con, shop):  # noqa: F811
    spec = spec_for("churn")
    first = build_with_outcome(con, spec)
    second = build_with_outcome(con, spec)
    assert (first.reused, second.reused) == (False, True)
    assert (first.reason, second.reason) == (
        "built for the first time",
        "reused from the cache (data and spec unchanged)",
    )
    assert second.training_set.frame.equals(first.training_set.frame)
    assert second.training_set.features == first.training_set.features
    assert second.cutoffs == first.cutoffs
    assert read_meta(con, spec.name).spec_hash == spec.spec_hash()
    assert con.execute(f"SELECT count(*) FROM features.{spec.name}").fetchone()[0] == len(first.training_set.frame)


def test_new_data_rebuilds(con, shop, add):  # noqa: F811
    spec = spec_for("churn")
    build_with_outcome(con, spec)
    add("payments", pay("b-late", "B", "2024-05-15"))
    again = build_with_outcome(con, spec)
    assert (again.reused, again.reason) == (False, "rebuilt: the data or a SQL feature file changed")
    frame = again.training_set.frame.set_index(["entity_id", "cutoff"])
    assert frame.loc[("B", "2024-05-01"), "label"] == 0  # the new payment un-churns B


def test_changed_spec_rebuilds(con, shop):  # noqa: F811
    build_with_outcome(con, spec_for("churn"))
    assert build_with_outcome(con, spec_for("churn", horizon=20)).reason == "rebuilt: the project spec changed"


def test_use_cache_false_neither_reads_nor_writes(con, shop):  # noqa: F811
    spec = spec_for("churn")
    outcome = build_with_outcome(con, spec, use_cache=False)
    assert not outcome.reused
    assert read_meta(con, spec.name) is None


def test_read_only_warehouse_builds_without_caching(ws, con, shop):  # noqa: F811
    con.close()
    ro = ws.connect(read_only=True)
    try:
        outcome = build_with_outcome(ro, spec_for("churn"))
        assert not outcome.reused
        assert len(outcome.training_set.frame) == 13
        assert read_meta(ro, "test_churn") is None
    finally:
        ro.close()
