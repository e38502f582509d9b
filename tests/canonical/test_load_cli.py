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
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name IN ('raw', 'core')").fetchone()[0] == 0
    finally:
        con.close()
