"""Dashboard benchmark: how long each page takes on the demo business, against the same facts fetched without it.

    python bench/dashboard.py [--customers 5000] [--workspace DIR] [--repeat 15]

Builds the demo workspace (`soloml demo`, 5,000 customers by default; or reuses --workspace), serves the
dashboard under uvicorn on 127.0.0.1 in this process, and times GET of every page over HTTP (a persistent
connection, median and p90 of --repeat requests after one warm-up). References, measured in the same run:
the page's facts gathered alone (`soloml.web.*_facts`, no template, no HTTP) and, where the CLI prints the same
facts, the CLI's `--json` command run in-process. Appends a `## Dashboard` section to bench/RESULTS.md.
Target: every page under 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_MS = 300.0


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    fn()  # warm-up
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.9 * len(samples)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-write", action="store_true", help="Print the table without appending it to RESULTS.md.")
    args = parser.parse_args()

    import httpx
    from typer.testing import CliRunner

    from soloml.cli.app import app as cli
    from soloml.deploy.runner import running
    from soloml.web import board_facts, create_ui, data_facts, experiment_facts, model_facts, project_facts
    from soloml.workspace import open_workspace

    tmp = None
    if args.workspace is None:
        tmp = tempfile.TemporaryDirectory(prefix="soloml-bench-dashboard-")
        folder = Path(tmp.name) / "bluebird"
        from soloml.demo import run_demo

        t0 = time.perf_counter()
        run_demo(folder, customers=args.customers)
        print(f"demo workspace ({args.customers:,} customers) built in {time.perf_counter() - t0:.0f} s", flush=True)
    else:
        folder = args.workspace
    ws = open_workspace(folder)
    runner = CliRunner()

    def cli_json(*argv: str) -> Callable[[], Any]:
        def run() -> Any:
            result = runner.invoke(cli, [*argv, "--workspace", str(ws.root), "--json"])
            assert result.exit_code == 0, result.output
            return json.loads(result.stdout)

        return run

    def gather(read: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            con = ws.connect()
            try:
                return read(con)
            finally:
                con.close()

        return run

    def cold(read: Callable[[], Any]) -> Callable[[], Any]:
        """The same facts with the per-process caches emptied first: what every view cost before them."""
        from soloml.experiments import result_cache

        def run() -> Any:
            result_cache.clear()
            data_facts._identities_memo.clear()
            return read()

        return run

    project = (project_facts.project_names(ws) or ["churn"])[0]
    pages: list[tuple[str, str, Callable[[], Any], tuple[str, Callable[[], Any]] | None]] = [
        (
            "Board",
            "/",
            gather(lambda con: board_facts.board(ws, con)),
            ("soloml board --json (also writes board.csv)", cli_json("board")),
        ),
        (
            f"Project ({project})",
            f"/projects/{project}",
            gather(lambda con: project_facts.project(ws, con, project)),
            None,
        ),
        ("Data", "/data", gather(data_facts.data), ("soloml tables --json", cli_json("tables"))),
        (
            "Models",
            "/models",
            gather(lambda con: model_facts.models(ws, con)),
            ("soloml models --json", cli_json("models")),
        ),
        ("Experiments", "/experiments", gather(lambda con: experiment_facts.experiments(ws, con)), None),
    ]
    rows = []
    with running(create_ui(ws)) as service, httpx.Client(base_url=service.url, timeout=60) as client:
        for name, path, reference, cli_ref in pages:
            assert client.get(path).status_code == 200, path
            page_med, page_p90 = timed(lambda path=path: client.get(path), args.repeat)
            facts_med, _ = timed(reference, args.repeat)
            cold_med, _ = timed(cold(reference), args.repeat)
            cli_med = timed(cli_ref[1], max(3, args.repeat // 3))[0] if cli_ref else None
            rows.append((name, path, page_med, page_p90, facts_med, cold_med, cli_ref[0] if cli_ref else None, cli_med))
            print(
                f"{name}: page {page_med:.0f} ms (p90 {page_p90:.0f}), facts alone {facts_med:.0f} ms, caches cleared {cold_med:.0f} ms"
                + (f", {cli_ref[0]} {cli_med:.0f} ms" if cli_ref else ""),
                flush=True,
            )
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg()) + f" (1/5/15 min) on {os.cpu_count()} cores"
    n_customers = (
        f"{args.customers:,}" if args.workspace is None else f"{args.workspace.name}, an existing workspace with"
    )
    lines = [
        "",
        "## Dashboard",
        "",
        f"`python bench/dashboard.py` on {date.today().isoformat()}: the demo business ({n_customers} customers), pages over HTTP from a "
        f"real uvicorn on 127.0.0.1 (median and p90 of {args.repeat} GETs after a warm-up); load average {load}.",
        "",
        "| page | page ms (median) | p90 ms | facts alone ms | facts, caches cleared ms (reference) | page vs cleared | CLI --json ms (reference) | page vs CLI |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, path, med, p90, fmed, cold_med, cli_name, cmed in rows:
        cli_cells = f"{cmed:.0f} ({cli_name}) | {med / cmed:.2f}x" if cmed else "– | –"
        lines.append(
            f"| {name} `{path}` | {med:.0f} | {p90:.0f} | {fmed:.0f} | {cold_med:.0f} | {med / max(cold_med, 0.001):.2f}x | {cli_cells} |"
        )
    worst = max(r[2] for r in rows)
    lines += [
        "",
        f"Target: every page under {TARGET_MS:.0f} ms: {'met' if worst < TARGET_MS else 'NOT met'} (slowest median {worst:.0f} ms). "
        "The machine is shared by ~8 engineers (2 cores), so absolute times are noisy; the ratios are from the same run.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        with (HERE / "RESULTS.md").open("a", encoding="utf-8") as f:
            f.write(text)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
