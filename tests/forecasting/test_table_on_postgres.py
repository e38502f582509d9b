"""`soloml forecast --table T --date D --value V` on a Postgres warehouse (issue 18): a loaded sales file gives
the same series, choice and forecasts as on a DuckDB file. Skips without SOLOML_TEST_POSTGRES_URL."""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pytest

import soloml
from soloml.app.forecast import forecast
from soloml.workspace import init_workspace


def _sales(path) -> None:
    """Four years of daily sales by store, with a yearly season and growth (two stores)."""
    rng = np.random.default_rng(4)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sold_on", "store", "amount"])
        for month in range(48):
            year, m = 2022 + month // 12, 1 + month % 12
            for store, size in (("north", 100.0), ("south", 60.0)):
                for day in (3, 11, 19, 27):
                    season = 1.0 + 0.3 * np.sin(2 * np.pi * (m - 1) / 12)
                    amount = size * season * (1 + 0.01 * month) * rng.uniform(0.9, 1.1)
                    writer.writerow([date(year, m, day).isoformat(), store, f"{amount:.2f}"])


def test_a_table_forecast_is_the_same_on_postgres_as_on_duckdb(tmp_path, postgres_warehouse_url):
    _sales(tmp_path / "sales.csv")
    seen = {}
    for kind, warehouse in (("duckdb", "warehouse.duckdb"), ("postgres", postgres_warehouse_url)):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, [tmp_path / "sales.csv"])
        run = forecast(ws, table="raw.sales", date="sold_on", value="amount", by=["store"], horizon=6, save=False)
        seen[kind] = run.to_facts()
    duck, pg = seen["duckdb"], seen["postgres"]
    for key in ("series", "verdict", "metric", "judged_periods"):
        assert pg[key] == duck[key], key
    assert {s: c["model"] for s, c in pg["choices"].items()} == {s: c["model"] for s, c in duck["choices"].items()}
    assert len(duck["forecasts"]) == 2 * 6
    assert [(f["series"], f["period"]) for f in pg["forecasts"]] == [
        (f["series"], f["period"]) for f in duck["forecasts"]
    ]
    assert [f["forecast"] for f in pg["forecasts"]] == pytest.approx(
        [f["forecast"] for f in duck["forecasts"]], rel=1e-9
    )
