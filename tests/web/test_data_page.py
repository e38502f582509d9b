"""The Data page shows quarantined rows with their reasons and the file they came from, by name only."""

from __future__ import annotations

import httpx
import markupsafe

from conftest import assert_no_machine_paths
from soloml.deploy.runner import running
from soloml.sources import load_paths
from soloml.web import create_ui


def test_quarantined_rows_are_listed_with_their_reason_and_file_name(ws, tmp_path):
    lines = (
        ["id,Created (UTC),Amount"]
        + [f"c{i},2024-01-{i % 28 + 1:02d},{i}.50" for i in range(1, 100)]
        + ["c100,31/31/2024,1.00"]
    )
    path = tmp_path / "exports" / "pay.csv"
    path.parent.mkdir()
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = ws.connect()
    try:
        load_paths(con, [path])
        [(reason,)] = con.execute("SELECT reason FROM ops.quarantine").fetchall()
    finally:
        con.close()
    with running(create_ui(ws)) as service:
        page = httpx.get(service.url + "/data", timeout=20).text
    assert '<strong id="quarantine-total">1</strong> rows did not load.' in page
    assert str(markupsafe.escape(reason)) in page and "31/31/2024" in page
    assert "<td>pay.csv</td>" in page
    assert_no_machine_paths(page, ws)
