"""What a `soloml load` into Postgres costs beside the same load into a DuckDB file, in the same run.

    SOLOML_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test python bench/postgres_load.py [CUSTOMERS]

Bluebird Coffee (5,000 customers by default, seed 7): four of its five exports are loaded; then timed, into a
DuckDB workspace (the reference) and into a Postgres one (a database made for the run and dropped after):
the fifth export (routed: a first load into a warehouse that already holds other raw and core tables), all five
again (every file `unchanged`), and a plain CSV of 1,000 rows no adapter knows (a new raw table only). A load
into Postgres copies into its local DuckDB what it touches (sources/postgres_load.py), so the `unchanged`
re-load and the plain CSV should cost about what they cost on DuckDB. Prints the figures; writes nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

from soloml.app.load import load
from soloml.demo.generator import generate_bluebird
from soloml.workspace import Workspace, init_workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _postgres import scratch_database  # noqa: E402

DATA = Path(__file__).resolve().parent / "_data" / "postgres_load"
STEPS = ("fifth export, routed", "all five again, unchanged", "a plain CSV, new table")


def timed(ws: Workspace, paths: list[Path]) -> float:
    start = time.perf_counter()
    load(ws, paths)
    return time.perf_counter() - start


def steps(ws: Workspace, exports: list[Path], plain: Path) -> list[float]:
    load(ws, exports[:4])
    return [timed(ws, exports[4:]), timed(ws, exports), timed(ws, [plain])]


def main() -> int:
    url = os.environ.get("SOLOML_TEST_POSTGRES_URL")
    if not url:
        print("SOLOML_TEST_POSTGRES_URL is unset: no Postgres to measure.")
        return 0
    customers = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    shutil.rmtree(DATA, ignore_errors=True)
    exports = list(generate_bluebird(DATA / "exports", customers=customers, seed=7).paths)
    plain = DATA / "plain" / "visits.csv"
    plain.parent.mkdir(parents=True)
    plain.write_text("visit_id,shop,amount\n" + "".join(f"{i},s{i % 7},{i % 50}.25\n" for i in range(1, 1001)))
    try:
        with scratch_database(url) as pg_url:
            duck = steps(init_workspace(DATA / "duckdb", warehouse="warehouse.duckdb"), exports, plain)
            pg = steps(init_workspace(DATA / "postgres", warehouse=pg_url), exports, plain)
    finally:
        shutil.rmtree(DATA, ignore_errors=True)
    print(
        f"Bluebird {customers:,} customers, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, load avg "
        f"{os.getloadavg()[0]:.1f}"
    )
    print("| load | DuckDB wall s | Postgres wall s | Postgres vs DuckDB |")
    print("|---|---|---|---|")
    for step, d, p in zip(STEPS, duck, pg, strict=True):
        print(f"| {step} | {d:.2f} | {p:.2f} | {p / d:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
