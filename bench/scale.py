"""Scale: feature SQL and training at 1M and 5M entities: DuckDB vs PostgreSQL, local LightGBM vs LightGBM on Dask.

    python bench/scale.py                 # both sizes; needs the scale extra; Postgres from SOLOML_TEST_POSTGRES_URL
    python bench/scale.py --sizes 1000000

One run, same machine, same data. The entity and events tables are synthetic, built in DuckDB; the
feature SQL is plain aggregates over events that runs unchanged on both warehouses (each writes its
result with CREATE TABLE AS, so no client transfer is timed). Postgres gets the same rows with COPY
(timed apart) and runs the SQL under EXPLAIN (ANALYZE, TIMING OFF), which executes it and reports the
server's own execution time; its CPU is the backend's plus its parallel workers'. Without
SOLOML_TEST_POSTGRES_URL that column is skipped with a note. Training is 100 LightGBM rounds on the
feature table: local (one process) with num_threads=2 and with num_threads=1, vs soloml.engines.dask's
refit (Parquet partitions by entity shard, DaskLGBMClassifier on a LocalCluster of 2 single-thread worker
processes: the same 2 cores). The 5M Dask fit is skipped when the 1M one predicts it would pass 10 min.

Fair on a shared machine: OMP_WAIT_POLICY=PASSIVE for every fit (set here, before OpenMP loads, and
inherited by the Dask workers), so an OpenMP thread waiting at a barrier sleeps instead of spinning on a
core another process needs; and every step reports CPU seconds (user + system of every process doing the
work, sampled from /proc) beside wall seconds, since wall time on a loaded machine says more about the
neighbours than about the code. Peak memory (RSS) of the processes doing the work is sampled too.
Figures go to bench/RESULTS.md under '## Scale', rewritten after every size.

    python bench/scale.py --omp-ab        # the 1M local fit (2 threads) under each OpenMP wait policy, printed

builds the 1M set once and fits it in a fresh process per policy (OpenMP's default, PASSIVE, ACTIVE), twice
in turn, so the policies see the same load; it prints wall and CPU seconds and writes nothing.
"""

from __future__ import annotations

import os

if os.environ.get("OMP_WAIT_POLICY") == "":  # a --omp-ab child measuring OpenMP's own default: no policy at all
    del os.environ["OMP_WAIT_POLICY"]
else:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before lightgbm, sklearn or duckdb load an OpenMP runtime

import argparse  # noqa: E402 - after the OpenMP setting on purpose
import json  # noqa: E402
import secrets  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

import duckdb  # noqa: E402
import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import psutil  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
EVENTS_PER_ENTITY = 3
ROUNDS = 100
DASK_LIMIT_S = 600
GB = 1e9
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 31,
    "min_data_in_leaf": 50,
    "verbosity": -1,
    "force_col_wise": True,
    "seed": 0,
    "deterministic": True,
}
FEATURE_SQL = """
CREATE TABLE {out} AS
SELECT e.entity_id, e.plan, e.tenure_days, e.label,
       count(v.entity_id) AS n_events,
       coalesce(sum(v.amount), 0) AS spend,
       coalesce(max(v.amount), 0) AS largest,
       coalesce(avg(v.amount), 0) AS mean_amount,
       sum(CASE WHEN v.kind = 1 THEN 1 ELSE 0 END) AS refunds,
       coalesce(max(v.day), -1) AS last_day,
       count(DISTINCT v.kind) AS kinds
FROM {schema}.entities e LEFT JOIN {schema}.events v ON v.entity_id = e.entity_id
GROUP BY e.entity_id, e.plan, e.tenure_days, e.label
"""
FEATURES = ["plan", "tenure_days", "n_events", "spend", "largest", "mean_amount", "refunds", "last_day", "kinds"]


class Usage:
    """CPU seconds (user + system) and peak summed RSS of the processes `pids()` names, sampled every `every` s.

    A process already running at the start counts from its CPU then; one that appears later (a Postgres
    parallel worker) counts from zero, up to its last sample (so a worker's last tenth of a second is missed).
    """

    def __init__(self, pids: Callable[[], Iterable[int]], every: float = 0.1) -> None:
        self.pids, self.every = pids, every
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.procs: dict[int, psutil.Process] = {}
        self.peak_rss = 0
        self.cpu = self.wall = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _proc(self, pid: int) -> psutil.Process:
        if pid not in self.procs:
            self.procs[pid] = psutil.Process(pid)
        return self.procs[pid]

    def _poll(self) -> None:
        rss = 0
        for pid in list(self.pids()):
            try:
                p = self._proc(pid)
                with p.oneshot():
                    t = p.cpu_times()
                    rss += p.memory_info().rss
                self.last[pid] = t.user + t.system
            except psutil.Error:
                continue
        self.peak_rss = max(self.peak_rss, rss)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._poll()

    def __enter__(self) -> Usage:
        self._poll()
        self.start = dict(self.last)
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._poll()
        self.wall = time.perf_counter() - self._t0
        self.cpu = sum(v - self.start.get(pid, 0.0) for pid, v in self.last.items())


def me() -> list[int]:
    return [os.getpid()]


def build(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """entities (n) and events (3n) in schema bench; the label depends on the events, with noise."""
    con.execute("CREATE OR REPLACE SCHEMA bench")
    con.execute(f"""CREATE TABLE bench.events AS SELECT (hash(i) % {n})::BIGINT AS entity_id, (i % 365)::INTEGER AS day,
                    round(exp(random() * 5), 2)::DOUBLE AS amount, (hash(i * 7) % 4)::INTEGER AS kind
                    FROM range({n * EVENTS_PER_ENTITY}) t(i)""")
    con.execute(f"""CREATE TABLE bench.entities AS
        WITH agg AS (SELECT entity_id, count(*) AS k, sum(amount) AS s, sum(CASE WHEN kind = 1 THEN 1 ELSE 0 END) AS r FROM bench.events GROUP BY 1),
        base AS (SELECT i::BIGINT AS entity_id, (hash(i * 3) % 3)::INTEGER AS plan, (hash(i * 5) % 1500)::INTEGER AS tenure_days FROM range({n}) t(i))
        SELECT b.entity_id, b.plan, b.tenure_days,
               (random() < 1 / (1 + exp(-(-1.5 + 0.35 * coalesce(a.k, 0) - 0.004 * coalesce(a.s, 0) + 0.5 * coalesce(a.r, 0)
                                         - 0.0008 * b.tenure_days + 0.4 * (b.plan = 2)::INTEGER))))::INTEGER AS label
        FROM base b LEFT JOIN agg a USING (entity_id)""")


def duckdb_features(con: duckdb.DuckDBPyConnection) -> tuple[Usage, pd.DataFrame]:
    """The feature SQL in DuckDB (in this process, every core): its wall and CPU, and the feature rows."""
    con.execute("DROP TABLE IF EXISTS bench.features")
    with Usage(me) as usage:
        con.execute(FEATURE_SQL.format(out="bench.features", schema="bench"))
    return usage, con.execute("SELECT * FROM bench.features ORDER BY entity_id").fetchdf()


def postgres_features(con: duckdb.DuckDBPyConnection, url: str) -> dict[str, float]:
    """COPY seconds, the feature SQL's client wall, server execution time, server CPU and peak RSS, and its row count.

    In a schema of its own, dropped afterwards. Server CPU = the backend plus the parallel workers it launched.
    """
    import psycopg

    schema = f"bench_scale_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as pg, tempfile.TemporaryDirectory() as tmp:
        backend = int(pg.execute("SELECT pg_backend_pid()").fetchone()[0])
        tag = f"parallel worker for PID {backend}"

        def server() -> list[int]:
            try:
                workers = [c.pid for c in psutil.Process(backend).parent().children() if tag in " ".join(c.cmdline())]
            except psutil.Error:
                workers = []
            return [backend, *workers]

        pg.execute(f"CREATE SCHEMA {schema}")
        try:
            pg.execute(
                f"CREATE TABLE {schema}.entities (entity_id BIGINT, plan INTEGER, tenure_days INTEGER, label INTEGER)"
            )
            pg.execute(
                f"CREATE TABLE {schema}.events (entity_id BIGINT, day INTEGER, amount DOUBLE PRECISION, kind INTEGER)"
            )
            t = time.perf_counter()
            for table in ("entities", "events"):
                path = Path(tmp) / f"{table}.csv"
                con.execute(f"COPY bench.{table} TO '{path}' (HEADER false)")
                with (
                    pg.cursor() as cur,
                    cur.copy(f"COPY {schema}.{table} FROM STDIN WITH (FORMAT csv)") as copy,
                    path.open("rb") as f,
                ):
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
            pg.execute(f"ANALYZE {schema}.entities; ANALYZE {schema}.events")
            copy_s = time.perf_counter() - t
            sql = FEATURE_SQL.format(out=f"{schema}.features", schema=schema)
            with Usage(server) as usage:
                plan = pg.execute(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}").fetchone()[0]
            plan = plan if isinstance(plan, list) else json.loads(plan)
            rows = pg.execute(f"SELECT count(*) FROM {schema}.features").fetchone()[0]
        finally:
            pg.execute(f"DROP SCHEMA {schema} CASCADE")
    return {
        "copy_s": copy_s,
        "wall_s": usage.wall,
        "server_s": (plan[0]["Planning Time"] + plan[0]["Execution Time"]) / 1000,
        "cpu_s": usage.cpu,
        "rss_gb": usage.peak_rss / GB,
        "workers": float(_launched(plan[0]["Plan"])),
        "rows": float(rows),
    }


def _launched(node: dict) -> int:
    """Parallel workers launched anywhere in an EXPLAIN (FORMAT JSON) plan."""
    return int(node.get("Workers Launched", 0)) + sum(_launched(c) for c in node.get("Plans", []))


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray, pd.Series]:
    """Every 5th entity judged; the rest trained on."""
    judged = frame["entity_id"].to_numpy() % 5 == 0
    X = frame[FEATURES].astype("float64")
    y = frame["label"].to_numpy(dtype=np.float64)
    return X[~judged], y[~judged], X[judged], y[judged], frame.loc[~judged, "entity_id"]


def train_local(X: pd.DataFrame, y: np.ndarray, threads: int) -> tuple[Usage, float, lgb.Booster]:
    """One process, `threads` OpenMP threads: its Usage, the RSS just before (the frame already held) and the booster."""
    before = psutil.Process().memory_info().rss
    with Usage(me, every=0.05) as usage:
        booster = lgb.train({**PARAMS, "num_threads": threads}, lgb.Dataset(X, label=y), num_boost_round=ROUNDS)
    return usage, before / GB, booster


def train_dask(engine, X: pd.DataFrame, y: np.ndarray, ids: pd.Series) -> tuple[Usage, Usage, lgb.Booster]:
    """soloml's Dask refit: the Usage of this process (client, scheduler, partition writing) and the workers
    together, the workers' alone (what each machine of a cluster would hold), and the booster."""
    workers = list(engine.client.run(os.getpid).values())
    with Usage(lambda: [os.getpid(), *workers], every=0.1) as usage, Usage(lambda: workers, every=0.1) as on_workers:
        booster, _ = engine.refit(X, y, dict(PARAMS), categorical=[], rounds=ROUNDS, entity_ids=ids)
    return usage, on_workers, booster


def write_results(section: str) -> None:
    replace_section("Scale", section)


def now() -> str:
    return datetime.now(UTC).strftime("%H:%M")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--omp-ab", action="store_true", help="the OpenMP wait-policy comparison (printed only)")
    parser.add_argument("--fit", help=argparse.SUPPRESS)  # --omp-ab's child: a folder with X.npy and y.npy
    args = parser.parse_args()
    if args.fit:
        usage, _, _ = train_local(pd.DataFrame(np.load(Path(args.fit) / "X.npy")), np.load(Path(args.fit) / "y.npy"), 2)
        print(json.dumps({"wall": usage.wall, "cpu": usage.cpu, "load": os.getloadavg()[0]}))
        return 0
    if args.omp_ab:
        return omp_ab(int(args.sizes.split(",")[0]))
    sizes = [int(s) for s in args.sizes.split(",")]
    url = os.environ.get("SOLOML_TEST_POSTGRES_URL")
    from soloml.engines.dask import DaskEngine

    rows_out: list[dict] = []
    notes: list[str] = []
    started = time.perf_counter()
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    with tempfile.TemporaryDirectory() as tmp:
        engine = DaskEngine.connect(None, staging=Path(tmp) / "staging")
        try:
            dask_per_row = None
            for n in sizes:
                r: dict = {"n": n, "from": now(), "load_from": os.getloadavg()[0]}
                con = duckdb.connect(str(Path(tmp) / f"bench{n}.duckdb"))
                build(con, n)
                r["duck"], frame = duckdb_features(con)
                r["pg"] = None
                if url:
                    try:
                        r["pg"] = postgres_features(con, url)
                        assert r["pg"]["rows"] == len(frame), (r["pg"]["rows"], len(frame))
                    except Exception as exc:  # noqa: BLE001 - a bench note, not a crash
                        r["pg"] = None
                        notes.append(f"Postgres at {n:,}: {type(exc).__name__}: {exc}")
                con.close()
                Xt, yt, Xj, yj, ids = split(frame)
                del frame
                r["rows"], r["frame_gb"] = len(Xt), Xt.memory_usage(index=False).sum() / GB
                for threads in (2, 1):
                    usage, before, booster = train_local(Xt, yt, threads)
                    r[f"local{threads}"] = usage
                    r[f"local{threads}_extra_gb"] = max(0.0, usage.peak_rss / GB - before)
                    r[f"auc{threads}"] = roc_auc_score(yj, booster.predict(Xj))
                if dask_per_row is not None and dask_per_row * len(Xt) > DASK_LIMIT_S:
                    r["dask"] = r["dask_workers"] = r["auc_dask"] = None
                    notes.append(
                        f"Dask training at {n:,} skipped: the {sizes[0]:,} run predicts {dask_per_row * len(Xt):.0f} s (> {DASK_LIMIT_S} s)."
                    )
                else:
                    r["dask"], r["dask_workers"], dask_b = train_dask(engine, Xt, yt, ids)
                    r["auc_dask"] = roc_auc_score(yj, dask_b.predict(Xj))
                    dask_per_row = r["dask"].wall / len(Xt)
                r["to"], r["load_to"] = now(), os.getloadavg()[0]
                rows_out.append(r)
                print(
                    {
                        k: (
                            f"{v.wall:.1f} s wall, {v.cpu:.1f} s CPU, {v.peak_rss / GB:.2f} GB"
                            if isinstance(v, Usage)
                            else v
                        )
                        for k, v in r.items()
                    },
                    flush=True,
                )
                pending = sizes[len(rows_out) :]
                later = (
                    [
                        f"Not measured in this run (still running or stopped): {', '.join(f'{p:,}' for p in pending)} entities."
                    ]
                    if pending
                    else []
                )
                section = render(
                    rows_out,
                    [*notes, *later, *([] if url else ["Postgres skipped: SOLOML_TEST_POSTGRES_URL is not set."])],
                    time.perf_counter() - started,
                    day,
                    finished=not pending,
                )
                if not args.no_write:
                    write_results(section)  # after every size, so a run stopped on the big one keeps the small one
        finally:
            engine.close()
    print(section)
    return 0


def omp_ab(n: int, repeats: int = 2) -> int:
    """The local fit of n entities (2 threads) in a fresh process per OpenMP wait policy, `repeats` times in turn."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "ab.duckdb"))
        build(con, n)
        _, frame = duckdb_features(con)
        con.close()
        Xt, yt, *_ = split(frame)
        np.save(Path(tmp) / "X.npy", Xt.to_numpy())
        np.save(Path(tmp) / "y.npy", yt)
        del frame, Xt, yt
        print(f"{n:,} entities, local LightGBM, num_threads=2, {ROUNDS} rounds, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        for _ in range(repeats):
            for policy in ("", "PASSIVE", "ACTIVE"):
                env = {**os.environ, "OMP_WAIT_POLICY": policy}
                out = subprocess.run(
                    [sys.executable, __file__, "--fit", tmp], env=env, capture_output=True, text=True, check=True
                )
                got = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"OMP_WAIT_POLICY={policy or '(unset: OpenMP default)'}: {got['wall']:.1f} s wall, "
                    f"{got['cpu']:.1f} s CPU, load average {got['load']:.1f}",
                    flush=True,
                )
    return 0


def render(rows_out: list[dict], notes: list[str], total: float, day: str, *, finished: bool = False) -> str:
    def f(v: float | None, fmt: str = "{:.1f}") -> str:
        return "skipped" if v is None else fmt.format(v)

    def ratio(a: float | None, b: float | None) -> str:
        return "skipped" if a is None or b is None or b == 0 else f"{a / b:.1f}x"

    lines = [
        "## Scale",
        "",
        f"`python bench/scale.py` on {day} (UTC): entities x {EVENTS_PER_ENTITY} events each (synthetic, built in DuckDB); feature SQL = 7 plain "
        f"aggregates over events joined to entities (the same text on both warehouses, CREATE TABLE AS); training = {ROUNDS} LightGBM rounds on 4 of 5 entities, "
        "AUC on the 5th. Local = one LightGBM process with num_threads=2 and again with num_threads=1; Dask = `soloml.engines.dask` refit (Parquet partitions by "
        "entity shard + DaskLGBMClassifier) on a LocalCluster of 2 single-thread worker processes. OMP_WAIT_POLICY=PASSIVE for every fit. "
        "Postgres 15 on 127.0.0.1, rows loaded with COPY; its feature SQL runs under EXPLAIN (ANALYZE, TIMING OFF): server s is the server's own "
        "planning + execution time. CPU s = user + system seconds of every process doing the work (for Postgres: the backend and its parallel workers; "
        "for Dask: this process, which holds the client and the scheduler and writes the partitions, and both workers), sampled from /proc. "
        f"One run, {total:.0f} s {'in all' if finished else 'so far'}, on 2 cores shared with other engineers (load average per size below), so read the CPU seconds and the ratios, "
        "not the wall seconds.",
        "",
        "Feature SQL:",
        "",
        "| entities | when (UTC), load avg | DuckDB wall s | DuckDB CPU s | Postgres COPY s | Postgres wall s | Postgres server s | Postgres CPU s | "
        "parallel workers | Postgres vs DuckDB, wall | CPU |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows_out:
        pg = r["pg"] or {}
        lines.append(
            f"| {r['n']:,} | {r['from']}-{r['to']}, {r['load_from']:.1f} -> {r['load_to']:.1f} | {r['duck'].wall:.1f} | {r['duck'].cpu:.1f} | "
            f"{f(pg.get('copy_s'))} | {f(pg.get('wall_s'))} | {f(pg.get('server_s'))} | {f(pg.get('cpu_s'))} | {f(pg.get('workers'), '{:.0f}')} | "
            f"{ratio(pg.get('wall_s'), r['duck'].wall)} | {ratio(pg.get('cpu_s'), r['duck'].cpu)} |"
        )
    lines += [
        "",
        "Training (wall s / CPU s):",
        "",
        "| entities | training rows | frame GB | local 2 threads | local 1 thread | Dask 2 x 1 thread | Dask vs local 2, wall | Dask vs local 1, CPU | "
        "peak RSS GB: local 2, the process (added by the fit) / Dask, all processes (the 2 workers) | AUC local 2 / 1 / Dask |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows_out:
        l2, l1, d, w = r["local2"], r["local1"], r["dask"], r["dask_workers"]
        lines.append(
            f"| {r['n']:,} | {r['rows']:,} | {r['frame_gb']:.2f} | {l2.wall:.1f} / {l2.cpu:.1f} | {l1.wall:.1f} / {l1.cpu:.1f} | "
            f"{'skipped' if d is None else f'{d.wall:.1f} / {d.cpu:.1f}'} | {ratio(d and d.wall, l2.wall)} | {ratio(d and d.cpu, l1.cpu)} | "
            f"{l2.peak_rss / GB:.2f} ({r['local2_extra_gb']:.2f}) / {f(d and d.peak_rss / GB, '{:.2f}')} ({f(w and w.peak_rss / GB, '{:.2f}')}) | "
            f"{r['auc2']:.4f} / {r['auc1']:.4f} / {f(r['auc_dask'], '{:.4f}')} |"
        )
    lines += ["", *notes, ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
