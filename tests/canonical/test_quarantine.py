"""Bad money, dates, statuses and zones go to ops.quarantine with the column and value named; the rest loads."""

from __future__ import annotations

import pytest

from canonical.helpers import FIXTURES, load, rows, write_csv
from soloml.errors import AdapterError, QuarantineLimitError


def with_changes(name: str, changes: dict[int, tuple[str, str]]) -> str:
    lines = (FIXTURES / name).read_text().splitlines()
    for line_no, (old, new) in changes.items():
        assert old in lines[line_no], (old, lines[line_no])
        lines[line_no] = lines[line_no].replace(old, new)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("fixture", "line", "old", "new", "reason", "table", "rest"),
    [
        (
            "stripe_payments.csv",
            2,
            '"1,249.50"',
            "12x.50",
            "Column 'Amount' on row 2 is not an amount of money: got '12x.50'.",
            "payments",
            4,
        ),
        (
            "stripe_payments.csv",
            3,
            "2024-01-17 23:59:59",
            "2024-02-30 10:00:00",
            "Column 'Created (UTC)' on row 3 is not a date/time soloml can read: got '2024-02-30 10:00:00'.",
            "payments",
            4,
        ),
        (
            "stripe_payments.csv",
            4,
            ",Refunded,",
            ",Disputed,",
            "Column 'Status' on row 4 is a status soloml cannot map: got 'Disputed'.",
            "payments",
            4,
        ),
        (
            "square_transactions.csv",
            2,
            "Pacific Time (US & Canada)",
            "Mars Standard Time",
            "Column 'Time Zone' on row 2 is a time zone soloml does not know: got 'Mars Standard Time'.",
            "payments",
            2,
        ),
        (
            "shopify_orders.csv",
            3,
            "15.50,0.00,0.00,15.50",
            "15.50,0.00,0.00,fifteen",
            "Column 'Total' on row 3 is not an amount of money: got 'fifteen'.",
            "orders",
            2,
        ),
    ],
)
def test_unparseable_value_is_quarantined_with_reason_and_the_rest_loads(
    con, tmp_path, fixture, line, old, new, reason, table, rest
):
    path = write_csv(tmp_path, fixture, with_changes(fixture, {line: (old, new)}))
    result = load(con, path)
    (q,) = rows(con, "SELECT row_number, reason, raw_row FROM ops.quarantine")
    assert q["reason"].startswith(reason)
    assert q["row_number"] == line
    assert result.core_rows["_quarantined"] == 1
    assert result.core_rows[table] == rest
    assert rows(con, f"SELECT count(*) AS n FROM core.{table}")[0]["n"] == rest


def test_a_row_missing_a_required_value_is_quarantined_not_nulled(con, tmp_path):
    path = write_csv(tmp_path, "p.csv", with_changes("stripe_payments.csv", {1: (",usd,49.00,", ",,49.00,")}))
    result = load(con, path)
    (q,) = rows(con, "SELECT row_number, reason FROM ops.quarantine")
    assert q["row_number"] == 1 and "core.payments.currency would be empty" in q["reason"]
    assert result.core_rows["_quarantined"] == 1
    assert rows(con, "SELECT count(*) AS n FROM core.payments WHERE currency IS NULL")[0]["n"] == 0
    assert rows(con, "SELECT count(*) AS n FROM core.payments")[0]["n"] == 4


def test_nothing_is_lost_silently(con, tmp_path):
    """Every live row of a file ends up in core or in quarantine; test-mode rows are counted."""
    path = write_csv(tmp_path, "p.csv", with_changes("stripe_payments.csv", {2: ("2024-01-16 09:05:00", "yesterday")}))
    result = load(con, path)
    in_core = rows(con, "SELECT count(*) AS n FROM core.payments")[0]["n"]
    assert in_core + result.core_rows["_quarantined"] + result.core_rows["_test_mode"] == result.rows_loaded


def test_a_file_where_no_row_maps_fails_the_whole_load(con, tmp_path):
    text = (FIXTURES / "stripe_payments.csv").read_text()
    lines = text.splitlines()
    broken = [lines[0]] + [line.replace("2024-0", "sometime in 0", 1) for line in lines[1:]]
    from soloml.errors import LoadError

    with pytest.raises((AdapterError, LoadError), match="None of the 6 rows .* could be read as stripe.payments"):
        load(con, write_csv(tmp_path, "p.csv", "\n".join(broken) + "\n"))
    written = rows(
        con, "SELECT table_name FROM duckdb_tables() WHERE schema_name IN ('raw', 'core') AND estimated_size > 0"
    )
    assert written == []  # the whole load rolled back
    assert rows(con, "SELECT count(*) AS n FROM ops.quarantine")[0]["n"] == 0


def test_an_unknown_billing_interval_is_quarantined_not_left_without_mrr(con, tmp_path):
    path = write_csv(
        tmp_path, "subs.csv", with_changes("stripe_subscriptions_v1.csv", {2: (",usd,year,", ",usd,fortnightly,")})
    )
    result = load(con, path)
    (q,) = rows(con, "SELECT row_number, reason FROM ops.quarantine")
    assert q["row_number"] == 2 and q["reason"].startswith(
        "Column 'Interval' on row 2 has a value soloml cannot map: got 'fortnightly'."
    )
    assert result.core_rows["subscriptions"] == 3  # sub_A, and sub_C's two versions


def test_duplicate_rows_of_one_payment_keep_the_last(con, tmp_path):
    lines = (FIXTURES / "stripe_payments.csv").read_text().splitlines()
    again = lines[1].replace(",Paid,", ",Refunded,").replace(",49.00,0.00,usd,", ",49.00,49.00,usd,")
    result = load(con, write_csv(tmp_path, "p.csv", "\n".join([*lines, again]) + "\n"))
    assert result.core_rows["payments"] == 5
    (p,) = rows(con, "SELECT status, amount_refunded FROM core.payments WHERE payment_id = 'stripe:ch_3OZ1a2'")
    assert (p["status"], str(p["amount_refunded"])) == ("refunded", "49.00")


def test_rows_the_adapter_cannot_map_count_against_the_load_limit(con, tmp_path):
    path = write_csv(tmp_path, "p.csv", with_changes("stripe_payments.csv", {2: ('"1,249.50"', "12x.50")}))
    with pytest.raises(QuarantineLimitError) as info:
        load(con, path, max_quarantine_share=0.05)
    assert "p.csv" in str(info.value) and "12x.50" in str(info.value)
    assert (
        rows(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema IN ('raw', 'core')")[0]["n"]
        == 0
    )
    (journal,) = rows(con, "SELECT status, rows_quarantined FROM ops.loads")
    assert journal == {"status": "failed", "rows_quarantined": 1}


def test_rows_the_adapter_cannot_map_are_counted_in_the_load_report(con, tmp_path):
    path = write_csv(tmp_path, "p.csv", with_changes("stripe_payments.csv", {2: ('"1,249.50"', "12x.50")}))
    result = load(con, path)
    assert result.rows_quarantined == 1
