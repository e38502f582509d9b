"""load_paths: typed raw tables, no-op re-loads, upserts without duplicates, quarantine, all-or-nothing."""

from __future__ import annotations

import json

import pytest

from soloml.errors import LoadError, QuarantineLimitError, SolomlError
from soloml.sources import load_paths
from soloml.sources.contracts import Detection
from soloml.warehouse import land as land_module

from .samples import snapshot, write

PAYMENTS = """id,Created (UTC),Amount,Status
ch_1,2024-01-15 14:32:10,"$1,234.50",Paid
ch_2,2024-01-16 10:00:00,-$45.00,Failed
ch_3,2024-01-17 09:00:00,$3.00,Paid
"""


def test_a_csv_lands_typed_with_load_metadata(con, tmp_path):
    (result,) = load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    assert (result.status, result.raw_table, result.rows_in, result.rows_loaded) == ("loaded", "raw.payments", 3, 3)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'payments'"
        ).fetchall()
    )
    assert types["created_utc"] == "TIMESTAMP" and types["amount"] == "DECIMAL(18,2)"
    assert {"_load_id", "_loaded_at", "_source_row"} <= set(types)
    rows = con.execute("SELECT id, amount, _source_row, _load_id FROM raw.payments ORDER BY _source_row").fetchall()
    assert [(r[0], float(r[1]), r[2]) for r in rows] == [("ch_1", 1234.5, 1), ("ch_2", -45.0, 2), ("ch_3", 3.0, 3)]
    assert {r[3] for r in rows} == {result.load_id}


def test_reload_of_same_file_adds_no_rows(con, tmp_path):
    path = write(tmp_path, "payments.csv", PAYMENTS)
    (first,) = load_paths(con, [path])
    (again,) = load_paths(con, [path])
    assert again.status == "unchanged" and again.load_id == first.load_id
    assert "same file loaded as " + first.load_id in again.message
    assert con.execute("SELECT count(*) FROM raw.payments").fetchall()[0][0] == 3
    assert con.execute("SELECT count(*) FROM ops.loads").fetchall()[0][0] == 1


def test_changed_export_upserts_by_key_without_duplicating(con, tmp_path):
    detector = lambda headers, sample, as_name: Detection(
        "payments", key=("id",), vendor_object="test.payments", confidence=1.0
    )
    load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)], detector=detector)
    changed = (
        PAYMENTS.replace("ch_2,2024-01-16 10:00:00,-$45.00,Failed", "ch_2,2024-01-16 10:00:00,$45.00,Paid")
        + "ch_4,2024-01-18 08:00:00,$7.00,Paid\n"
    )
    (result,) = load_paths(con, [write(tmp_path, "payments_v2.csv", changed)], detector=detector)
    assert (result.rows_loaded, result.rows_skipped, result.rows_replaced) == (2, 2, 1)
    rows = dict(con.execute("SELECT id, status FROM raw.payments").fetchall())
    assert rows == {"ch_1": "Paid", "ch_2": "Paid", "ch_3": "Paid", "ch_4": "Paid"}
    assert con.execute("SELECT count(*) FROM raw.payments").fetchall()[0][0] == 4


def test_appended_reexport_without_key_does_not_duplicate_identical_rows(con, tmp_path):
    load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    longer = PAYMENTS + "ch_4,2024-01-18 08:00:00,$7.00,Paid\n"
    (result,) = load_paths(con, [write(tmp_path, "more.csv", longer)], as_name="payments")
    assert (result.raw_table, result.rows_loaded, result.rows_skipped) == ("raw.payments", 1, 3)
    assert con.execute("SELECT count(*), count(DISTINCT _load_id) FROM raw.payments").fetchall()[0] == (4, 2)


def test_reexport_with_new_column_widens_the_table(con, tmp_path):
    load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    wider = "id,Created (UTC),Amount,Status,Fee\nch_9,2024-02-01 00:00:00,1.5,Paid,0.30\n"
    load_paths(con, [write(tmp_path, "p2.csv", wider)], as_name="payments")
    assert con.execute("SELECT fee FROM raw.payments WHERE id = 'ch_9'").fetchall()[0][0] is not None
    assert con.execute("SELECT count(*) FROM raw.payments WHERE fee IS NULL").fetchall()[0][0] == 3


def test_a_few_bad_values_are_quarantined_with_row_column_and_value(con, tmp_path):
    lines = (
        ["id,Created (UTC),Amount"]
        + [f"c{i},2024-01-{i % 28 + 1:02d},{i}.50" for i in range(1, 100)]
        + ["c100,31/31/2024,1.00"]
    )
    (result,) = load_paths(con, [write(tmp_path, "pay.csv", "\n".join(lines) + "\n")])
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (100, 99, 1)
    row_number, reason, raw_row = con.execute("SELECT row_number, reason, raw_row FROM ops.quarantine").fetchall()[0]
    assert row_number == 100
    assert "Created (UTC)" in reason and "31/31/2024" in reason
    assert json.loads(raw_row)["Created (UTC)"] == "31/31/2024"


def test_too_many_bad_rows_fail_the_whole_load_and_change_nothing(con, tmp_path):
    load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    before = snapshot(con)
    lines = ["id,Amount"] + [f"c{i},{i}.00" for i in range(97)] + ["z1,not money", "z2,nope", "z3,n/a"]
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(QuarantineLimitError) as info:
        load_paths(con, [path], max_quarantine_share=0.02)
    assert "bad.csv" in str(info.value) and "row " in str(info.value) and "Amount" in str(info.value)
    assert snapshot(con) == before
    status, error = con.execute("SELECT status, error FROM ops.loads WHERE source LIKE '%bad.csv'").fetchall()[0]
    assert status == "failed" and "could not be read" in error


def test_the_allowed_share_of_bad_rows_is_configurable(con, tmp_path):
    lines = ["id,Amount"] + [f"c{i},{i}.00" for i in range(96)] + [f"x{i},oops" for i in range(4)]
    path = write(tmp_path, "bad.csv", "\n".join(lines) + "\n")
    with pytest.raises(QuarantineLimitError):
        load_paths(con, [path], max_quarantine_share=0.03)
    (result,) = load_paths(con, [path], max_quarantine_share=0.05)
    assert (result.rows_loaded, result.rows_quarantined) == (96, 4)


def test_a_router_that_raises_rolls_back_the_whole_load(con, tmp_path):
    before = snapshot(con)

    def router(connection, landed):
        assert (
            connection.execute(
                f"SELECT count(*) FROM {landed.raw_table} WHERE _load_id = ?", [landed.load_id]
            ).fetchall()[0][0]
            == 3
        )
        raise LoadError("core rejected it")

    with pytest.raises(LoadError, match="core rejected it"):
        load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)], router=router)
    assert snapshot(con) == before
    assert con.execute("SELECT status FROM ops.loads").fetchall() == [("failed",)]


def test_a_load_that_dies_half_way_through_writing_leaves_no_partial_table(con, tmp_path, monkeypatch):
    load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    before = snapshot(con)
    real_land = land_module.land

    def dying_land(connection, typed, target, **kwargs):
        real_land(connection, typed, target, **kwargs)  # half the work: rows are written ...
        raise RuntimeError("disk full")  # ... then the process fails

    monkeypatch.setattr("soloml.sources.loader.land", dying_land)
    lines = "id,Amount\n" + "".join(f"n{i},{i}.00\n" for i in range(1000))
    with pytest.raises(SolomlError, match="disk full"):
        load_paths(con, [write(tmp_path, "big.csv", lines)])
    assert snapshot(con) == before
    assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'big'").fetchall()[0][0]


def test_router_result_and_detection_are_reported(con, tmp_path):
    seen = {}

    def detector(headers, sample, as_name):
        seen.update(headers=headers, rows=len(sample), first=sample.iloc[0].tolist())
        return Detection(
            "stripe_payments", key=("id",), vendor_object="stripe.payments", confidence=0.9, reason="header matches"
        )

    def router(connection, landed):
        seen.update(landed=landed)
        return {"core.payments": landed.rows_loaded}

    (result,) = load_paths(con, [write(tmp_path, "export.csv", PAYMENTS)], detector=detector, router=router)
    assert seen["headers"] == ["id", "Created (UTC)", "Amount", "Status"]
    assert seen["rows"] == 3 and seen["first"] == ["ch_1", "2024-01-15 14:32:10", "$1,234.50", "Paid"]
    assert seen["landed"].raw_table == "raw.stripe_payments" and seen["landed"].columns == (
        "id",
        "created_utc",
        "amount",
        "status",
    )
    assert result.core_rows == {"core.payments": 3} and result.detection.vendor_object == "stripe.payments"
    stored = json.loads(con.execute("SELECT detection FROM ops.loads").fetchall()[0][0])
    assert stored["vendor_object"] == "stripe.payments"


def test_as_name_names_the_raw_table(con, tmp_path):
    (result,) = load_paths(con, [write(tmp_path, "Export (3).csv", PAYMENTS)], as_name="Stripe Payments")
    assert result.raw_table == "raw.stripe_payments"
    (default,) = load_paths(con, [write(tmp_path, "Export (3).csv", PAYMENTS + "x,2024-01-01,1,Paid\n")])
    assert default.raw_table == "raw.export_3"


def test_a_missing_file_names_the_path(con, tmp_path):
    with pytest.raises(LoadError, match="nope.csv"):
        load_paths(con, [tmp_path / "nope.csv"])


def test_types_are_rechecked_over_every_row_when_the_sample_missed_something(con, tmp_path):
    """20,000 rows: the inference sample cannot see everything, yet no late row is quarantined or misread."""
    lines = ["id,Day,Price"]
    for i in range(20_000):
        day = f"{(i % 12) + 1:02d}/{(i % 12) + 1:02d}/2024" if i < 19_990 else "25/12/2024"  # day-first shows late
        price = f"{i}.50" if i < 19_990 else f"{i}.125"
        lines.append(f"{i},{day},{price}")
    (result,) = load_paths(con, [write(tmp_path, "late.csv", "\n".join(lines) + "\n")])
    assert (result.rows_loaded, result.rows_quarantined) == (20_000, 0)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'late'"
        ).fetchall()
    )
    assert (types["day"], types["price"]) == ("DATE", "DOUBLE")
    assert str(con.execute("SELECT day FROM raw.late WHERE id = 19999").fetchall()[0][0]) == "2024-12-25"
    assert con.execute("SELECT price FROM raw.late WHERE id = 19999").fetchall()[0][0] == 19999.125


def test_a_reexport_with_junk_in_a_typed_column_quarantines_it_instead_of_turning_the_column_to_text(con, tmp_path):
    load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    junk = (
        "id,Created (UTC),Amount,Status\n"
        + "".join(f"n{i},2024-02-0{i} 10:00:00,n/a,Paid\n" for i in range(1, 4))
        + "n9,2024-02-09 10:00:00,$9.00,Paid\n"
    )
    with pytest.raises(QuarantineLimitError, match="Amount"):
        load_paths(con, [write(tmp_path, "junk.csv", junk)], as_name="payments")
    (result,) = load_paths(con, [write(tmp_path, "junk.csv", junk)], as_name="payments", max_quarantine_share=0.8)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 3)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'payments'"
        ).fetchall()
    )
    assert types["amount"] == "DECIMAL(18,2)"


def test_row_numbers_count_every_line_after_the_header_even_skipped_ones(con, tmp_path):
    text = "id,Amount\n1,1.00\n\n3,3.00\n4,4.00,extra\n5,oops\n" + "".join(f"{i},{i}.00\n" for i in range(6, 60))
    (result,) = load_paths(con, [write(tmp_path, "gaps.csv", text)], max_quarantine_share=0.1)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (58, 56, 2)
    rows = dict(con.execute("SELECT id, _source_row FROM raw.gaps").fetchall())
    assert (rows[1], rows[3], rows[6], rows[59]) == (1, 3, 6, 59)
    assert con.execute("SELECT row_number FROM ops.quarantine ORDER BY 1").fetchall() == [(4,), (5,)]


def test_a_file_whose_content_was_loaded_for_another_table_is_loaded_into_the_table_asked_for(con, tmp_path):
    (first,) = load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    (copy,) = load_paths(con, [write(tmp_path, "charges.csv", PAYMENTS)])
    assert (copy.status, copy.raw_table, copy.rows_loaded) == ("loaded", "raw.charges", 3)
    (named,) = load_paths(con, [tmp_path / "payments.csv"], as_name="ledger")
    assert (named.status, named.raw_table) == ("loaded", "raw.ledger")
    again = [load_paths(con, [tmp_path / name])[0] for name in ("payments.csv", "charges.csv")]
    assert [(r.status, r.load_id) for r in again] == [("unchanged", first.load_id), ("unchanged", copy.load_id)]
    assert load_paths(con, [tmp_path / "payments.csv"], as_name="ledger")[0].status == "unchanged"


def test_an_unexpected_database_error_is_reported_in_one_short_line(con, tmp_path, monkeypatch):
    def verbose(*args, **kwargs):
        raise RuntimeError("Binder Error: " + "candidate binding " * 300 + "\nLINE 1: SELECT ...")

    monkeypatch.setattr("soloml.sources.loader.land", verbose)
    with pytest.raises(LoadError) as info:
        load_paths(con, [write(tmp_path, "payments.csv", PAYMENTS)])
    assert len(str(info.value)) < 600 and "LINE 1" not in str(info.value) and "payments.csv" in str(info.value)
