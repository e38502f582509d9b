"""Benchmark the impact stage: drift on a million scoring rows, assignment, exposure logging, analysis,
and the false-positive rate of daily peeking (sequential vs naive).

Each timing is quoted against a bare reference measured in the same run. Writes `## Impact` in bench/RESULTS.md.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from soloml.experiments.analysis import analyze_experiment
from soloml.experiments.assignment import assign_many, log_exposures
from soloml.experiments.sequential import half_width, mixture_tau2
from soloml.experiments.spec import ExperimentSpec
from soloml.monitoring.drift import feature_drift
from soloml.warehouse import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _results import replace_section  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def frames(rng, n):
    data = {f"x{i}": rng.gamma(2.0 + i / 5, 10.0, n) for i in range(10)}
    data["plan"] = rng.choice(["basic", "pro", "team"], n, p=[0.6, 0.3, 0.1])
    data["country"] = rng.choice([f"c{i}" for i in range(20)], n)
    return pd.DataFrame(data)


def drift_reference(ref: pd.DataFrame, cur: pd.DataFrame) -> None:
    """The least work a drift check can do: a decile histogram and KS per number, counts per category."""
    for col in ref.columns:
        if ref[col].dtype == object:
            ref[col].value_counts(), cur[col].value_counts()
        else:
            edges = np.quantile(ref[col], np.linspace(0, 1, 11))
            np.histogram(ref[col], edges), np.histogram(cur[col], edges)
            stats.ks_2samp(ref[col], cur[col], method="asymp")


def main() -> int:
    rng = np.random.default_rng(0)
    lines = [f"Run {date.today().isoformat()} (`python bench/impact.py`)."]
    rows = []

    ref, cur = frames(rng, 200_000), frames(rng, 1_000_000)
    t_ref, _ = timed(lambda: drift_reference(ref, cur))
    t_drift, drift = timed(lambda: feature_drift(ref, cur))
    alerts = sum(d.alert for d in drift)
    rows.append(
        (
            "drift of 12 features, 200k training vs 1M scoring rows (`feature_drift`)",
            t_drift,
            t_ref,
            "decile histograms + KS / value counts (numpy, scipy)",
        )
    )

    ids = [f"cus_{i}" for i in range(1_000_000)]
    spec = ExperimentSpec.model_validate(
        {
            "name": "bench",
            "salt": "s",
            "variants": {"control": 1, "offer": 1},
            "primary": {"name": "kept", "sql": "SELECT unit_id, value FROM outcome"},
        }
    )
    t_hash, _ = timed(lambda: [hashlib.sha256(f"bench:s:{u}".encode()).digest() for u in ids])
    t_assign, mapping = timed(lambda: assign_many(spec, ids))
    rows.append(("assign 1M units (`assign_many`)", t_assign, t_hash, "bare sha256 of each key"))

    with tempfile.TemporaryDirectory() as tmp:
        con = connect(str(Path(tmp) / "bench.duckdb"))
        frame = pd.DataFrame({"unit_id": list(mapping), "variant": list(mapping.values())})
        con.register("frame", frame)
        t_insert, _ = timed(
            lambda: con.execute(
                "CREATE TABLE plain AS SELECT 'bench' AS experiment, unit_id, variant, now() AS exposed_at FROM frame"
            )
        )
        t_log, added = timed(lambda: log_exposures(con, "bench", mapping))
        t_relog, again = timed(lambda: log_exposures(con, "bench", mapping))
        rows.append(("log 1M exposures (`log_exposures`)", t_log, t_insert, "plain CREATE TABLE AS from the frame"))
        rows.append(("re-log the same 1M exposures (no-op)", t_relog, t_insert, "plain CREATE TABLE AS from the frame"))
        truth = np.array([v == "offer" for v in mapping.values()])
        outcome = pd.DataFrame(
            {"unit_id": list(mapping), "value": (rng.random(len(mapping)) < 0.2 + 0.01 * truth).astype(int)}
        )
        con.register("outcome_df", outcome)
        con.execute("CREATE TABLE outcome AS SELECT * FROM outcome_df")

        def reference_analysis():
            counts = con.execute(
                "SELECT e.variant, count(*), sum(o.value) FROM ops.exposures e JOIN outcome o USING (unit_id) GROUP BY 1 ORDER BY 1"
            ).fetchall()
            from statsmodels.stats.proportion import proportions_ztest

            return proportions_ztest([counts[1][2], counts[0][2]], [counts[1][1], counts[0][1]])

        t_ref_an, _ = timed(reference_analysis)
        t_an, result = timed(lambda: analyze_experiment(con, spec))
        rows.append(
            ("analyse 1M exposed units (`analyze_experiment`)", t_an, t_ref_an, "SQL group-by + statsmodels z-test")
        )
        con.close()

    sims, looks, per_look = 4000, 30, 100
    t = rng.normal(0, 1, (sims, looks * per_look))
    c = rng.normal(0, 1, (sims, looks * per_look))
    n = per_look * np.arange(1, looks + 1)
    d = (np.cumsum(t, axis=1) - np.cumsum(c, axis=1))[:, n - 1] / n
    v = 2.0 / n
    naive = (np.abs(d) / np.sqrt(v) > stats.norm.isf(0.025)).any(axis=1).mean()
    seq = (np.abs(d) > half_width(v, mixture_tau2(v[-1], 0.05), 0.05)).any(axis=1).mean()

    lines += ["", "| what | seconds | reference | vs reference |", "|---|---:|---|---:|"]
    for what, secs, ref_secs, ref_name in rows:
        lines.append(f"| {what} | {secs:.2f} | {ref_name}: {ref_secs:.2f} s | {secs / ref_secs:.2f}x |")
    lines += [
        "",
        f"Drift on same-distribution data raised {alerts} alert(s) out of {len(drift)} features (want 0). "
        f"Exposures logged: {added:,} new, then {again:,} on the re-run. Analysis decision on a +1 point true lift: {result.decision}.",
        f"Daily peeking, {sims:,} null experiments x {looks} looks x {per_look} units per arm per look: "
        f"naive z-test false-positive rate {naive:.3f}, always-valid sequential test {seq:.3f} (alpha 0.05).",
    ]
    write_section("Impact", lines)
    print("\n".join(lines))
    return 0


def write_section(title: str, lines: list[str]) -> None:
    replace_section(title, f"## {title}\n\n" + "\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
