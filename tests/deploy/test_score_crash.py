"""`soloml score --to postgres` killed with SIGKILL while publishing: the next run finds the run, settles it, says so,
and leaves no staging table behind. Real processes, a real kill, the real PostgreSQL server."""

from __future__ import annotations

import json
import secrets

import pytest
from test_writeback import drop, read_table, tables_named_like
from typer.testing import CliRunner

from crashes import killed_at
from soloml.cli.app import app
from soloml.deploy import score_project


@pytest.fixture
def crm(postgres_url: str):
    url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    table = f"soloml_crash_{secrets.token_hex(4)}"
    yield url, table
    for leftover in tables_named_like(url, table):
        drop(url, leftover)


def score_args(ws, url: str, table: str, run_id: str) -> tuple[str, ...]:
    return ("score", "churn", "--to", url, "--table", table, "--run-id", run_id, "-w", str(ws.root))


def runs(ws) -> dict[str, tuple[str, int]]:
    con = ws.connect(read_only=True)
    try:
        status = dict(con.execute("SELECT run_id, status FROM ops.runs WHERE kind = 'score'").fetchall())
        counts = dict(con.execute("SELECT run_id, count(*) FROM ops.predictions GROUP BY run_id").fetchall())
    finally:
        con.close()
    return {run: (state, counts.get(run, 0)) for run, state in status.items()}


def test_a_run_killed_after_the_swap_is_recorded_by_the_next_run(trained_ws, crm):
    url, table = crm
    score_project(trained_ws, "churn", to=[url], table=table, run_id="first")
    killed_at("score.published", *score_args(trained_ws, url, table, "crashed"))
    assert set(read_table(url, table)["run_id"]) == {"crashed"}, "the CRM table holds the killed run"
    assert runs(trained_ws)["crashed"] == ("publishing", 0), "the warehouse never recorded it"

    again = CliRunner().invoke(
        app, ["score", "churn", "--to", url, "--table", table, "--run-id", "next", "-w", str(trained_ws.root), "--json"]
    )

    assert again.exit_code == 0, again.output
    said = json.loads(again.stdout)["recovered"]
    assert len(said) == 1 and "crashed" in said[0] and "recorded its 800 predictions" in said[0]
    assert runs(trained_ws) == {"first": ("succeeded", 800), "crashed": ("succeeded", 800), "next": ("succeeded", 800)}
    assert set(read_table(url, table)["run_id"]) == {"next"}
    assert tables_named_like(url, table) == [table], "no staging table is left"


def test_a_run_killed_before_the_swap_is_recorded_as_failed_and_its_staging_table_dropped(trained_ws, crm):
    url, table = crm
    score_project(trained_ws, "churn", to=[url], table=table, run_id="first")
    killed_at("score.staged", *score_args(trained_ws, url, table, "crashed"))
    assert set(read_table(url, table)["run_id"]) == {"first"}, "nothing was swapped"
    assert len(tables_named_like(url, table)) == 2, "the killed run's staging table is there"

    result = score_project(trained_ws, "churn", run_id="next")

    assert (
        len(result.recovered) == 1
        and "crashed" in result.recovered[0]
        and "recorded it as failed" in result.recovered[0]
    )
    assert runs(trained_ws) == {"first": ("succeeded", 800), "crashed": ("failed", 0), "next": ("succeeded", 800)}
    assert tables_named_like(url, table) == [table] and set(read_table(url, table)["run_id"]) == {"first"}
