"""Experiments on a Postgres warehouse (issue 18): the experiment YAML, `assign`, the metrics' SQL, an imported
split and the readout, through soloml.app as a user runs them, give the same arms and the same numbers as on a
DuckDB warehouse, though each warehouse got the units' rows in another order."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import numpy as np

import soloml
from soloml.app.experiment import analyze, assign
from soloml.workspace import init_workspace

UNITS = 400


def _rows() -> list[dict]:
    """unit_id, bought (0/1), spend and pre-period spend, seen_at (a few dated 2099: after the end, not counted)."""
    rng = np.random.default_rng(3)
    rows = []
    for i in range(UNITS):
        pre = round(float(rng.gamma(2.0, 20.0)), 2)
        rows.append(
            {
                "unit_id": f"u{i:04d}",
                "bought": int(rng.random() < 0.3),
                "spend": round(pre * 0.8 + float(rng.normal(10, 5)), 2),
                "pre_spend": pre,
                "seen_at": "2099-01-01" if i % 50 == 7 else f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}",
                "group": "B" if i % 3 == 0 else "A",
            }
        )
    return rows


def _people(folder, *, reverse: bool):
    rows = _rows()
    folder.mkdir(parents=True)
    path = folder / "people.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(reversed(rows) if reverse else rows)
    return path


def _yaml(end: date) -> str:
    start = date.today() - timedelta(days=1)
    return f"""\
name: offer
salt: dec
start: {start.isoformat()}
end: {end.isoformat()}
variants: {{control: 1, offer: 1}}
primary:
  name: bought
  sql: SELECT unit_id, bought AS value FROM raw.people WHERE CAST(seen_at AS DATE) < $end
  missing_value: 0
  unit_words: customers
  verb: kept
  value_per_unit: 40
guardrails:
  - name: spend
    kind: mean
    sql: SELECT unit_id, spend AS value, pre_spend AS covariate FROM raw.people
    currency: USD
"""


def test_an_experiment_gives_the_same_arms_and_readout_on_postgres_as_on_duckdb(tmp_path, postgres_warehouse_url):
    end = date.today() + timedelta(days=30)
    seen = {}
    for kind, warehouse, reverse in (
        ("duckdb", "warehouse.duckdb", False),
        ("postgres", postgres_warehouse_url, True),
    ):
        ws = init_workspace(tmp_path / kind, warehouse=warehouse)
        soloml.load(ws, [_people(tmp_path / f"{kind}_files", reverse=reverse)])
        ws.experiments_dir.mkdir(parents=True, exist_ok=True)
        (ws.experiments_dir / "offer.yaml").write_text(_yaml(end))
        assigned = assign(ws, "offer", units="SELECT unit_id FROM raw.people")
        again = assign(ws, "offer", units="SELECT unit_id FROM raw.people ORDER BY unit_id DESC")
        with ws.connect() as con:
            arms = sorted(
                con.execute("SELECT unit_id, variant FROM ops.exposures WHERE experiment = 'offer'").fetchall()
            )
        readout = analyze(ws, "offer").to_facts()
        imported = analyze(ws, "split", from_='SELECT unit_id, "group" AS arm, bought FROM raw.people').to_facts()
        seen[kind] = (assigned.to_facts(), again.to_facts(), arms, readout, imported)
    duck, pg = seen["duckdb"], seen["postgres"]
    assert pg[0] == duck[0] and duck[0]["new_exposures"] == UNITS
    assert pg[1] == duck[1] and duck[1]["new_exposures"] == 0  # the same units again: nothing new, no arm changed
    assert pg[2] == duck[2] and len(duck[2]) == UNITS  # every unit in the same arm
    assert pg[3] == duck[3]  # the readout, to the last digit
    assert pg[4] == duck[4]
    bought = sum(r["bought"] for r in _rows() if not r["seen_at"].startswith("2099"))  # $end kept 2099 out
    assert sum(v["total"] for v in duck[3]["variants"]) == bought
    assert duck[3]["metric"] == "bought" and [g["metric"] for g in duck[3]["guardrails"]] == ["spend"]
