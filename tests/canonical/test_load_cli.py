"""`soloml load` with canonical routing, as a user runs it: recognised files land in core.*, a vendor file with
columns missing fails in one paragraph that lists them, and nothing is written."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from canonical.helpers import FIXTURES, write_csv
from soloml.cli.app import app

runner = CliRunner()


def test_load_reports_the_vendor_object_and_core_rows(ws):
    result = runner.invoke(app, ["load", str(FIXTURES / "stripe_payments.csv"), "-w", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    (loaded,) = json.loads(result.stdout)["loads"]
    assert loaded["detection"]["vendor_object"] == "stripe.payments"
    assert loaded["core_rows"]["payments"] == 5 and loaded["core_rows"]["_test_mode"] == 1


def test_vendor_file_missing_required_columns_fails_listing_them_and_writes_nothing(ws, tmp_path):
    lines = (FIXTURES / "stripe_payments.csv").read_text().splitlines()
    header = lines[0].split(",")
    drop = {header.index("Currency"), header.index("Status")}
    cut = "\n".join(",".join(v for i, v in enumerate(line.split(",")) if i not in drop) for line in lines[:2]) + "\n"
    result = runner.invoke(app, ["load", str(write_csv(tmp_path, "payments.csv", cut)), "-w", str(ws.root)])
    assert result.exit_code == 1
    assert "missing required columns: 'Currency', 'Status'" in result.output
    con = ws.connect()
    try:
        assert (
            con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name IN ('raw', 'core')").fetchone()[0] == 0
        )
    finally:
        con.close()


def test_the_crm_time_zone_is_asked_once_remembered_and_used(ws, monkeypatch):
    """Issue 11, item 11: HubSpot writes times in the portal's zone; soloml asks for it on the first CRM export."""
    import soloml.cli.load as load_cli
    from canonical.crm_helpers import CRM
    from soloml.workspace import open_workspace

    monkeypatch.setattr(load_cli, "_interactive", lambda: True)
    first = runner.invoke(
        app, ["load", str(CRM / "hubspot_contacts.csv"), "-w", str(ws.root)], input="Mars/Base\nAmerica/Chicago\n"
    )
    assert first.exit_code == 0, first.output
    assert "'Mars/Base' is not a time-zone name" in first.output and "read in America/Chicago" in first.output
    assert open_workspace(ws.root).settings.crm.timezone == "America/Chicago"
    second = runner.invoke(app, ["load", str(CRM / "hubspot_deals.csv"), "-w", str(ws.root)], input="")
    assert second.exit_code == 0 and "Which zone" not in second.output and "read in America/Chicago" in second.output
    con = ws.connect()
    try:
        assert (
            con.execute("SELECT created_at FROM core.contacts WHERE contact_id = 'hubspot:101'").fetchone()[0].hour
            == 20
        )  # 14:32 CST
    finally:
        con.close()


def test_without_a_terminal_the_crm_zone_is_not_asked_and_the_report_says_utc_was_used(ws):
    from canonical.crm_helpers import CRM

    result = runner.invoke(app, ["load", str(CRM / "hubspot_contacts.csv"), "-w", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    (loaded,) = json.loads(result.stdout)["loads"]
    assert any("crm.timezone is not set, so they were read as UTC" in n for n in loaded["notes"])
