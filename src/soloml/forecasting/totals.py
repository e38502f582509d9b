"""The range of a horizon's TOTAL ("next year's revenue: $2.1M to $2.4M"), honestly.

Adding up the periods' bounds would claim every period misses the same way at once: far too wide when
misses partly cancel, and wrong once bounds are cut at zero. Instead the total is simulated: each path
adds to every period's point forecast a signed error drawn from the series' own backtest errors at that
distance (scaled as intervals.py scales them: by the series' scale and the square root of the steps
ahead), and the range is the middle `level` share of the simulated totals. The draws keep a whole
backtest window's run of errors together half of the time (misses that persist, as level shifts do),
and mix periods from different windows the other half; with one window only, every path is that window.
A series with too few backtest errors (< MIN_ERRORS) gets no range for its total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_ERRORS = 4
PATHS = 4000
SEED = 20240611  # fixed: the same forecast always prints the same range


@dataclass(frozen=True)
class Total:
    """One series' forecast total over the horizon, with its simulated range (None: too few backtest errors)."""

    series: str
    periods: int
    point: float
    lower: float | None
    upper: float | None
    errors: int  # backtest errors the simulation drew from


def horizon_totals(
    forecasts: pd.DataFrame, backtest: pd.DataFrame, scales: dict[str, float], *, level: float, non_negative: bool
) -> list[Total]:
    """Per series: sum of the point forecasts over the horizon and the `level` range of the simulated total.

    `scales` are the series' scales the final forecast's intervals use (SeriesChoice.scale)."""
    out = []
    rng = np.random.default_rng(SEED)
    for uid, f in forecasts.groupby("unique_id", sort=False):
        f = f.sort_values("step")
        point = f["forecast"].to_numpy(dtype=float)
        b = backtest[backtest["unique_id"] == uid]
        paths = _scaled_paths(b)
        n_errors = int(sum(np.isfinite(p).sum() for p in paths))
        if n_errors < MIN_ERRORS:
            out.append(Total(str(uid), len(point), float(point.sum()), None, None, n_errors))
            continue
        scale = float(scales.get(str(uid), b["scale"].iloc[-1]))
        totals = _simulate(point, paths, scale, rng, non_negative)
        lo, hi = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2])
        out.append(Total(str(uid), len(point), float(point.sum()), float(lo), float(hi), n_errors))
    return out


def _scaled_paths(b: pd.DataFrame) -> list[np.ndarray]:
    """Each backtest window's signed errors, scaled by the series' scale and sqrt(steps ahead)."""
    paths = []
    for _, w in b.groupby("offset"):
        w = w.sort_values("step")
        k = w["step"].to_numpy(dtype=float)
        paths.append(
            ((w["actual"] - w["forecast"]).to_numpy(dtype=float)) / (w["scale"].to_numpy(dtype=float) * np.sqrt(k))
        )
    return paths


def _simulate(
    point: np.ndarray, paths: list[np.ndarray], scale: float, rng: np.random.Generator, non_negative: bool
) -> np.ndarray:
    h = len(point)
    pool = np.concatenate([p[np.isfinite(p)] for p in paths])
    steps = np.sqrt(np.arange(1, h + 1))
    draws = rng.choice(pool, size=(PATHS, h))  # periods mixed from any window
    whole = rng.random(PATHS) < 0.5  # half the paths: one window's run of errors, as it happened
    picks = rng.integers(0, len(paths), size=PATHS)
    for i in np.flatnonzero(whole):
        p = paths[picks[i]]
        run = p[:h]
        draws[i, : len(run)] = np.where(np.isfinite(run), run, draws[i, : len(run)])
    values = point[None, :] + draws * scale * steps[None, :]
    if non_negative:
        values = np.maximum(values, 0.0)
    return values.sum(axis=1)
