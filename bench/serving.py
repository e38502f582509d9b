"""Serving benchmark: the HTTP service and batch scoring against calling LightGBM directly, in one run.

    python bench/serving.py            (about 2 minutes; appends figures under `## Serving` in bench/RESULTS.md)

1. A churn-like model (20 features incl. 2 categories, trained by soloml on 10,000 synthetic rows) is saved
   and promoted in a temporary workspace; `soloml serve` runs it in its own process on 127.0.0.1.
2. Single-record predictions over HTTP with a persistent connection: 10,000 sequential requests, then
   4 concurrent clients; p50/p99 latency and throughput, with the default fast reasons and without reasons.
   Reference: `booster.predict` on the same 1-row matrix in-process.
   Then 4 clients as fast as they can for 60 s: the prediction log must keep every row (`/ready`'s
   `dropped` is 0, and ops.predictions holds one service row per answered request once the server stops).
3. Batch: `score_frame` (signature -> matrix, predict, rank, decision, reasons) on 200,000 rows vs raw
   `booster.predict` on the same matrix.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
SEQUENTIAL = 10_000
CONCURRENT_CLIENTS = 4
CONCURRENT_EACH = 2_500
FULL_SPEED_SECONDS = 60
BATCH_ROWS = 200_000
NUMERIC = [f"x{i}" for i in range(18)]
FEATURES = ("plan", "region", *NUMERIC)


def synthetic(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {f"x{i}": rng.normal(size=n) for i in range(18)}
    data["x3"] = rng.poisson(3, n).astype("int64")
    data["plan"] = rng.choice(["monthly", "annual", "weekly"], n)
    data["region"] = rng.choice(["north", "south", "east", "west", "online"], n)
    logit = (
        data["x0"]
        - 0.8 * data["x1"]
        + 0.5 * data["x2"] * data["x0"]
        - 0.3 * data["x3"]
        + 0.7 * (data["plan"] == "weekly")
    )
    frame = pd.DataFrame(data)
    frame["entity_id"] = [f"c{i}" for i in range(n)]
    frame["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return frame


def build_workspace(root: Path):
    from soloml.features.trainingset import TrainingSet
    from soloml.modeling import train
    from soloml.projects.spec import ProjectSpec, save_spec
    from soloml.registry import promote, save_model
    from soloml.workspace import init_workspace

    ws = init_workspace(root, name="bench")
    spec = ProjectSpec.model_validate(
        {
            "name": "churn",
            "question": "Who cancels?",
            "decision": "call",
            "stakeholder": "CEO",
            "owner": "data",
            "recipe": "table",
            "entity": "row",
            "source_table": "raw.accounts",
            "label": {"definition": "canceled", "target": "label"},
            "business": {"value_per_success": 100, "cost_per_action": 5, "capacity": 500},
            "done": {"metric": "roc_auc", "value": 0.6},
        }
    )
    save_spec(spec, ws.projects_dir)
    frame = synthetic(10_000, 1).assign(cutoff=pd.NaT)
    ts = TrainingSet(
        project="churn",
        frame=frame.loc[:, ["entity_id", "cutoff", "label", *FEATURES]],
        features=FEATURES,
        task="binary",
        categorical=("plan", "region"),
    )
    result = train(ts, spec)
    con = ws.connect()
    try:
        version = save_model(ws.models_dir, result, con=con)
        promote(con, ws.models_dir, "churn", version)
    finally:
        con.close()
    return ws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(ws, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("soloml")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workspace", str(ws.root)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/ready")
            if conn.getresponse().status == 200:
                conn.close()
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"server did not become ready: {proc.stderr.read().decode()[-2000:]}")


def records(n: int) -> list[bytes]:
    frame = synthetic(n, 2)
    out = []
    for row in frame.loc[:, list(FEATURES)].to_dict("records"):
        row["x3"] = int(row["x3"])
        out.append(json.dumps(row).encode())
    return out


def client_run(port: int, path: str, bodies: list[bytes], latencies: list[float], until: float | None = None) -> None:
    """Send `bodies` in order (cycling through them until `until` on the perf_counter clock, when given)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"content-type": "application/json"}
    for i in range(len(bodies) if until is None else 10**12):
        if until is not None and (i % 100 == 0 and time.perf_counter() >= until):
            break
        body = bodies[i % len(bodies)]
        t0 = time.perf_counter()
        conn.request("POST", path, body, headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200:
            raise SystemExit(f"unexpected {response.status}")
    conn.close()


def sequential(port: int, path: str, bodies: list[bytes]) -> dict:
    client_run(port, path, bodies[:300], [])  # warm-up
    lat: list[float] = []
    t0 = time.perf_counter()
    client_run(port, path, bodies, lat)
    wall = time.perf_counter() - t0
    return summary(lat, wall)


def _client_process(port: int, path: str, bodies: list[bytes], start, out, seconds: float | None) -> None:  # noqa: ANN001
    latencies: list[float] = []
    start.wait()
    client_run(port, path, bodies, latencies, None if seconds is None else time.perf_counter() + seconds)
    out.put(latencies)


def concurrent(port: int, path: str, bodies: list[bytes], seconds: float | None = None) -> dict:
    """CONCURRENT_CLIENTS client processes (not threads, so the clients do not share one GIL) started together.

    Each sends its share of `bodies` once, or (with `seconds`) cycles through it for that long.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(
            target=_client_process,
            args=(port, path, bodies[i * CONCURRENT_EACH : (i + 1) * CONCURRENT_EACH], start, out, seconds),
        )
        for i in range(CONCURRENT_CLIENTS)
    ]
    for p in procs:
        p.start()
    time.sleep(0.5)
    t0 = time.perf_counter()
    start.set()
    lats = [out.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    return summary([x for lat in lats for x in lat], wall)


def prediction_log(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/ready")
    body = json.loads(conn.getresponse().read())
    conn.close()
    return body["prediction_log"]


def logged_rows(ws) -> int:
    import duckdb

    con = duckdb.connect(ws.warehouse_url, read_only=True)
    try:
        return int(con.execute("SELECT count(*) FROM ops.predictions WHERE origin = 'service'").fetchone()[0])
    finally:
        con.close()


def summary(latencies: list[float], wall: float) -> dict:
    arr = np.array(latencies) * 1000
    return {
        "n": len(arr),
        "p50_ms": float(np.percentile(arr, 50)),
        "p99_ms": float(np.percentile(arr, 99)),
        "per_s": len(arr) / wall,
    }


def direct_predict(model, bodies: list[bytes]) -> dict:
    """In-process reference: booster.predict on each 1-row matrix (already encoded; no HTTP, no validation)."""
    frame = pd.DataFrame([json.loads(b) for b in bodies])
    X = model.signature.matrix(frame)
    lat = []
    t0 = time.perf_counter()
    for i in range(len(X)):
        t = time.perf_counter()
        model.booster.predict(X[i : i + 1], num_threads=1)
        lat.append(time.perf_counter() - t)
    return summary(lat, time.perf_counter() - t0)


def batch(model) -> dict:
    from soloml.deploy.batch import score_frame

    frame = synthetic(BATCH_ROWS, 3)
    X = model.signature.matrix(frame)
    out: dict[str, float] = {}
    for _ in range(3):  # best of three: the machine is shared
        t0 = time.perf_counter()
        model.booster.predict(X)
        out["raw"] = min(out.get("raw", 1e9), time.perf_counter() - t0)
        for mode, kwargs in (("none", {"reasons": "none"}), ("fast", {}), ("fast_all", {"reasons_for": "all"})):
            t0 = time.perf_counter()
            scored = score_frame(model, frame, **kwargs)
            out[mode] = min(out.get(mode, 1e9), time.perf_counter() - t0)
        out["decided_share"] = float(scored["decision"].mean())
    small = frame.head(2_000)
    t0 = time.perf_counter()
    score_frame(model, small, reasons="exact", reasons_for="all")
    out["exact_per_row"] = (time.perf_counter() - t0) / len(small)
    return out


def write_results(section: str) -> None:
    replace_section("Serving", section)


def main() -> None:
    from soloml.registry import load_model

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        ws = build_workspace(Path(tmp) / "bench")
        print(f"trained in {time.perf_counter() - started:.0f} s", flush=True)
        model = load_model(ws.models_dir, "churn")
        trees = model.booster.num_trees()
        bodies = records(SEQUENTIAL)
        port = free_port()
        server = start_server(ws, port)
        try:
            seq_fast = sequential(port, "/v1/churn/predict", bodies)
            seq_none = sequential(port, "/v1/churn/predict?reasons=none", bodies)
            conc_fast = concurrent(port, "/v1/churn/predict", bodies)
            print(
                f"HTTP timed at {time.perf_counter() - started:.0f} s; {FULL_SPEED_SECONDS} s at full speed next",
                flush=True,
            )
            full = concurrent(port, "/v1/churn/predict", bodies, seconds=FULL_SPEED_SECONDS)
            log_live = prediction_log(port)
        finally:
            server.terminate()  # SIGTERM: uvicorn shuts down and the log writes what is still queued
            server.wait(60)
        answered = 2 * (300 + SEQUENTIAL) + conc_fast["n"] + full["n"]
        log = {**log_live, "answered": answered, "rows": logged_rows(ws)}
        print(f"HTTP done at {time.perf_counter() - started:.0f} s; log {log}", flush=True)
        direct = direct_predict(model, bodies)
        b = batch(model)
    rate = lambda seconds: BATCH_ROWS / seconds  # noqa: E731
    rows = [
        ("booster.predict in-process, 1-row matrix (reference)", direct),
        ("HTTP, sequential, reasons (default)", seq_fast),
        ("HTTP, sequential, ?reasons=none", seq_none),
        (f"HTTP, {CONCURRENT_CLIENTS} concurrent clients, reasons (default)", conc_fast),
        (f"HTTP, {CONCURRENT_CLIENTS} clients at full speed for {FULL_SPEED_SECONDS} s, reasons (default)", full),
    ]
    lines = [
        "## Serving",
        "",
        f"`python bench/serving.py` on {date.today().isoformat()}: a soloml-trained LightGBM model ({len(FEATURES)} features, 2 categorical, "
        f"{trees} trees) served by `soloml serve` (uvicorn + httptools + uvloop, one process) on 127.0.0.1; clients use one persistent "
        f"http.client connection each (concurrent clients are separate processes); {SEQUENTIAL:,} single-record requests sequentially, then {CONCURRENT_CLIENTS} x {CONCURRENT_EACH:,} concurrently. "
        f"The machine is shared (2 cores; 1-minute load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end), so absolute "
        "figures move with its load (p99 most): compare the ratios to the in-process reference measured in the same run.",
        "",
        "| single record | p50 ms | p99 ms | requests/s | p50 vs direct |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        lines.append(
            f"| {name} | {r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['per_s']:,.0f} | {r['p50_ms'] / direct['p50_ms']:.1f}x |"
        )
    target = seq_fast["p99_ms"] <= 5 and seq_fast["per_s"] >= 1000
    lines += [
        "",
        f"Target p99 <= 5 ms and >= 1,000 req/s single-record (sequential, with reasons): {'met' if target else 'NOT met'} "
        f"(p99 {seq_fast['p99_ms']:.2f} ms, {seq_fast['per_s']:,.0f} req/s; {CONCURRENT_CLIENTS} clients: p99 {conc_fast['p99_ms']:.2f} ms, {conc_fast['per_s']:,.0f} req/s).",
        "",
        f"Prediction log at full speed ({CONCURRENT_CLIENTS} clients, {FULL_SPEED_SECONDS} s, {full['per_s']:,.0f} req/s): "
        f"{log['dropped']:,} rows dropped (`/ready`, just before the server stopped; {log['logged']:,} written, {log['pending']:,} pending); "
        f"after a graceful stop ops.predictions holds {log['rows']:,} service rows for {log['answered']:,} answered requests "
        f"({'none lost' if log['rows'] == log['answered'] and log['dropped'] == 0 else 'ROWS LOST'}).",
        "",
        f"| batch, {BATCH_ROWS:,} rows | seconds | rows/s | vs raw predict |",
        "|---|---:|---:|---:|",
        f"| raw `booster.predict` on the encoded matrix (reference) | {b['raw']:.2f} | {rate(b['raw']):,.0f} | 100% |",
        f"| `score_frame`, reasons=none (matrix from the frame, predict, rank, decision) | {b['none']:.2f} | {rate(b['none']):,.0f} | {b['raw'] / b['none']:.0%} |",
        f"| `score_frame` default: fast reasons for the rows to act on ({b['decided_share']:.0%} here) | {b['fast']:.2f} | {rate(b['fast']):,.0f} | {b['raw'] / b['fast']:.0%} |",
        f"| `score_frame`, fast reasons for every row (`--all-reasons`) | {b['fast_all']:.2f} | {rate(b['fast_all']):,.0f} | {b['raw'] / b['fast_all']:.0%} |",
        f"| `score_frame`, exact TreeSHAP reasons for every row (measured on 2,000 rows) | {b['exact_per_row'] * BATCH_ROWS:.2f} (est.) | {1 / b['exact_per_row']:,.0f} | {b['raw'] / (b['exact_per_row'] * BATCH_ROWS):.0%} |",
        "",
        f"Target batch >= 70% of raw predict (best of 3): {'met' if b['raw'] / b['fast'] >= 0.7 else 'NOT met'} for the default `soloml score` path "
        f"({b['raw'] / b['fast']:.0%}; {b['raw'] / b['none']:.0%} without reasons). Whole bench: {time.perf_counter() - started:.0f} s.",
        "",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    write_results(section)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    main()
