"""The leakage audit and user SQL features on both warehouses (issue 18): the audit's copies of future rows, and
a user file's columns and types, are read without DuckDB-only SQL (`SELECT * REPLACE`, DESCRIBE)."""

from __future__ import annotations

import pytest

from soloml.errors import FeatureError
from soloml.features import audit_leakage, build_training_set
from soloml.warehouse.migrations import SCHEMAS
from warehouse.backends import BACKENDS, fresh

from .test_audit_and_sql import GOOD, LEAKY, _write
from .test_recipes import crm, shop, spec_for  # noqa: F401 - fixtures


@pytest.fixture(params=BACKENDS)
def con(request):
    """Overrides the DuckDB workspace's connection of tests/conftest.py: an empty database on each backend."""
    with fresh(request.param) as connection:
        for schema in SCHEMAS:  # as a workspace's warehouse has them (the cache writes features.*)
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        yield connection


def test_the_audit_passes_every_built_in_churn_feature_and_leaves_the_warehouse_unchanged(con, crm):  # noqa: F811
    before = con.execute("SELECT count(*), count(DISTINCT customer_id) FROM core.payments").fetchone()
    result = audit_leakage(con, spec_for("churn"))
    assert result.passed, result.message()
    assert len(result.cutoffs_checked) == 3 and result.features_checked > 10
    assert con.execute("SELECT count(*), count(DISTINCT customer_id) FROM core.payments").fetchone() == before


def test_a_user_sql_feature_joins_the_training_set_and_a_leaky_one_is_caught(con, shop, tmp_path):  # noqa: F811
    folder = tmp_path / "features"
    _write(folder, "big.sql", GOOD)
    _write(folder, "leaky.sql", LEAKY)
    ts = build_training_set(con, spec_for("churn", features_sql=["big.sql"]), features_dir=folder)
    assert ts.features[-1] == "big_payments_ever"
    assert ts.frame.set_index(["entity_id", "cutoff"]).loc[("A", "2024-05-01")].big_payments_ever == 4
    assert audit_leakage(con, spec_for("churn", features_sql=["big"]), features_dir=folder).passed
    leaky = audit_leakage(con, spec_for("churn", features_sql=["leaky.sql"]), features_dir=folder)
    assert [leak.feature for leak in leaky.leaks] == ["payments_all_time"]


def test_a_user_feature_dated_after_the_cutoff_is_refused(con, shop, tmp_path):  # noqa: F811
    folder = tmp_path / "features"
    _write(folder, "two.sql", "SELECT customer_id AS entity_id, max(paid_at) AS last_at FROM core.payments GROUP BY 1")
    with pytest.raises(FeatureError, match=r"two\.sql returns a row dated after the cutoff: column 'last_at'"):
        build_training_set(con, spec_for("churn", features_sql=["two.sql"]), features_dir=folder)
