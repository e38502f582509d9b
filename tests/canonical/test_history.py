"""Change history: each subscription keeps its versions, so 'what did we know on date X' works from the first load."""

from __future__ import annotations

from datetime import datetime

import pytest

from canonical.helpers import FIXTURES, load, read, route_as_text, rows, write_csv


def versions(con, subscription_id: str) -> list[tuple]:
    return [
        (r["status"], r["valid_from"], r["valid_to"], r["is_current"])
        for r in rows(
            con, "SELECT * FROM core.subscriptions WHERE subscription_id = ? ORDER BY valid_from", [subscription_id]
        )
    ]


def status_on(con, subscription_id: str, day: datetime) -> str | None:
    found = rows(
        con,
        """
        SELECT status FROM core.subscriptions WHERE subscription_id = ?
        AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)""",
        [subscription_id, day, day],
    )
    assert len(found) <= 1
    return found[0]["status"] if found else None


@pytest.fixture(scope="module")
def two_exports(tmp_path_factory):
    from soloml.warehouse import connect

    con = connect(tmp_path_factory.mktemp("hist") / "warehouse.duckdb")
    first = load(con, "stripe_subscriptions_v1.csv")
    second = load(con, "stripe_subscriptions_v2.csv")
    yield con, first, second
    con.close()


def test_first_export_rebuilds_the_known_past_of_a_canceled_subscription(two_exports):
    con, first, _ = two_exports
    assert versions(con, "stripe:sub_C") == [
        ("active", datetime(2024, 1, 5, 8), datetime(2024, 2, 20, 16, 45), False),
        ("canceled", datetime(2024, 2, 20, 16, 45), None, True),
    ]
    assert first.core_rows["subscriptions"] == 4


def test_second_export_closes_the_changed_version_at_the_cancellation_time(two_exports):
    con, _, second = two_exports
    assert versions(con, "stripe:sub_A") == [
        ("active", datetime(2024, 1, 10, 12), datetime(2024, 3, 28, 7, 15), False),
        ("canceled", datetime(2024, 3, 28, 7, 15), None, True),
    ]
    assert versions(con, "stripe:sub_D") == [("trialing", datetime(2024, 3, 30, 10), None, True)]
    assert second.core_rows["subscriptions"] == 2  # sub_A's new version and new sub_D; B and C unchanged


def test_unchanged_subscriptions_write_no_version(two_exports):
    con, _, _ = two_exports
    assert versions(con, "stripe:sub_B") == [("active", datetime(2024, 1, 12, 9), None, True)]


@pytest.mark.parametrize(
    ("subscription_id", "day", "status"),
    [
        ("stripe:sub_A", datetime(2024, 1, 9), None),
        ("stripe:sub_A", datetime(2024, 2, 1), "active"),
        ("stripe:sub_A", datetime(2024, 4, 1), "canceled"),
        ("stripe:sub_C", datetime(2024, 2, 1), "active"),
        ("stripe:sub_C", datetime(2024, 2, 21), "canceled"),
        ("stripe:sub_D", datetime(2024, 3, 31), "trialing"),
    ],
)
def test_status_as_of_a_date(two_exports, subscription_id, day, status):
    con, _, _ = two_exports
    assert status_on(con, subscription_id, day) == status


def test_a_change_without_its_own_time_starts_at_the_load_time(con, tmp_path):
    load(con, "stripe_subscriptions_v1.csv")
    text = (FIXTURES / "stripe_subscriptions_v1.csv").read_text().replace("Team Yearly,Team,2,", "Team Yearly,Team,3,")
    result = load(con, write_csv(tmp_path, "subs.csv", text))
    loaded_at = rows(
        con, "SELECT max(_loaded_at) AS t FROM raw.stripe_subscriptions WHERE _load_id = ?", [result.load_id]
    )[0]["t"]
    history = versions(con, "stripe:sub_B")
    assert history == [("active", datetime(2024, 1, 12, 9), loaded_at, False), ("active", loaded_at, None, True)]
    (current,) = rows(con, "SELECT mrr FROM core.subscriptions WHERE subscription_id = 'stripe:sub_B' AND is_current")
    assert str(current["mrr"]) == "150.00"


def test_the_same_rows_routed_again_write_nothing(con):
    frame = read("stripe_subscriptions_v1.csv")
    assert route_as_text(con, frame)["subscriptions"] == 4
    assert route_as_text(con, frame)["subscriptions"] == 0
    assert rows(con, "SELECT count(*) AS n FROM core.subscriptions")[0]["n"] == 4


SUBS_HEADER = (
    "id,Customer ID,Customer Description,Customer Email,Plan,Product,Quantity,Currency,Interval,Amount,Status,"
    "Created (UTC),Start (UTC),Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),"
    "Canceled At (UTC),Cancel At Period End,Ended At (UTC),Coupon"
)


@pytest.mark.parametrize(
    ("status", "trial_end", "canceled_at", "expected"),
    [
        (
            "active",
            "2024-01-15 00:00:00",
            "",
            [("trialing", "2024-01-01", "2024-01-15"), ("active", "2024-01-15", None)],
        ),
        (
            "canceled",
            "2024-01-15 00:00:00",
            "2024-03-01 00:00:00",
            [
                ("trialing", "2024-01-01", "2024-01-15"),
                ("active", "2024-01-15", "2024-03-01"),
                ("canceled", "2024-03-01", None),
            ],
        ),
        (
            "canceled",
            "2024-01-15 00:00:00",
            "2024-01-10 00:00:00",
            [("trialing", "2024-01-01", "2024-01-10"), ("canceled", "2024-01-10", None)],
        ),
        ("trialing", "2099-01-15 00:00:00", "", [("trialing", "2024-01-01", None)]),
        ("active", "", "", [("active", "2024-01-01", None)]),
    ],
)
def test_first_export_rebuilds_trials_before_the_current_status(
    con, tmp_path, status, trial_end, canceled_at, expected
):
    line = (
        f"sub_T,cus_T,,t@example.com,Pro,Pro,1,usd,month,10.00,{status},2024-01-01 00:00:00,2024-01-01 00:00:00,,,"
        f"2024-01-01 00:00:00,{trial_end},{canceled_at},false,{canceled_at},"
    )
    load(con, write_csv(tmp_path, "subs.csv", SUBS_HEADER + "\n" + line + "\n"))
    as_dates = [
        (s, f.strftime("%Y-%m-%d"), t.strftime("%Y-%m-%d") if t else None)
        for s, f, t, _ in versions(con, "stripe:sub_T")
    ]
    assert as_dates == expected
