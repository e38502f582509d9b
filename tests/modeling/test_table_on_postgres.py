"""The quick path (`soloml train --table raw.T --target C`, then `soloml score`) on a Postgres warehouse gives the
model and the predictions it gives on a DuckDB file (issue 18): the table's columns and types, and its email column
for the business ids, are read without DuckDB's DESCRIBE. Skips without SOLOML_TEST_POSTGRES_URL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import soloml
from soloml.app.models import promote_model
from soloml.app.score import score
from soloml.app.train import train_table
from soloml.errors import SolomlError
from soloml.workspace import init_workspace


def _bookings(n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    lead = rng.integers(0, 90, n)
    room = rng.choice(["single", "double", "suite"], n, p=[0.4, 0.45, 0.15])
    bad = rng.random(n) < 1 / (1 + np.exp(-(-1.2 + 0.04 * lead - 0.8 * (room == "suite"))))
    return pd.DataFrame(
        {
            "Booked On": pd.date_range("2024-01-01", periods=n, freq="D").date,
            "Room": room,
            "Nights": rng.integers(1, 10, n),
            "Lead Days": lead,
            "Email": [f"guest{i}@example.com" for i in range(n)],
            "Status": np.where(bad, "bad", "good"),
        }
    )


def test_a_table_trained_and_scored_on_postgres_equals_the_same_on_duckdb(tmp_path, postgres_warehouse_url):
    path = tmp_path / "bookings.csv"
    _bookings().to_csv(path, index=False)
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, [path])
        trained = train_table(ws, "raw.bookings", "status", seed=3)
        assert trained.spec_path is not None
        project = trained.spec_path.stem
        promote_model(ws, project, trained.version or "candidate")
        scored = score(ws, project, run_id="t1")
        with ws.connect() as con:
            rows = con.execute(
                "SELECT entity_id, score, rank, source_system, source_id, email FROM ops.predictions ORDER BY entity_id"
            ).fetchall()
        seen[kind] = (trained.result.model_score, trained.result.verdict.decision, scored.rows, scored.decided, rows)
    assert seen["postgres"] == seen["duckdb"]
    assert seen["duckdb"][2] == 300 and seen["duckdb"][4][0][5] == seen["duckdb"][4][0][0]  # the email is the id


def test_a_file_as_the_table_on_a_postgres_warehouse_says_to_load_it_first(tmp_path, postgres_warehouse_url):
    path = tmp_path / "bookings.csv"
    _bookings(40).to_csv(path, index=False)
    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    with pytest.raises(
        SolomlError, match=r"is a file, and this workspace's warehouse \(Postgres\) reads tables"
    ) as err:
        train_table(ws, str(path), "status", seed=3)
    assert "soloml load" in (err.value.hint or "")
