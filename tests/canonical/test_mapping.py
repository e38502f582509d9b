"""Any other file: `soloml map` drafts a mapping by guessing roles; a mapping YAML loads the file into core.*."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from canonical.crm_helpers import CRM, load, query
from soloml.canonical.adapters.adapter_catalog import AdapterCatalog
from soloml.canonical.adapters.mapping import (
    load_mapping,
    mapping_adapter,
)
from soloml.canonical.column_profile import read_sample
from soloml.canonical.ingest import detect
from soloml.canonical.mapping_draft import draft_mapping, write_draft
from soloml.cli.app import app
from soloml.errors import AdapterError, ConfigError

runner = CliRunner()


def draft_of(name: str, **kw):
    return draft_mapping(read_sample(CRM / name), name=Path(name).stem, **kw)


# --- guessing roles -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "table", "expected"),
    [
        (
            "pos_2024.csv",
            "payments",
            {
                "payment_id": "Txn #",
                "email": "Customer E-mail",
                "amount": "Total",
                "paid_at": "When",
                "status": "Result",
            },
        ),
        (
            "signups.csv",
            "contacts",
            {
                "contact_id": "Member No",
                "email": "E-mail",
                "name": "Full Name",
                "created_at": "Signed up",
                "lifecycle_stage": "Plan Status",
                "company": "Company",
            },
        ),
        (
            "till_orders.csv",
            "orders",
            {
                "order_id": "Order",
                "email": "Mail",
                "ordered_at": "Created",
                "status": "Status",
                "subtotal": "Sub",
                "discount": "Disc",
                "shipping": "Ship",
                "tax": "Tax",
                "total": "Tot",
                "currency": "Cur",
            },
        ),
        (
            "newsletter_log.csv",
            "marketing_events",
            {"email": "Recipient", "campaign": "Newsletter", "event_type": "What happened", "occurred_at": "At"},
        ),
    ],
)
def test_draft_guesses_the_table_and_which_column_plays_which_role(file, table, expected):
    draft = draft_of(file)
    assert draft.table == table
    assert {k: v for k, v in draft.columns.items() if k in expected} == expected


@pytest.mark.parametrize(
    ("values", "role", "format_"),
    [
        (["2024-01-15 14:32:10", "2024-02-01 08:00:00"], "timestamp", "%Y-%m-%d %H:%M:%S"),
        (["15/01/2024", "31/01/2024"], "timestamp", "%d/%m/%Y"),
        (["01/15/2024", "01/31/2024"], "timestamp", "%m/%d/%Y"),
        (["2024-01-15T14:32:10+01:00", "2024-01-16T09:00:00+01:00"], "timestamp", "%Y-%m-%dT%H:%M:%S%z"),
    ],
)
def test_profile_finds_the_date_format_that_parses_every_value(values, role, format_):
    from soloml.canonical.column_profile import profile_column

    p = profile_column("When", pd.Series(values))
    assert (p.timestamp, p.timestamp_format) == (1.0, format_)


@pytest.mark.parametrize(
    ("values", "share_attr"),
    [
        (["a@x.com", " B@Y.org ", "c@z.net"], "email"),
        (["$12.50", "$1,204.99", "-$3.00"], "money_symbols"),
        (["USD", "eur", "GBP"], "currency_code"),
    ],
)
def test_profile_recognises_emails_money_and_currency_codes_by_value(values, share_attr):
    from soloml.canonical.column_profile import profile_column

    assert getattr(profile_column("x", pd.Series(values)), share_attr) == 1.0


SAMPLE = pd.DataFrame(
    {"Txn #": ["T1", "T2"], "Customer E-mail": ["ann@example.com", "bob@example.com"], "Total": ["12.50", "8.00"]}
)


@pytest.mark.parametrize(
    ("suffix", "write"),
    [
        (".csv", lambda f, p: f.to_csv(p, index=False, sep=";")),
        (".tsv", lambda f, p: f.to_csv(p, index=False, sep="\t")),
        (".csv", lambda f, p: p.write_bytes(f.to_csv(index=False).replace("ann", "änn").encode("cp1252"))),
        (".xlsx", lambda f, p: f.to_excel(p, index=False)),
        (".parquet", lambda f, p: f.to_parquet(p, index=False)),
        (".json", lambda f, p: f.to_json(p, orient="records")),
    ],
)
def test_sample_reads_every_file_kind_as_text(tmp_path, suffix, write):
    path = tmp_path / f"export{suffix}"
    write(SAMPLE, path)
    frame = read_sample(path)
    assert list(frame.columns) == list(SAMPLE.columns)
    assert frame["Txn #"].tolist() == ["T1", "T2"] and frame["Total"].tolist() == ["12.50", "8.00"]
    assert frame["Customer E-mail"].tolist() in (
        ["ann@example.com", "bob@example.com"],
        ["änn@example.com", "bob@example.com"],
    )


def test_draft_maps_status_words_onto_allowed_values_and_marks_unknown_ones():
    frame = pd.DataFrame(
        {
            "Ref": ["1", "2", "3", "4"],
            "Mail": ["a@x.com"] * 4,
            "Total": ["$1.00"] * 4,
            "Date": [f"2024-01-0{i}" for i in range(1, 5)],
            "Result": ["OK", "DECLINED", "Voided?", "OK"],
        }
    )
    draft = draft_mapping(frame, name="till", table="payments")
    assert draft.values["status"] == {"OK": "succeeded", "DECLINED": "failed", "Voided?": "?"}
    assert '"Voided?": "?"    # not recognised' in draft.yaml_text


def test_draft_fills_currency_and_kind_with_literals_when_no_column_holds_them():
    draft = draft_of("pos_2024.csv", default_currency="EUR")
    literals = {g.column: g.literal for g in draft.guesses if g.source is None}
    assert literals == {"currency": "EUR", "kind": "charge"}


def test_draft_says_why_and_how_sure_for_every_guess():
    draft = draft_of("signups.csv")
    column_lines = [
        line
        for line in draft.yaml_text.splitlines()
        if line.startswith("  ") and ': "' in line and not line.startswith("    ") and "headers" not in line
    ]
    assert column_lines
    for line in column_lines:
        if line.startswith('  created_at: "%'):  # the formats block
            continue
        assert "# " in line and "(sure: " in line, line


def test_draft_notes_dates_that_fit_both_day_first_and_month_first():
    frame = pd.DataFrame(
        {
            "Id": ["1", "2"],
            "Email": ["a@x.com", "b@x.com"],
            "Total": ["$1.00", "$2.00"],
            "Date": ["03/04/2024", "05/06/2024"],
            "Status": ["paid", "paid"],
        }
    )
    draft = draft_mapping(frame, name="shop", table="payments")
    assert any("day-first and month-first" in n for n in draft.notes)


def test_draft_with_unknown_table_suggests_the_closest():
    with pytest.raises(AdapterError, match="Did you mean 'payments'"):
        draft_of("pos_2024.csv", table="paymnts")


def test_draft_yaml_validates_as_a_mapping_once_every_guess_is_confirmed(tmp_path):
    draft = write_draft(CRM / "newsletter_log.csv", tmp_path)
    m = load_mapping(draft.path)
    assert (m.table, m.source, m.columns["event_type"]) == ("marketing_events", "newsletter_log", "What happened")
    assert m.values["event_type"]["Delivered"] == "sent"


def test_draft_is_not_written_over_an_existing_mapping(tmp_path):
    write_draft(CRM / "pos_2024.csv", tmp_path)
    with pytest.raises(AdapterError, match="already exists"):
        write_draft(CRM / "pos_2024.csv", tmp_path)
    assert write_draft(CRM / "pos_2024.csv", tmp_path, force=True).path == tmp_path / "pos.yaml"


# --- validating a mapping ---------------------------------------------------------------------------------------

VALID = {
    "table": "payments",
    "source": "legacy_pos",
    "match": {"file": "pos_*.csv"},
    "columns": {
        "payment_id": "Txn #",
        "email": "Customer E-mail",
        "amount": "Total",
        "paid_at": "When",
        "status": "Result",
        "currency": "USD",
        "kind": "charge",
    },
    "formats": {"paid_at": "%d/%m/%Y %H:%M"},
    "values": {"status": {"OK": "succeeded", "DECLINED": "failed"}},
}


def write_yaml(tmp_path: Path, data: dict, name: str = "legacy_pos.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def with_(**changes) -> dict:
    data = json.loads(json.dumps(VALID))
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split("__")
        for p in parents:
            target = target[p]
        if value is None:
            target.pop(last)
        else:
            target[last] = value
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"table": "paymnts"},
            "table: 'paymnts' is not a canonical table a mapping can fill. Did you mean 'payments'?",
        ),
        ({"table": "customers"}, "Allowed: payments, orders"),
        (
            {"columns__amout": "Total", "columns__amount": None},
            "core.payments has no column 'amout'. Did you mean 'amount'?",
        ),
        ({"columns__amount": None}, "core.payments needs amount"),
        (
            {"values__status": {"OK": "success"}},
            "values.status.OK: 'success' is not allowed. Did you mean 'succeeded'?",
        ),
        ({"formats__amount": "%d"}, "formats.amount: 'amount' is not mapped|formats are for date/time columns"),
        ({"source": "Legacy POS"}, "source: 'Legacy POS' must be lower-case"),
        ({"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not a time-zone name"),
        ({"match": {}}, "give `file`"),
        ({"colums": {}}, "colums: Extra inputs are not permitted"),
        (
            {"match": {"headers": ["Txn #", "Customer E-mail", "Total", "When", "Result"]}, "columns__kind": "chrage"},
            "columns.kind: 'chrage' is neither one of the file's columns (match.headers) nor an allowed value. Did you mean 'charge'?",
        ),
        (
            {
                "match": {"headers": ["Txn #", "Customer E-mail", "Total", "When", "Result"]},
                "columns__currency": "Dollars",
            },
            "columns.currency: 'Dollars' is neither one of the file's columns nor an ISO code",
        ),
    ],
)
def test_invalid_mapping_names_the_key_and_what_is_allowed(tmp_path, changes, message):
    path = write_yaml(tmp_path, with_(**changes))
    with pytest.raises(ConfigError) as err:
        load_mapping(path)
    assert "legacy_pos.yaml" in str(err.value)
    assert any(part in str(err.value) for part in message.split("|")), str(err.value)


def test_mapping_may_not_take_a_built_in_vendor_name(tmp_path):
    with pytest.raises(ConfigError, match="one of soloml's own vendors"):
        AdapterCatalog.from_files([write_yaml(tmp_path, with_(source="stripe"))])


def test_yaml_words_like_yes_and_no_stay_text(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(
        "table: payments\nsource: till\nmatch: {headers: [Ref, Paid, Amount, When]}\n"
        "columns: {payment_id: Ref, status: Paid, amount: Amount, paid_at: When, currency: USD, kind: charge}\n"
        "values: {status: {yes: succeeded, no: failed}}\n",
        encoding="utf-8",
    )
    assert load_mapping(path).values["status"] == {"yes": "succeeded", "no": "failed"}


# --- loading through a mapping ----------------------------------------------------------------------------------


def test_mapped_file_is_detected_by_its_headers_and_lands_exact_values(con, tmp_path):
    catalog = AdapterCatalog.from_files([write_yaml(tmp_path, VALID)])
    frame = pd.read_csv(CRM / "pos_2024.csv", dtype=str)
    detection = detect(list(frame.columns), frame, None, catalog=catalog)
    assert detection.vendor_object == "legacy_pos.payments"
    result = load(con, "pos_2024.csv", catalog=catalog)
    assert result.core_rows["payments"] == 4
    assert query(
        con,
        "SELECT payment_id, source, email, kind, status, amount, currency, paid_at FROM core.payments "
        "ORDER BY payment_id",
    ) == [
        (
            "legacy_pos:T-1001",
            "legacy_pos",
            "ann@example.com",
            "charge",
            "succeeded",
            Decimal("12.50"),
            "USD",
            datetime(2024, 1, 15, 9, 30),
        ),
        (
            "legacy_pos:T-1002",
            "legacy_pos",
            "bob@example.com",
            "charge",
            "failed",
            Decimal("8.00"),
            "USD",
            datetime(2024, 1, 16, 10, 5),
        ),
        (
            "legacy_pos:T-1003",
            "legacy_pos",
            "ann@example.com",
            "charge",
            "succeeded",
            Decimal("1204.99"),
            "USD",
            datetime(2024, 1, 17, 18, 45),
        ),
        (
            "legacy_pos:T-1004",
            "legacy_pos",
            "cara@example.org",
            "charge",
            "succeeded",
            Decimal("3.25"),
            "USD",
            datetime(2024, 1, 25, 7, 12),
        ),
    ]
    same_person = query(con, "SELECT count(DISTINCT customer_id) FROM core.payments WHERE email = 'ann@example.com'")
    assert same_person == [(1,)]


def test_mapping_file_pattern_names_the_mapping_for_a_file(tmp_path):
    catalog = AdapterCatalog.from_files([write_yaml(tmp_path, VALID)])
    assert catalog.mapping_for_file("exports/pos_2025.csv") == "legacy_pos.payments"
    assert catalog.mapping_for_file("orders.csv") is None


def test_value_the_mapping_does_not_cover_is_quarantined_with_the_reason(con, tmp_path):
    catalog = AdapterCatalog.from_files([write_yaml(tmp_path, VALID)])
    text = (CRM / "pos_2024.csv").read_text(encoding="utf-8").replace("DECLINED", "REVERSED")
    (tmp_path / "pos_2025.csv").write_text(text, encoding="utf-8")
    result = load(con, tmp_path / "pos_2025.csv", max_quarantine_share=0.5, catalog=catalog)
    assert (result.core_rows["payments"], result.core_rows["_quarantined"]) == (3, 1)
    [(row, reason)] = query(con, "SELECT row_number, reason FROM ops.quarantine")
    assert row == 2 and "'Result'" in reason and "REVERSED" in reason


def test_rows_without_an_id_get_a_stable_hash_id_so_duplicates_and_reloads_collapse(con, tmp_path):
    mapping = {
        "table": "marketing_events",
        "source": "newsletter",
        "match": {"headers": ["Recipient", "Newsletter", "What happened", "At"]},
        "columns": {"email": "Recipient", "campaign": "Newsletter", "event_type": "What happened", "occurred_at": "At"},
        "values": {"event_type": {"Delivered": "sent", "Opened": "open", "Bounced": "bounce", "Clicked": "click"}},
    }
    catalog = AdapterCatalog.from_files([write_yaml(tmp_path, mapping, "newsletter.yaml")])
    load(con, "newsletter_log.csv", catalog=catalog)  # 6 rows, one an exact duplicate
    text = (CRM / "newsletter_log.csv").read_text(encoding="utf-8")
    (tmp_path / "newsletter_log_again.csv").write_text(
        text.replace("\n", "\r\n"), encoding="utf-8"
    )  # same rows, new file
    load(con, tmp_path / "newsletter_log_again.csv", catalog=catalog)
    got = query(
        con, "SELECT email, event_type, occurred_at FROM core.marketing_events ORDER BY occurred_at, event_type, email"
    )
    assert got == [
        ("ann.lee@example.com", "sent", datetime(2024, 3, 1, 9, 0)),
        ("bob@example.org", "sent", datetime(2024, 3, 1, 9, 0)),
        ("bob@example.org", "bounce", datetime(2024, 3, 1, 9, 0, 5)),
        ("ann.lee@example.com", "open", datetime(2024, 3, 1, 10, 15)),
        ("ann.lee@example.com", "click", datetime(2024, 3, 1, 10, 16)),
    ]
    assert all(eid.startswith("newsletter:") for (eid,) in query(con, "SELECT event_id FROM core.marketing_events"))


def test_local_times_are_converted_to_utc_with_the_mappings_timezone(con, tmp_path):
    catalog = AdapterCatalog.from_files([write_yaml(tmp_path, with_(timezone="America/New_York"))])
    load(con, "pos_2024.csv", catalog=catalog)
    assert query(con, "SELECT paid_at FROM core.payments WHERE payment_id = 'legacy_pos:T-1001'") == [
        (datetime(2024, 1, 15, 14, 30),)
    ]


def test_adapter_requires_the_mapped_columns_and_keys_raw_rows_by_the_id_column():
    from soloml.canonical.adapters.mapping import Mapping

    adapter = mapping_adapter(Mapping.model_validate(VALID))
    assert adapter.vendor_object == "legacy_pos.payments"
    assert adapter.key == ("txn",)
    assert adapter.missing({"txn", "customer_e_mail"}) == ["Total", "When", "Result"]


# --- the command ------------------------------------------------------------------------------------------------


def test_map_command_writes_a_draft_into_the_workspace_and_reports_it_as_json(ws):
    result = runner.invoke(app, ["map", str(CRM / "pos_2024.csv"), "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["table"] == "payments" and report["source"] == "pos"
    assert Path(report["mapping"]) == ws.mappings_dir / "pos.yaml"
    assert {c["column"]: c["from"] for c in report["columns"]}["amount"] == "Total"
    assert load_mapping(ws.mappings_dir / "pos.yaml").vendor_object == "pos.payments"


def test_map_command_refuses_to_overwrite_an_edited_mapping(ws):
    args = ["map", str(CRM / "pos_2024.csv"), "--workspace", str(ws.root)]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "already exists" in again.output and "--force" in again.output


def test_map_command_says_a_known_vendor_file_needs_no_mapping(ws):
    result = runner.invoke(app, ["map", str(CRM / "hubspot_contacts.csv"), "--workspace", str(ws.root)])
    assert result.exit_code == 1
    assert "already recognised as hubspot.contacts" in result.output
    assert not (ws.mappings_dir / "hubspot_contacts.yaml").exists()


def test_map_command_with_a_missing_file_exits_1_naming_it(ws):
    result = runner.invoke(app, ["map", str(ws.root / "nope.csv"), "--workspace", str(ws.root)])
    assert result.exit_code == 1
    assert "nope.csv does not exist" in result.output


def test_a_confirmed_draft_loads_the_file_it_was_drafted_from(ws):
    assert runner.invoke(app, ["map", str(CRM / "signups.csv"), "--workspace", str(ws.root)]).exit_code == 0
    catalog = AdapterCatalog.from_folder(ws.mappings_dir)
    [adapter] = catalog.mapping_adapters
    con = ws.connect()
    try:
        result = load(con, "signups.csv", catalog=catalog)
        assert (adapter.vendor_object, result.detection.vendor_object, result.core_rows["contacts"]) == (
            "signups.contacts",
            "signups.contacts",
            5,
        )
        assert query(
            con, "SELECT contact_id, lifecycle_stage, created_at FROM core.contacts WHERE email = 'ann.lee@example.com'"
        ) == [("signups:M-001", "customer", datetime(2024, 1, 3))]
    finally:
        con.close()


def test_a_drafted_orders_mapping_lands_utc_times_and_money(con, tmp_path):
    draft = write_draft(CRM / "till_orders.csv", tmp_path)
    catalog = AdapterCatalog.from_files([draft.path])
    load(con, "till_orders.csv", catalog=catalog)
    assert query(
        con,
        "SELECT order_id, source, status, subtotal, discount, shipping, tax, total, currency, ordered_at "
        "FROM core.orders ORDER BY order_id",
    )[:2] == [
        (
            "till_orders:1001",
            "till_orders",
            "paid",
            Decimal("40.00"),
            Decimal("4.00"),
            Decimal("5.00"),
            Decimal("3.20"),
            Decimal("44.20"),
            "USD",
            datetime(2024, 1, 15, 14, 32, 10),
        ),
        (
            "till_orders:1002",
            "till_orders",
            "refunded",
            Decimal("18.00"),
            Decimal("0.00"),
            Decimal("5.00"),
            Decimal("1.44"),
            Decimal("24.44"),
            "USD",
            datetime(2024, 1, 16, 15, 0),
        ),
    ]


def test_soloml_load_uses_the_workspaces_mappings(ws, tmp_path):
    """`soloml map FILE` then `soloml load FILE` lands the rows in core, with no Python in between."""
    import json
    import shutil

    copy = tmp_path / "signups.csv"
    shutil.copy(CRM / "signups.csv", copy)
    assert runner.invoke(app, ["map", str(copy), "--workspace", str(ws.root)]).exit_code == 0
    result = runner.invoke(app, ["load", str(copy), "--workspace", str(ws.root), "--json"])  # finds the mapping itself
    assert result.exit_code == 0, result.output
    (loaded,) = json.loads(result.stdout)["loads"]
    assert loaded["detection"]["vendor_object"] == "signups.contacts"
    assert loaded["core_rows"]["contacts"] == 5


def test_a_file_loaded_before_it_was_mapped_reaches_core_when_loaded_again(ws, tmp_path):
    import json
    import shutil

    copy = tmp_path / "signups.csv"
    shutil.copy(CRM / "signups.csv", copy)
    load_args = ["load", str(copy), "--workspace", str(ws.root), "--json"]
    first = json.loads(runner.invoke(app, load_args).stdout)["loads"][0]
    assert first["detection"]["vendor_object"] is None and "contacts" not in first["core_rows"]
    again = json.loads(runner.invoke(app, load_args).stdout)["loads"][0]
    assert again["status"] == "unchanged"  # nothing new to say about it yet
    assert runner.invoke(app, ["map", str(copy), "--workspace", str(ws.root)]).exit_code == 0
    mapped = json.loads(runner.invoke(app, load_args).stdout)["loads"][0]
    assert mapped["status"] == "loaded" and mapped["core_rows"]["contacts"] == 5
    con = ws.connect()
    try:
        assert con.execute(f"SELECT count(*) FROM {mapped['raw_table']}").fetchone()[0] == 5
    finally:
        con.close()
    assert json.loads(runner.invoke(app, load_args).stdout)["loads"][0]["status"] == "unchanged"


# --- issue 11: the customer of a plain purchase log, and purchases that repeat (items 8 and 9) ----------------

PURCHASES = "customer_id,order_date,quantity,amount\nC1,2024-01-01,1,10.00\nC2,2024-01-02,2,20.00\nC3,2024-01-03,1,5.00\nC4,2024-01-05,3,30.00\n"


@pytest.mark.parametrize("name", ["purchases", "transactions", "data"])
def test_draft_maps_the_files_customer_id_as_the_customer_never_as_the_rows_id(name):
    frame = pd.read_csv(pd.io.common.StringIO(PURCHASES), dtype=str)
    draft = draft_mapping(frame, name=name)
    assert draft.columns["customer_id"] == "customer_id"
    own_id = {"payments": "payment_id", "orders": "order_id", "subscriptions": "subscription_id"}.get(draft.table)
    assert own_id not in draft.columns and draft.missing == ()


def test_draft_warns_when_no_column_names_the_customer():
    frame = pd.DataFrame(
        {"Txn": ["A1", "A2"], "Total": ["$5.00", "$7.50"], "When": ["2024-01-15 10:00", "2024-01-16 11:30"]}
    )
    draft = draft_mapping(frame, name="pos")
    assert any("without a customer" in n for n in draft.notes)


def test_a_load_that_reaches_core_with_no_customer_says_so_loudly(con, tmp_path):
    catalog = AdapterCatalog.from_files(
        [
            write_yaml(
                tmp_path,
                {
                    "table": "orders",
                    "source": "log",
                    "match": {"headers": ["order_date", "amount"]},
                    "columns": {"ordered_at": "order_date", "total": "amount", "status": "paid", "currency": "USD"},
                },
                "log.yaml",
            )
        ]
    )
    path = tmp_path / "log.csv"
    path.write_text("order_date,amount\n2024-01-01,10.00\n2024-01-02,20.00\n", encoding="utf-8")
    result = load(con, path, catalog=catalog)
    assert result.core_rows["orders"] == 2 and result.core_rows["_without_customer"] == 2
    assert any(
        n.startswith("WARNING: none of the 2 rows routed into core.orders is linked to a customer")
        for n in result.notes
    )


def test_identical_purchases_in_a_file_without_ids_are_kept_and_counted(con, tmp_path):
    catalog = AdapterCatalog.from_files(
        [
            write_yaml(
                tmp_path,
                {
                    "table": "orders",
                    "source": "log",
                    "match": {"headers": ["customer_id", "order_date", "quantity", "amount"]},
                    "columns": {
                        "customer_id": "customer_id",
                        "ordered_at": "order_date",
                        "item_count": "quantity",
                        "total": "amount",
                        "status": "paid",
                        "currency": "USD",
                    },
                },
                "log.yaml",
            )
        ]
    )
    path = tmp_path / "log.csv"
    path.write_text(
        PURCHASES + "C1,2024-01-01,1,10.00\nC1,2024-01-01,1,10.00\n", encoding="utf-8"
    )  # C1 bought it 3 times that day
    result = load(con, path, catalog=catalog)
    assert result.core_rows["orders"] == 6 and result.core_rows["_duplicate_rows"] == 0
    assert any("2 row(s) of core.orders are identical to another row" in n for n in result.notes), result.notes
    assert query(
        con, "SELECT count(*), sum(total) FROM core.orders WHERE customer_id IS NOT NULL AND ordered_at = '2024-01-01'"
    ) == [(3, Decimal("30.00"))]
    path.write_text(
        PURCHASES + "C1,2024-01-01,1,10.00\nC1,2024-01-01,1,10.00\nC9,2024-02-01,1,1.00\n", encoding="utf-8"
    )
    again = load(con, path, catalog=catalog)  # the same export with one new row: the repeats are not added twice
    assert again.core_rows["orders"] == 1 and query(con, "SELECT count(*) FROM core.orders") == [(7,)]
