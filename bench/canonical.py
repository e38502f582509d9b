"""Canonical stage benchmark: what mapping vendor exports into core.* costs on top of landing them in raw.*, what
the identity rules of issue 11 cost against the routing of a base revision (default: main), and how well identity
resolution finds the real people.

    python bench/canonical.py [--customers 3000] [--base main] [--scale 1000000] [--rounds 3]

The same files go through two copies of soloml in separate processes, alternating for `--rounds` rounds (medians):
`base` (the base revision's src/, exported with `git archive`) and `current` (this working tree). Each loads:
  raw only   load_paths(files) with detection but no routing             (reference for its own ratios)
  routed     load_paths(files, router=route)                             (raw.* + adapters, identity, history, core.*)
  at scale   `--scale` synthetic Stripe payment rows routed in one load  (identity included)
Identity is scored against two truth files: the Bluebird demo's (3,000 people through five tools) and the
constants world's (tests/canonical/constants_world.py: planted traps, loaded in two orders). A person is split
when their records sit under several customer ids; a customer id is merged wrongly when it holds several people.
Figures go to bench/RESULTS.md under '## Canonical'.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS.md"


# -- the worker: runs inside one copy of soloml (PYTHONPATH picks which) ------------------------------------------


def _load(
    paths: list[str], db: Path, *, routed: bool, zone: str | None = None
) -> tuple[dict, dict[str, float], object]:
    import inspect
    from functools import partial

    from soloml.canonical.ingest import detect, route
    from soloml.sources import load_paths
    from soloml.warehouse import connect

    con = connect(db)
    router = None
    if routed:
        router = (
            partial(route, crm_timezone=zone)
            if zone and "crm_timezone" in inspect.signature(route).parameters
            else route
        )
    per_file, start, cpu = {}, time.perf_counter(), time.process_time()
    for path in paths:
        t = time.perf_counter()
        load_paths(con, [path], detector=detect, router=router, max_quarantine_share=0.2)
        per_file[Path(path).name] = time.perf_counter() - t
    return {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}, per_file, con


def _demo_scores(con, truth: str) -> dict[str, int]:
    import pandas as pd

    from soloml.canonical.identity import email_key

    people = pd.read_csv(truth)
    crosswalk = con.execute("SELECT source, source_id, email, customer_id FROM core.customer_identities").fetchall()
    by_email: dict[str, set[str]] = {}
    by_stripe: dict[str, str] = {}
    for source, source_id, email, customer_id in crosswalk:
        if email:
            by_email.setdefault(email, set()).add(customer_id)
        if source == "stripe":
            by_stripe[source_id] = customer_id
    split, holders = 0, {}
    for person in people.itertuples():
        ids: set[str] = set()
        for address in str(person.emails).split(";"):
            ids |= by_email.get(email_key(address) or "", set())
        if isinstance(person.stripe_customer_id, str) and person.stripe_customer_id in by_stripe:
            ids.add(by_stripe[person.stripe_customer_id])
        split += len(ids) > 1
        for cid in ids:
            holders.setdefault(cid, set()).add(person.person_id)
    return {
        "people": len(people),
        "found": sum(1 for p in people.itertuples() if any(p.person_id in h for h in holders.values())),
        "split": split,
        "merged": sum(1 for h in holders.values() if len(h) > 1),
        "customers": con.execute("SELECT count(*) FROM core.customers").fetchone()[0],
    }


def _world_scores(con, truth: dict) -> dict:
    crosswalk = dict(
        ((s, i), c)
        for s, i, c in con.execute("SELECT source, source_id, customer_id FROM core.customer_identities").fetchall()
    )
    holders: dict[str, set[str]] = {}
    found = split = waiting = 0
    for person in truth["people"]:
        ids = {crosswalk.get(tuple(r)) for r in person["records"]}
        found += None not in ids
        if len(ids - {None}) > 1:
            split += 1
            waiting += person["needs_decision"]
        for cid in ids - {None}:
            holders.setdefault(cid, set()).add(person["person"])
    links = con.execute("SELECT * EXCLUDE (_load_id) FROM core.customer_identities ORDER BY ALL").fetchall()
    customers = con.execute(
        "SELECT customer_id, email, name, country, created_at, first_source FROM core.customers ORDER BY ALL"
    ).fetchall()
    return {
        "people": len(truth["people"]),
        "found": found,
        "split": split,
        "split_awaiting_decision": waiting,
        "merged": sum(1 for h in holders.values() if len(h) > 1),
        "customers": len(customers),
        "fingerprint": str(hash((tuple(map(str, links)), tuple(map(str, customers))))),
    }


def _scale(folder: Path, rows: int) -> dict:
    """Route `rows` synthetic Stripe payment rows (text, as landed) for rows/20 customers in one load: wall and CPU s."""
    import pandas as pd

    from soloml.canonical.ingest import detect, route
    from soloml.sources.contracts import LandedTable
    from soloml.warehouse import connect
    from soloml.warehouse.names import column_names

    header = (ROOT / "tests" / "canonical" / "fixtures" / "stripe_payments.csv").read_text().splitlines()[0].split(",")
    cols = column_names(header)
    values = dict.fromkeys(cols, "NULL::VARCHAR")
    values.update(
        {
            "id": "'ch_' || i",
            "created_utc": "strftime(TIMESTAMP '2023-01-01' + INTERVAL (i % 30000000) SECOND, '%Y-%m-%d %H:%M:%S')",
            "amount": "CAST((i % 50000) / 100.0 AS VARCHAR)",
            "amount_refunded": "'0.00'",
            "currency": "'usd'",
            "mode": "'Live'",
            "status": "CASE WHEN i % 10 = 0 THEN 'Failed' ELSE 'Paid' END",
            "customer_id": f"'cus_' || (i % {rows // 20})",
            "customer_email": f"'User' || (i % {rows // 20}) || '@Example.com'",
        }
    )
    con = connect(folder / "bench_scale.duckdb")
    select = ", ".join(f"{v} AS {k}" for k, v in values.items())
    con.execute(
        f"CREATE TABLE raw.stripe_payments AS SELECT {select}, 'L1' AS _load_id, i AS _source_row FROM range({rows}) t(i)"
    )
    detection = detect(header, pd.DataFrame(columns=header), None)
    start, cpu = time.perf_counter(), time.process_time()
    con.begin()
    route(con, LandedTable("L1", "bench", "raw.stripe_payments", detection, tuple(header), tuple(cols), rows))
    con.commit()
    seconds = {"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}
    con.close()
    return seconds


def worker(job: dict) -> dict:
    import soloml

    folder = Path(job["folder"])
    out: dict = {"soloml": str(Path(soloml.__file__).parent)}
    raw_s, raw_files, con = _load(job["demo_files"], folder / "bench_raw_only.duckdb", routed=False)
    con.close()
    routed_s, routed_files, con = _load(job["demo_files"], folder / "bench_routed.duckdb", routed=True)
    out.update(
        raw=raw_s,
        raw_files=raw_files,
        routed=routed_s,
        routed_files=routed_files,
        demo=_demo_scores(con, job["demo_truth"]),
        core={
            t: con.execute(f"SELECT count(*) FROM core.{t}").fetchone()[0]
            for (t,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'core' ORDER BY 1"
            ).fetchall()
        },
    )
    con.close()
    truth = json.loads(Path(job["world_truth"]).read_text())
    for name, order in (("world", job["world_files"]), ("world_reversed", job["world_files"][::-1])):
        _, _, con = _load(order, folder / f"bench_{name}.duckdb", routed=True, zone=truth["crm_timezone"])
        out[name] = _world_scores(con, truth)
        con.close()
    if job["scale"]:
        out["scale"] = _scale(folder, job["scale"])
    return out


# -- the driver ----------------------------------------------------------------------------------------------------


def export_base(ref: str, into: Path) -> Path:
    """The base revision's src/ (git archive), to import instead of this working tree's."""
    archive = into / "base.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "-o", str(archive), ref, "src"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "base_tree", filter="data")
    return into / "base_tree" / "src"


def run_worker(src: Path, job: dict) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(job)], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"the worker for {src} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_results(section: str) -> None:
    replace_section("Canonical", section)


def _identity_rows(name: str, b: dict, c: dict) -> list[str]:
    awaiting = (
        f" ({c['split_awaiting_decision']} awaiting a suggested link)" if c.get("split_awaiting_decision") else ""
    )
    return [
        f"| {name}: people found | {b['found']:,} of {b['people']:,} | {c['found']:,} of {c['people']:,} |",
        f"| {name}: people split over several customer ids | {b['split']} | {c['split']}{awaiting} |",
        f"| {name}: customer ids holding more than one person | {b['merged']} | {c['merged']} |",
        f"| {name}: customers | {b['customers']:,} | {c['customers']:,} |",
    ]


def _median(runs: list[dict], *path: str) -> float:
    values = []
    for run in runs:
        value = run
        for key in path:
            value = value[key]
        values.append(value)
    return statistics.median(values)


def _row(what: str, base: list[dict], cur: list[dict], *path: str) -> str:
    b, c = _median(base, *path, "wall"), _median(cur, *path, "wall")
    bc, cc = _median(base, *path, "cpu"), _median(cur, *path, "cpu")
    return f"| {what} | {b:.2f} | {c:.2f} | {c / b:.2f}x | {bc:.2f} | {cc:.2f} | {cc / bc:.2f}x |"


def report(args, base: list[dict], cur: list[dict], rows: int, files: int) -> list[str]:
    last_b, last_c = base[-1], cur[-1]
    same = {
        k: v["world"]["fingerprint"] == v["world_reversed"]["fingerprint"]
        for k, v in (("base", last_b), ("current", last_c))
    }
    routing = [{"routing": {k: r["routed"][k] - r["raw"][k] for k in ("wall", "cpu")}} for r in base]
    routing_c = [{"routing": {k: r["routed"][k] - r["raw"][k] for k in ("wall", "cpu")}} for r in cur]
    lines = [
        "## Canonical",
        "",
        f"`python bench/canonical.py --customers {args.customers} --base {args.base} --scale {args.scale} --rounds {args.rounds}` on "
        f"{date.today():%Y-%m-%d}: Bluebird demo exports ({files} files, {rows:,} rows) and the constants world "
        f"(tests/canonical/constants_world.py), through `{args.base}` and this tree in separate processes, alternating, "
        f"{args.rounds} rounds; medians. CPU is the process's own (all DuckDB threads), steadier than wall time on this "
        "shared machine. Core tables after (current): "
        + ", ".join(f"{k} {v:,}" for k, v in last_c["core"].items() if v)
        + ".",
        "",
        f"| what | {args.base} wall s | current wall s | wall ratio | {args.base} CPU s | current CPU s | CPU ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
        _row("load every Bluebird file into raw.* only (reference)", base, cur, "raw"),
        _row("load + route into core.*", base, cur, "routed"),
        _row("routing alone (routed minus raw only)", routing, routing_c, "routing"),
    ]
    if args.scale:
        lines.append(
            _row(
                f"route {args.scale:,} Stripe payment rows ({args.scale // 20:,} customers) in one load",
                base,
                cur,
                "scale",
            )
        )
    names = list(last_c["routed_files"])
    lines += ["", f"| file (wall s, median) | routed {args.base} | routed current | ratio |", "|---|---:|---:|---:|"]
    for n in names:
        b = statistics.median(r["routed_files"][n] for r in base)
        c = statistics.median(r["routed_files"][n] for r in cur)
        lines.append(f"| {n} | {b:.2f} | {c:.2f} | {c / b:.2f}x |")
    lines += ["", f"| identity against the truth files | {args.base} | current |", "|---|---:|---:|"]
    lines += _identity_rows("Bluebird", last_b["demo"], last_c["demo"]) + _identity_rows(
        "constants world", last_b["world"], last_c["world"]
    )
    lines.append(
        f"| constants world loaded in reverse order: same customers and links | {'yes' if same['base'] else 'no'} | "
        f"{'yes' if same['current'] else 'no'} |"
    )
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--base", default="main")
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from canonical.constants_world import write_world
    from soloml.demo.generator import generate_bluebird

    exports = generate_bluebird(HERE / "_data" / f"bluebird_{args.customers}", customers=args.customers, seed=7)
    runs: dict[str, list[dict]] = {"base": [], "current": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        world = write_world(folder / "world")
        job = {
            "demo_files": [str(p) for p in exports.paths],
            "demo_truth": str(exports.truth),
            "world_files": [str(p) for p in world.files.values()],
            "world_truth": str(world.truth),
            "scale": args.scale,
        }
        sources = {"base": export_base(args.base, folder), "current": ROOT / "src"}
        for i in range(args.rounds):
            for name in ("base", "current") if i % 2 == 0 else ("current", "base"):  # alternate who goes first
                work = folder / f"run_{name}_{i}"
                work.mkdir()
                runs[name].append(run_worker(sources[name], {**job, "folder": str(work)}))
                print(f"round {i + 1}: {name} from {runs[name][-1]['soloml']}", file=sys.stderr)
    lines = report(args, runs["base"], runs["current"], sum(exports.rows.values()), len(exports.paths))
    write_results("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
