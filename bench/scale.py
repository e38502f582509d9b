"""Scale: feature SQL and training at 1M and 5M entities: DuckDB vs PostgreSQL, local LightGBM vs LightGBM on Dask.

    python bench/scale.py                 # both sizes; needs the scale extra; Postgres from SOLOML_TEST_POSTGRES_URL
    python bench/scale.py --sizes 1000000

One run, same machine, same data. The entity and events tables are synthetic, built in DuckDB; the
feature SQL is plain aggregates over events that runs unchanged on both warehouses (each writes its
result with CREATE TABLE AS, so no client transfer is timed). Postgres gets the same rows with COPY
(timed apart); without SOLOML_TEST_POSTGRES_URL that column is skipped with a note. Training is 100
LightGBM rounds on the feature table: local (one process, every core) vs soloml.engines.dask's refit
(Parquet partitions by entity shard, DaskLGBMClassifier on a LocalCluster of 2 single-thread worker
processes: the same 2 cores). The 5M Dask fit is skipped when the 1M one predicts it would pass 10 min.
Figures go to bench/RESULTS.md under '## Scale'.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
EVENTS_PER_ENTITY = 3
ROUNDS = 100
DASK_LIMIT_S = 600
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


def duckdb_features(con: duckdb.DuckDBPyConnection) -> tuple[float, pd.DataFrame]:
    con.execute("DROP TABLE IF EXISTS bench.features")
    t = time.perf_counter()
    con.execute(FEATURE_SQL.format(out="bench.features", schema="bench"))
    seconds = time.perf_counter() - t
    return seconds, con.execute("SELECT * FROM bench.features ORDER BY entity_id").fetchdf()


def postgres_features(con: duckdb.DuckDBPyConnection, url: str) -> tuple[float, float, int]:
    """(COPY seconds, feature SQL seconds, feature rows) in a schema of its own, dropped afterwards."""
    import psycopg

    schema = f"bench_scale_{secrets.token_hex(3)}"
    with psycopg.connect(url, autocommit=True) as pg, tempfile.TemporaryDirectory() as tmp:
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
            t = time.perf_counter()
            pg.execute(FEATURE_SQL.format(out=f"{schema}.features", schema=schema))
            sql_s = time.perf_counter() - t
            rows = pg.execute(f"SELECT count(*) FROM {schema}.features").fetchone()[0]
        finally:
            pg.execute(f"DROP SCHEMA {schema} CASCADE")
    return copy_s, sql_s, int(rows)


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray, pd.Series]:
    """Every 5th entity judged; the rest trained on."""
    judged = frame["entity_id"].to_numpy() % 5 == 0
    X = frame[FEATURES].astype("float64")
    y = frame["label"].to_numpy(dtype=np.float64)
    return X[~judged], y[~judged], X[judged], y[judged], frame.loc[~judged, "entity_id"]


def train_local(X: pd.DataFrame, y: np.ndarray) -> tuple[float, lgb.Booster]:
    t = time.perf_counter()
    booster = lgb.train({**PARAMS, "num_threads": 0}, lgb.Dataset(X, label=y), num_boost_round=ROUNDS)
    return time.perf_counter() - t, booster


def train_dask(engine, X: pd.DataFrame, y: np.ndarray, ids: pd.Series) -> tuple[float, lgb.Booster]:
    t = time.perf_counter()
    booster, _ = engine.refit(X, y, dict(PARAMS), categorical=[], rounds=ROUNDS, entity_ids=ids)
    return time.perf_counter() - t, booster


def write_results(section: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"^## Scale\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(lambda _: section.rstrip("\n") + "\n\n", text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    RESULTS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    url = os.environ.get("SOLOML_TEST_POSTGRES_URL")
    from soloml.engines.dask import DaskEngine

    rows_out, notes = [], []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = DaskEngine.connect(None, staging=Path(tmp) / "staging")
        try:
            dask_per_row = None
            for n in sizes:
                con = duckdb.connect(str(Path(tmp) / f"bench{n}.duckdb"))
                build(con, n)
                duck_s, frame = duckdb_features(con)
                if url:
                    try:
                        copy_s, pg_s, pg_rows = postgres_features(con, url)
                        assert pg_rows == len(frame), (pg_rows, len(frame))
                    except Exception as exc:  # noqa: BLE001 - a bench note, not a crash
                        copy_s = pg_s = None
                        notes.append(f"Postgres at {n:,}: {type(exc).__name__}: {exc}")
                else:
                    copy_s = pg_s = None
                con.close()
                Xt, yt, Xj, yj, ids = split(frame)
                del frame
                local_s, local_b = train_local(Xt, yt)
                local_auc = roc_auc_score(yj, local_b.predict(Xj))
                if dask_per_row is not None and dask_per_row * len(Xt) > DASK_LIMIT_S:
                    dask_s = dask_auc = None
                    notes.append(
                        f"Dask training at {n:,} skipped: the {sizes[0]:,} run predicts {dask_per_row * len(Xt):.0f} s (> {DASK_LIMIT_S} s)."
                    )
                else:
                    dask_s, dask_b = train_dask(engine, Xt, yt, ids)
                    dask_auc = roc_auc_score(yj, dask_b.predict(Xj))
                    dask_per_row = dask_s / len(Xt)
                rows_out.append((n, len(Xt), duck_s, copy_s, pg_s, local_s, dask_s, local_auc, dask_auc))
                print(rows_out[-1], flush=True)
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
                )
                if not args.no_write:
                    write_results(section)  # after every size, so a run stopped on the big one keeps the small one
        finally:
            engine.close()
    print(section)
    return 0


def render(rows_out: list[tuple], notes: list[str], total: float) -> str:
    load = os.getloadavg()[0]

    def f(v: float | None, fmt: str = "{:.1f}") -> str:
        return "skipped" if v is None else fmt.format(v)

    lines = [
        "## Scale",
        "",
        f"`python bench/scale.py` on {date.today():%Y-%m-%d}: entities x {EVENTS_PER_ENTITY} events each (synthetic, built in DuckDB); feature SQL = 7 plain "
        f"aggregates over events joined to entities (the same text on both warehouses, CREATE TABLE AS); training = {ROUNDS} LightGBM rounds on 4 of 5 entities, "
        "AUC on the 5th. Local = one LightGBM process on every core (2); Dask = `soloml.engines.dask` refit (Parquet partitions by entity shard + "
        "DaskLGBMClassifier) on a LocalCluster of 2 single-thread worker processes. Postgres 15 on 127.0.0.1, rows loaded with COPY. "
        f"One run, {total:.0f} s so far; load average {load:.1f} on 2 cores at the end (the machine is shared), so read the ratios, not the seconds.",
        "",
        "| entities | training rows | DuckDB features s | Postgres COPY s | Postgres features s | Postgres vs DuckDB | local train s | Dask train s | Dask vs local | AUC local | AUC Dask |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, rows, duck_s, copy_s, pg_s, local_s, dask_s, la, da in rows_out:
        lines.append(
            f"| {n:,} | {rows:,} | {duck_s:.1f} | {f(copy_s)} | {f(pg_s)} | {f(pg_s and pg_s / duck_s, '{:.1f}x')} | {local_s:.1f} | {f(dask_s)} | "
            f"{f(dask_s and dask_s / local_s, '{:.1f}x')} | {la:.4f} | {f(da, '{:.4f}')} |"
        )
    lines += ["", *notes, ""]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
