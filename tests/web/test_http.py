"""The dashboard over HTTP, against a real uvicorn on 127.0.0.1: every page, 404s, CSRF refusal, no machine paths,
the CSV download, background work with its progress, and the figures the CLI's --json gives for the same facts."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import httpx
import markupsafe
import pytest
from typer.testing import CliRunner

from conftest import assert_no_machine_paths, production
from soloml.cli.app import app

PAGES = ("/", "/projects/churn", "/data", "/models", "/experiments")


def cli_json(ws, *args: str):
    result = CliRunner().invoke(app, [*args, "--workspace", str(ws.root), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def client(ui_url):
    with httpx.Client(base_url=ui_url, timeout=30, follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_html_and_no_path_of_the_machine(client, demo_ws, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>" in r.text
    assert_no_machine_paths(r.text, demo_ws)


@pytest.mark.parametrize(
    "path",
    [
        "/projects/nosuch",
        "/projects/NOPE!",
        "/models/churn/promote/v9999",
        "/models/churn/promote/latest",
        "/models/nosuch/rollback",
        "/jobs/123456",
        "/jobs/123456/status",
        "/projects/nosuch/predictions.csv",
        "/reports/nosuch.html",
        "/reports/..%2Fsoloml.yaml",
        "/no/such/page",
    ],
)
def test_unknown_names_give_a_404_page_not_a_500(client, demo_ws, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "Not found" in r.text and "<nav>" in r.text
    assert_no_machine_paths(r.text, demo_ws)


def test_a_state_change_without_the_csrf_token_is_refused_and_changes_nothing(client, demo_ws):
    before = production(demo_ws)
    for data in (
        {},
        {"csrf_token": "forged.0123"},
        {"csrf_token": token(client.get("/models/churn/rollback").text) + "x"},
    ):
        r = client.post("/models/churn/promote/v0002", data=data)
        assert r.status_code == 403, data
        r = client.post("/models/churn/rollback", data=data)
        assert r.status_code == 403
        assert client.post("/projects/churn/check", data=data).status_code == 403
    assert production(demo_ws) == before


def test_a_post_from_another_site_is_refused_even_with_a_token(client, demo_ws):
    before = production(demo_ws)
    good = token(client.get("/models/churn/promote/v0002").text)
    r = client.post("/models/churn/promote/v0002", data={"csrf_token": good}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert production(demo_ws) == before


def test_promote_asks_first_then_moves_production_and_rollback_puts_it_back(client, demo_ws):
    assert production(demo_ws) == "v0001"
    confirm = client.get("/models/churn/promote/v0002")
    assert confirm.status_code == 200 and "Are you sure?" in confirm.text and "v0001" in confirm.text
    assert production(demo_ws) == "v0001"  # showing the question changes nothing
    r = client.post("/models/churn/promote/v0002", data={"csrf_token": token(confirm.text)})
    assert r.status_code == 303
    assert production(demo_ws) == "v0002"
    assert [m["version"] for m in cli_json(demo_ws, "models", "churn") if "production" in m["aliases"]] == ["v0002"]
    r = client.post("/models/churn/rollback", data={"csrf_token": token(client.get("/models/churn/rollback").text)})
    assert r.status_code == 303
    assert production(demo_ws) == "v0001"


def test_data_page_shows_the_row_counts_soloml_tables_prints(client, demo_ws):
    page = client.get("/data").text
    for t in cli_json(demo_ws, "tables")["tables"]:
        row = re.search(
            rf'<tr data-table="{re.escape(t["table"])}"><td>[^<]*</td><td class="rows" data-value="(\d+)">', page
        )
        assert row, t["table"]
        assert int(row.group(1)) == t["rows"]


def test_data_page_shows_the_match_rates_soloml_identities_prints(client, demo_ws):
    page = client.get("/data").text
    ids = cli_json(demo_ws, "identities")
    assert f'<strong id="customers">{ids["customers"]:,}</strong>' in page
    rates = [float(x) for x in re.findall(r'<td class="rate" data-value="([0-9.e-]+)">', page)]
    assert rates == pytest.approx([p["rate"] for p in ids["pairs"]])


def test_the_list_downloads_as_csv_with_every_scored_row(client, demo_ws):
    r = client.get("/projects/churn/predictions.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    con = demo_ws.connect()
    try:
        run_id, n, decided = con.execute(
            "SELECT run_id, rows, (SELECT count(*) FROM ops.predictions p WHERE p.run_id = r.run_id AND decision) FROM ops.runs r "
            "WHERE kind = 'score' AND status = 'succeeded' AND project = 'churn' ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    assert len(rows) == n > 0
    assert sum(row["decision"] == "True" for row in rows) == decided
    assert [int(row["rank"]) for row in rows[:3]] == [1, 2, 3]


def test_re_running_the_check_works_in_the_background_and_the_page_shows_its_progress(client, demo_ws):
    project = client.get("/projects/churn").text
    r = client.post("/projects/churn/check", data={"csrf_token": token(project)})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job = r.headers["location"]
    first = client.get(job)
    assert first.status_code == 200 and 'id="job"' in first.text
    state = ""
    for _ in range(600):  # bounded: at most ~5 minutes on a busy machine
        status = client.get(f"{job}/status").text
        state = re.search(r'data-state="(\w+)"', status).group(1)
        if state != "running":
            break
        assert 'hx-get="' in status and 'hx-trigger="every 1s"' in status  # the page keeps polling while it runs
        time.sleep(0.5)
    assert state == "done", status
    assert "hx-get" not in status  # finished: polling stops
    result = CliRunner().invoke(app, ["check", "churn", "--workspace", str(demo_ws.root), "--json"])
    assert result.exit_code in (0, 1, 2), result.output  # 0 ready, 1 fix first, 2 not enough yet
    headline = json.loads(result.stdout)["summary"][0]
    assert f"<li>{markupsafe.escape(headline)}</li>" in status
    assert_no_machine_paths(status, demo_ws)
    assert "Checked just now" in client.get("/projects/churn").text


def test_a_scoring_run_started_from_the_page_writes_a_new_list(client, demo_ws):
    r = client.post("/projects/churn/score", data={"csrf_token": token(client.get("/projects/churn").text)})
    assert r.status_code == 303
    job = r.headers["location"]
    state, status = "", ""
    for _ in range(600):  # bounded
        status = client.get(f"{job}/status").text
        state = re.search(r'data-state="(\w+)"', status).group(1)
        if state != "running":
            break
        time.sleep(0.5)
    assert state == "done", status
    run_id = re.search(r"Run ([\w.-]+)\.</p>", status).group(1)
    con = demo_ws.connect()
    try:
        [(rows, latest)] = con.execute(
            "SELECT rows, (SELECT run_id FROM ops.runs WHERE kind = 'score' AND status = 'succeeded' AND project = 'churn' "
            "ORDER BY finished_at DESC LIMIT 1) FROM ops.runs WHERE run_id = ?",
            [run_id],
        ).fetchall()
    finally:
        con.close()
    assert latest == run_id
    assert f"Scored {rows:,} with model" in status
    assert f"Run {run_id} on" in client.get("/projects/churn").text
