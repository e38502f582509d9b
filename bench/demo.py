"""How fast the Bluebird Coffee generator writes its exports, against DuckDB reading the same files back.

    python bench/demo.py            # 5,000 and 20,000 customers; writes the '## Demo' section of bench/RESULTS.md

Reference, measured in the same run: DuckDB's own `read_csv` of the five files into tables (the
cheapest thing anyone can do with those bytes). Target: generating the default 5,000-customer
business stays well under a minute.
"""

from __future__ import annotations

import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from soloml.demo.generator import generate_bluebird

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data" / "demo"
SIZES = (5_000, 20_000)


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def read_back(paths: list[Path]) -> None:
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    for i, path in enumerate(paths):
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM read_csv('{path}', all_varchar = true)")
    con.close()


def main() -> None:
    rows = []
    for customers in SIZES:
        folder = DATA / f"bluebird_{customers}"
        shutil.rmtree(folder, ignore_errors=True)
        exports, wall, cpu = timed(lambda: generate_bluebird(folder, customers=customers, seed=7))
        _, ref_wall, ref_cpu = timed(lambda: read_back(exports.paths))
        total = sum(exports.rows.values())
        size = sum(p.stat().st_size for p in exports.paths) / 1e6
        rows.append((customers, total, size, wall, cpu, ref_wall, ref_cpu))
        print(
            f"{customers:,} customers: {total:,} rows, {size:.0f} MB in {wall:.1f} s (DuckDB reads them in {ref_wall:.1f} s)"
        )
    write_section(rows)


def write_section(rows: list[tuple]) -> None:
    lines = [
        "## Demo",
        "",
        f"`python bench/demo.py` on {date.today():%Y-%m-%d}: `generate_bluebird` (seed 7) writing the five exports + truth file,",
        "against DuckDB `read_csv(all_varchar)` of the same five files into tables (reference, same run).",
        "",
        "| customers | rows | MB | generate wall s | generate CPU s | DuckDB read wall s | generate vs read (wall) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for customers, total, size, wall, cpu, ref_wall, _ in rows:
        lines.append(
            f"| {customers:,} | {total:,} | {size:.0f} | {wall:.1f} | {cpu:.1f} | {ref_wall:.2f} | {wall / ref_wall:.1f}x |"
        )
    default = rows[0]
    verdict = "met" if default[3] < 60 else "MISSED"
    lines += [
        "",
        f"Target: the default 5,000 customers well under a minute: {verdict} ({default[3]:.1f} s wall). Rows = data rows over the five exports.",
        "",
    ]
    replace_section("Demo", "\n".join(lines))


if __name__ == "__main__":
    main()
