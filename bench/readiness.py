"""Readiness benchmark: `soloml check` on a 1M-row x 50-column table, with ydata-profiling on the same table as a reference.

    python bench/readiness.py [--rows 1000000] [--no-reference]

Makes bench/_data/wide_<rows>.parquet once (gitignored): 50 columns of the kinds the checks look at (an id, numbers
with missing values, counts, categories, numbers and dates kept as text by a few bad values, dates, an empty column,
a constant one, a mostly-missing one). Loads it with `soloml load` into a fresh workspace (timed apart: the load is
not the check), then times, in the same run:
  soloml     `soloml check --json` on the workspace, in-process: the SQL profile of the table and every workspace check
  reference  ydata-profiling (minimal mode) on the same table read into pandas, in its own virtualenv
             bench/_data/ydata-venv, made on the first run (it pins older numpy/scipy/matplotlib than soloml's)
Targets: the check under 30 s; its report (the --json output) under 1 MB. Figures go to bench/RESULTS.md, '## Readiness'.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from datetime import date
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
RESULTS = HERE / "RESULTS.md"
YDATA_VENV = DATA / "ydata-venv"
YDATA = """
import sys, time, pandas as pd
from ydata_profiling import ProfileReport
frame = pd.read_parquet(sys.argv[1])
t0, c0 = time.perf_counter(), time.process_time()
report = ProfileReport(frame, minimal=True, progress_bar=False)
html = report.to_html()
print(time.perf_counter() - t0, time.process_time() - c0, len(html.encode()))
"""


def generate(path: Path, rows: int) -> None:
    columns = ["range + 1 AS account_id"]
    columns += [
        f"CASE WHEN random() < 0.05 THEN NULL ELSE round(random() * {10 ** (i % 4 + 1)}, 2) END AS amount_{i}"
        for i in range(19)
    ]
    columns += [f"CAST(floor(random() * {5 + 3 * i}) AS INTEGER) AS count_{i}" for i in range(10)]
    columns += [
        f"['free', 'pro', 'team', 'enterprise'][1 + CAST(floor(random() * {2 + i % 3}) AS INTEGER)] AS plan_{i}"
        for i in range(8)
    ]
    columns += [
        f"CASE WHEN random() < 0.12 THEN 'n/a' ELSE CAST(round(random() * 500, 2) AS VARCHAR) END AS price_text_{i}"
        for i in range(3)
    ]
    columns += [
        "CASE WHEN random() < 0.1 THEN 'unknown' ELSE strftime(DATE '2022-01-01' + CAST(floor(random() * 1000) AS INTEGER), '%m/%d/%Y') END AS signup_text"
    ]
    columns += [f"DATE '2022-01-01' + CAST(floor(random() * 1000) AS INTEGER) AS day_{i}" for i in range(3)]
    columns += ["TIMESTAMP '2022-01-01' + to_seconds(CAST(floor(random() * 86400000) AS BIGINT)) AS created_at"]
    columns += [
        "CAST(NULL AS VARCHAR) AS coupon",
        "'USD' AS currency",
        "'user' || CAST(floor(random() * 400000) AS BIGINT) || '@example.com' AS email",
        "CASE WHEN random() < 0.9 THEN NULL ELSE round(random() * 10, 1) END AS nps",
    ]
    assert len(columns) == 50
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SELECT setseed(0.7)")
    con.execute(f"COPY (SELECT {', '.join(columns)} FROM range({rows})) TO '{path}' (FORMAT parquet)")
    con.close()


def time_check(path: Path, workdir: Path) -> dict:
    from typer.testing import CliRunner

    from soloml.app.check import run_check
    from soloml.cli.app import app
    from soloml.workspace import init_workspace

    ws = init_workspace(workdir / "ws")
    t0 = time.perf_counter()
    loaded = CliRunner().invoke(app, ["load", str(path), "--workspace", str(ws.root)])
    load_s = time.perf_counter() - t0
    assert loaded.exit_code == 0, loaded.output
    t0, c0 = time.perf_counter(), time.process_time()
    report = run_check(ws)
    text = json.dumps(report.to_facts(), ensure_ascii=False, default=str)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    cli = CliRunner().invoke(app, ["check", "--json", "--workspace", str(ws.root)])
    assert cli.exit_code == report.exit_code, cli.output
    found = sorted({f.check for f in report.findings if f.severity != "ok"})
    return {
        "load_s": load_s,
        "wall": wall,
        "cpu": cpu,
        "bytes": len(cli.stdout.encode()),
        "facts_bytes": len(text.encode()),
        "outcome": report.outcome,
        "found": found,
        "columns": len(report.profiles[0].columns) if report.profiles else 0,
    }


def ydata_python() -> Path | None:
    python = YDATA_VENV / "bin" / "python"
    if not python.exists():
        print("making bench/_data/ydata-venv for ydata-profiling (first run only) ...", flush=True)
        venv.create(YDATA_VENV, with_pip=True)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "ydata-profiling", "pyarrow"], check=False
        )
        if done.returncode != 0:
            return None
    return python


def time_reference(path: Path) -> dict | None:
    python = ydata_python()
    if python is None:
        return None
    version = subprocess.run(
        [str(python), "-c", "import ydata_profiling; print(ydata_profiling.__version__)"],
        capture_output=True,
        text=True,
        check=False,
    )
    done = subprocess.run(
        [str(python), "-c", YDATA, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    wall, cpu, size = done.stdout.split()[-3:]
    return {"wall": float(wall), "cpu": float(cpu), "bytes": int(size), "version": version.stdout.strip()}


def write_section(lines: list[str]) -> None:
    replace_section("Readiness", "\n".join(["## Readiness", "", *lines]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-reference", action="store_true", help="skip ydata-profiling")
    args = parser.parse_args()
    path = DATA / f"wide_{args.rows}.parquet"
    if not path.exists():
        generate(path, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        ours = time_check(path, Path(tmp))
    ref = None if args.no_reference else time_reference(path)
    load = os.getloadavg()[0]
    lines = [
        (
            f"`python bench/readiness.py` on {date.today().isoformat()}: {args.rows:,} rows x {ours['columns']} columns "
            f"({path.stat().st_size / 1e6:,.0f} MB Parquet), loaded with `soloml load` first ({ours['load_s']:.1f} s, not counted); "
            f"1-minute load average {load:.1f} on 2 cores at the end."
        ),
        "",
        "| what | wall s | CPU s (this process) | wall vs reference | report size |",
        "|---|---:|---:|---:|---:|",
    ]
    ref_wall = ref["wall"] if ref else None
    if ref:
        lines.append(
            f"| ydata-profiling {ref['version']} `ProfileReport(minimal=True).to_html()` on the same table in pandas (reference) | "
            f"{ref['wall']:.1f} | {ref['cpu']:.1f} | 1.00x | {ref['bytes'] / 1e6:.2f} MB HTML |"
        )
    ratio = f"{ours['wall'] / ref_wall:.2f}x" if ref_wall else "n/a"
    lines.append(
        f"| `soloml check --json` (SQL profile of every column + every workspace check) | {ours['wall']:.1f} | {ours['cpu']:.1f} | "
        f"{ratio} | {ours['bytes'] / 1e6:.3f} MB JSON |"
    )
    lines += [
        "",
        f"Targets: under 30 s ({'met' if ours['wall'] < 30 else 'NOT met'}: {ours['wall']:.1f} s) and a report under 1 MB "
        f"({'met' if ours['bytes'] < 1e6 else 'NOT met'}: {ours['bytes'] / 1e3:,.0f} kB). Verdict on the table: {ours['outcome']}; "
        f"found: {', '.join(ours['found']) or 'nothing'}."
        + ("" if ref else " ydata-profiling did not install or run, so there is no reference in this run."),
    ]
    write_section(lines)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
