from datetime import datetime, timedelta

from soloml.monitoring.freshness import source_freshness

NOW = datetime(2026, 11, 29, 12, 0)


def _load(con, load_id, source, table, finished, status, error=None):
    con.execute(
        "INSERT INTO ops.loads (load_id, source, target_table, finished_at, status, error) VALUES (?, ?, ?, ?, ?, ?)",
        [load_id, source, table, finished, status, error],
    )


def test_each_source_is_judged_by_its_last_successful_load(con):
    _load(con, "L1", "stripe_nov.csv", "raw.stripe_payments", NOW - timedelta(days=20), "loaded")
    _load(con, "L2", "stripe_dec.csv", "raw.stripe_payments", NOW - timedelta(days=1), "loaded")
    _load(con, "L3", "shopify.csv", "raw.shopify_orders", NOW - timedelta(days=10), "loaded")
    _load(con, "L4", "shopify2.csv", "raw.shopify_orders", NOW - timedelta(hours=1), "failed", "bad header")
    _load(con, "L5", "hubspot.csv", "raw.hubspot_contacts", NOW - timedelta(days=2), "failed", "not a CSV")
    got = {f.source: f for f in source_freshness(con, now=NOW, max_age=timedelta(days=7))}
    assert not got["raw.stripe_payments"].alert and round(got["raw.stripe_payments"].age_hours) == 24
    assert got["raw.shopify_orders"].alert and got["raw.shopify_orders"].last_status == "failed"
    assert got["raw.hubspot_contacts"].alert and got["raw.hubspot_contacts"].last_success is None
    assert "never loaded successfully" in got["raw.hubspot_contacts"].words
    assert "STALE" in got["raw.shopify_orders"].words


def test_cadence_can_differ_per_source(con):
    _load(con, "L1", "a.csv", "raw.daily_feed", NOW - timedelta(days=2), "loaded")
    _load(con, "L2", "b.csv", "raw.monthly_feed", NOW - timedelta(days=20), "unchanged")
    got = {
        f.source: f.alert
        for f in source_freshness(
            con, now=NOW, max_age={"raw.daily_feed": timedelta(days=1), "raw.monthly_feed": timedelta(days=31)}
        )
    }
    assert got == {"raw.daily_feed": True, "raw.monthly_feed": False}


def test_no_loads_means_no_sources(con):
    assert source_freshness(con, now=NOW) == ()
