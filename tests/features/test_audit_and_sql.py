"""The leakage guard over every built-in feature, and user SQL features (validation, leaks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from soloml.errors import ConfigError, FeatureError
from soloml.features import audit_leakage, build_training_set

from .test_recipes import crm, shop, spec_for  # noqa: F401 - fixtures


@pytest.mark.parametrize("recipe", ["churn", "conversion", "spend"])
def test_every_built_in_feature_passes_the_leakage_audit(con, crm, recipe):  # noqa: F811
    result = audit_leakage(con, spec_for(recipe))
    assert result.passed, result.message()
    assert len(result.cutoffs_checked) == 3
    assert result.features_checked > 10
    assert (
        result.label_window
        == "[cutoff, cutoff + 30 days): from the cutoff itself (a date on the cutoff day counts) to just before 30 days later"
    )
    assert result.feature_window.startswith("[cutoff - 365 days, cutoff): before the cutoff")


def test_audit_leaves_the_warehouse_unchanged(con, crm):  # noqa: F811
    before = con.execute("SELECT count(*) FROM core.payments").fetchone()
    audit_leakage(con, spec_for("churn"))
    assert con.execute("SELECT count(*) FROM core.payments").fetchone() == before


def _write(folder: Path, name: str, sql: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(sql, encoding="utf-8")
    return path


GOOD = """
SELECT customer_id AS entity_id, count(*) AS big_payments_ever
FROM core.payments WHERE paid_at < {{ cutoff }} AND amount >= 20 GROUP BY customer_id
"""
LEAKY = """
SELECT customer_id AS entity_id, count(*) AS payments_all_time
FROM core.payments GROUP BY customer_id
"""


def test_user_sql_feature_joins_the_training_set(con, shop, tmp_path):  # noqa: F811
    folder = tmp_path / "features"
    _write(folder, "big.sql", GOOD)
    ts = build_training_set(con, spec_for("churn", features_sql=["big.sql"]), features_dir=folder)
    assert ts.features[-1] == "big_payments_ever"
    assert "big.sql" in ts.descriptions["big_payments_ever"]
    row = ts.frame.set_index(["entity_id", "cutoff"]).loc[("A", "2024-05-01")]
    assert row.big_payments_ever == 4  # Jan-Apr payments, all before the cutoff
    assert audit_leakage(con, spec_for("churn", features_sql=["big"]), features_dir=folder).passed


def test_leaky_user_feature_is_caught_naming_file_and_feature(con, shop, tmp_path):  # noqa: F811
    folder = tmp_path / "features"
    _write(folder, "leaky.sql", LEAKY)
    result = audit_leakage(con, spec_for("churn", features_sql=["leaky.sql"]), features_dir=folder)
    assert not result.passed
    assert [leak.feature for leak in result.leaks] == ["payments_all_time"]
    with pytest.raises(FeatureError, match=r"feature 'payments_all_time' \(from .*leaky\.sql\) changes at cutoff"):
        result.raise_for_leaks()


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "SELECT customer_id AS entity_id, paid_at AS n FROM core.payments WHERE paid_at < {{ cutoff }}",
            r"two\.sql returns \d+ rows for entity_id '\w+' at cutoff .* one row per entity",
        ),
        ("SELECT customer_id, count(*) AS n FROM core.payments GROUP BY 1", r"two\.sql returns no 'entity_id' column"),
        (
            "SELECT customer_id AS entity_id, max(paid_at) AS last_at FROM core.payments GROUP BY 1",
            r"two\.sql returns a row dated after the cutoff: column 'last_at'",
        ),
        (
            "SELECT customer_id AS entity_id, count(*) AS payments_30d FROM core.payments GROUP BY 1",
            "already a feature name",
        ),
        ("SELEC nonsense", r"two\.sql failed to run"),
    ],
)
def test_bad_user_sql_is_rejected_naming_the_file(con, shop, tmp_path, sql, message):  # noqa: F811
    folder = tmp_path / "features"
    _write(folder, "two.sql", sql)
    with pytest.raises(FeatureError, match=message):
        build_training_set(con, spec_for("churn", features_sql=["two.sql"]), features_dir=folder)


def test_missing_user_sql_file_suggests_the_close_name(con, shop, tmp_path):  # noqa: F811
    folder = tmp_path / "features"
    _write(folder, "orders.sql", GOOD)
    with pytest.raises(ConfigError, match="Did you mean 'orders.sql'"):
        build_training_set(con, spec_for("churn", features_sql=["order.sql"]), features_dir=folder)


def test_unknown_excluded_feature_is_named(con, shop):  # noqa: F811
    with pytest.raises(ConfigError, match="Did you mean 'payments_30d'"):
        build_training_set(con, spec_for("churn", features_exclude=["payment_30d"]))
    ts = build_training_set(con, spec_for("churn", features_exclude=["payments_30d"]))
    assert "payments_30d" not in ts.features
