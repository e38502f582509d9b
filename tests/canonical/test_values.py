"""The SQL value parsers every adapter is built from: money, minor units, times with offsets and zone names."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import duckdb
import pytest

from soloml.canonical.adapters import values as v
from soloml.warehouse import connect


@pytest.fixture(scope="module")
def db():
    con = connect(":memory:")
    yield con
    con.close()


def one(db: duckdb.DuckDBPyConnection, expr: str, **columns: str | None):
    names = ", ".join(f"CAST(? AS VARCHAR) AS {k}" for k in columns) or "1 AS dummy"
    return db.execute(f"SELECT {expr} FROM (SELECT {names})", list(columns.values())).fetchone()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("$1,234.50", "1234.50"),
        ("-$45.00", "-45.00"),
        ("$-45.00", "-45.00"),
        ("($45.00)", "-45.00"),
        ("€12", "12.00"),
        (" 7 ", "7.00"),
        ("£0.99", "0.99"),
        ("", None),
        (None, None),
        ("abc", None),
        ("12..5", None),
        ("64,80", "64.80"),
        ("1.234,50", "1234.50"),
        ("1,234", "1234.00"),
        ("-1,234,567.89", "-1234567.89"),
        ("12,3456", None),
    ],
)
def test_money_parses_vendor_formats(db, text, expected):
    assert one(db, v.money("x"), x=text) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2500", "usd", "25.00"),
        ("5000", "jpy", "5000.00"),
        ("5000", "JPY", "5000.00"),
        ("12345", "kwd", "12.35"),
        ("99", "eur", "0.99"),
        ("x", "usd", None),
    ],
)
def test_minor_units_respect_zero_decimal_currencies(db, amount, currency, expected):
    assert one(db, v.minor_money("a", "c"), a=amount, c=currency) == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-15 09:32:10 -0500", datetime(2024, 1, 15, 14, 32, 10)),
        ("2024-01-15T09:32:10+01:00", datetime(2024, 1, 15, 8, 32, 10)),
        ("2024-01-15 14:32:10", datetime(2024, 1, 15, 14, 32, 10)),
        ("2024-01-15 14:32:10.250 ", datetime(2024, 1, 15, 14, 32, 10, 250000)),
        ("2024-01-15", datetime(2024, 1, 15)),
        ("2024-01-15 14:32:10.000000 +0000", datetime(2024, 1, 15, 14, 32, 10)),
        ("31/31/2024", None),
        ("24-01-15 10:00:00", None),  # not the year 24
        ("", None),
    ],
)
def test_timestamps_become_naive_utc(db, text, expected):
    assert one(db, v.ts("t"), t=text) == expected


@pytest.mark.parametrize(
    ("day", "clock", "zone", "expected"),
    [
        ("2024-07-04", "12:00:00", "Eastern Time (US & Canada)", datetime(2024, 7, 4, 16)),  # daylight time
        ("2024-01-10", "06:15:00", "Central Time (US & Canada)", datetime(2024, 1, 10, 12, 15)),
        ("2024-01-10", "06:15:00", "Mountain Time (US & Canada)", datetime(2024, 1, 10, 13, 15)),
        ("2024-03-10", "01:30:00", "Pacific Time (US & Canada)", datetime(2024, 3, 10, 9, 30)),
        ("2024-06-01", "09:00:00", "London", datetime(2024, 6, 1, 8)),
        ("2024-01-01", "10:00:00", "Australia/Sydney", datetime(2023, 12, 31, 23)),
        ("01/15/2024", "9:05 PM", "UTC", datetime(2024, 1, 15, 21, 5)),
        ("2024-01-15", "09:00:00", "Mars Time", None),
        ("2024-13-45", "09:00:00", "UTC", None),
    ],
)
def test_local_times_with_zone_names_become_utc(db, day, clock, zone, expected):
    assert one(db, v.local_ts("d", "t", "z"), d=day, t=clock, z=zone) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1705329130", datetime(2024, 1, 15, 14, 32, 10)), ("", None), ("soon", None), ("1e300", None)],
)
def test_unix_seconds_become_utc(db, text, expected):
    assert one(db, v.epoch("t"), t=text) == expected


@pytest.mark.parametrize(
    ("amount", "interval", "expected"),
    [
        ("600", "year", "50.00"),
        ("49", "month", "49.00"),
        ("10", "week", "43.33"),
        ("1", "day", "30.42"),
        ("10", "fortnight", None),
    ],
)
def test_monthly_recurring_amount(db, amount, interval, expected):
    assert one(db, v.monthly("CAST(a AS DECIMAL(18,2))", "i"), a=amount, i=interval) == (
        Decimal(expected) if expected else None
    )


@pytest.mark.parametrize(
    ("text", "expected"), [('{"id": "cus_1", "email": "a@b.co"}', "cus_1"), ("cus_2", "cus_2"), (None, None)]
)
def test_references_accept_expanded_objects(db, text, expected):
    assert one(db, v.ref("c"), c=text) == expected
