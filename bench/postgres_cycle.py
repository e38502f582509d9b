"""The demo business's cycle on a Postgres warehouse, against the same cycle on a DuckDB file in the same run.

    SOLOML_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test python bench/postgres_cycle.py [CUSTOMERS]

Bluebird Coffee (1,000 customers by default, seed 7) goes through what a user runs: load, the CEO's churn project,
features (built, then reused from the cache), train, promote, score, monitor; first into a DuckDB workspace (the
reference), then into a Postgres one (a database made for the run and dropped after). Writes the
'## Postgres cycle' section of bench/RESULTS.md. Without the URL it says so and writes nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from soloml.app.features import features
from soloml.app.interview import write_interview
from soloml.app.load import load
from soloml.app.models import promote_model
from soloml.app.monitor import monitor
from soloml.app.score import score
from soloml.app.train import train_project
from soloml.demo.generator import generate_bluebird
from soloml.demo.step_project import CEO_ANSWERS
from soloml.workspace import Workspace, init_workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _postgres import scratch_database  # noqa: E402
from _results import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "postgres_cycle"
STEPS = ("load", "features", "features (cached)", "train", "score", "monitor")


def cycle(ws: Workspace, paths: list[Path]) -> tuple[dict[str, float], dict[str, Any]]:
    """Wall seconds of each step, and what the cycle gave (to show both warehouses agree)."""
    took: dict[str, float] = {}

    def timed(step: str, fn: Any) -> Any:
        start = time.perf_counter()
        value = fn()
        took[step] = time.perf_counter() - start
        return value

    timed("load", lambda: load(ws, paths))
    write_interview(ws, yaml.safe_load(CEO_ANSWERS))
    built = timed("features", lambda: features(ws, "churn"))
    timed("features (cached)", lambda: features(ws, "churn"))
    trained = timed("train", lambda: train_project(ws, "churn", seed=7))
    promote_model(ws, "churn", trained.version or "candidate")
    scored = timed("score", lambda: score(ws, "churn"))
    timed("monitor", lambda: monitor(ws, "churn"))
    gave = {"rows": built.rows, "model_score": trained.result.model_score, "scored": scored.rows}
    return took, gave


def main() -> int:
    url = os.environ.get("SOLOML_TEST_POSTGRES_URL")
    if not url:
        print("SOLOML_TEST_POSTGRES_URL is unset: no Postgres to measure; nothing written.")
        return 0
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000
    shutil.rmtree(DATA, ignore_errors=True)
    exports = generate_bluebird(DATA / "exports", customers=customers, seed=7)
    with scratch_database(url) as pg_url:
        duck, duck_gave = cycle(init_workspace(DATA / "duckdb", warehouse="warehouse.duckdb"), list(exports.paths))
        pg, pg_gave = cycle(init_workspace(DATA / "postgres", warehouse=pg_url), list(exports.paths))
    for step in STEPS:
        print(f"{step}: DuckDB {duck[step]:.2f} s, Postgres {pg[step]:.2f} s ({pg[step] / duck[step]:.1f}x)")
    write_section(customers, duck, pg, duck_gave, pg_gave)
    return 0


def write_section(
    customers: int, duck: dict[str, float], pg: dict[str, float], duck_gave: dict[str, Any], pg_gave: dict[str, Any]
) -> None:
    same = "the same" if duck_gave == pg_gave else "DIFFERENT"
    lines = [
        "## Postgres cycle",
        "",
        f"`python bench/postgres_cycle.py {customers}` on {date.today():%Y-%m-%d}: the demo business (Bluebird, "
        f"{customers:,} customers, seed 7) through load, features, train, promote, score and monitor on a DuckDB file "
        "(reference) and on the local Postgres, same run, one after the other.",
        "",
        "| step | DuckDB wall s | Postgres wall s | Postgres vs DuckDB |",
        "|---|---:|---:|---:|",
    ]
    for step in STEPS:
        lines.append(f"| {step} | {duck[step]:.2f} | {pg[step]:.2f} | {pg[step] / duck[step]:.1f}x |")
    lines += [
        "",
        f"Both gave {same} answers: {duck_gave['rows']:,} training rows, model score {duck_gave['model_score']:.4f}, "
        f"{duck_gave['scored']:,} customers scored (Postgres: {pg_gave['rows']:,}, {pg_gave['model_score']:.4f}, "
        f"{pg_gave['scored']:,}). Training itself runs in this process on both (the model is fitted in "
        "Python; only the reads differ). The machine is shared, so wall times include waiting for a core.",
        "",
    ]
    replace_section("Postgres cycle", "\n".join(lines))


if __name__ == "__main__":
    raise SystemExit(main())
