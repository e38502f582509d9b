"""Rolling-origin backtest: where the windows fall, and how a model is chosen at each origin without looking ahead.

Windows are counted back from the data's last period in steps of the horizon: the window at offset o
trains on every period before n - o and is tested on the `horizon` periods after it. The latest few are
*judged* windows (they cover at least the last season, so "over the last year" means it); the ones
before them are *selection* windows. At any origin soloml chooses the model with the lowest MASE on the
(up to) two nearest windows that ended by that origin, and calibrates its interval on every such
window. The final forecast is chosen the same way at the last period, so the judged numbers measure the
procedure that makes the forecast. A window where the series was shorter and fell in another tier
(e.g. fewer than two seasons, so no seasonal models) is not evidence for the tier at the origin and is
not used for choosing or calibrating there.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np

from soloml.forecasting import intervals
from soloml.forecasting.metrics import mase
from soloml.forecasting.models import ALL_MODELS, Tier

MIN_TRAIN = 3
SELECTION_WINDOWS = 2
MAX_JUDGED = 4
ENSEMBLE_SIZE = 3
ENSEMBLE_EDGE = (
    0.1  # a single model is chosen over the ensemble only when its backtest MASE is 10% lower: ensembles travel better
)


@dataclass(frozen=True)
class Window:
    """Train on periods [0, n - offset); test on [n - offset, n - offset + horizon). Offset 0 is the forecast itself."""

    offset: int
    judged: bool = False


def judged_count(horizon: int, season: int) -> int:
    """Enough windows of `horizon` periods to cover a season (a year of months), at most MAX_JUDGED."""
    return max(1, min(MAX_JUDGED, math.ceil(max(horizon, season) / horizon)))


def plan(
    horizon: int, season: int, *, judged: int | None = None, selecting: int = SELECTION_WINDOWS
) -> tuple[Window, ...]:
    """The backtest windows, latest first: the judged ones, then the selection windows before them."""
    j = judged_count(horizon, season) if judged is None else judged
    return tuple(Window(horizon * (i + 1), judged=i < j) for i in range(j + selecting))


def split(n: int, window: Window, horizon: int) -> tuple[int, int] | None:
    """(train_end, test_end) of `window` in a series of `n` periods; None when it has too little to train on."""
    train_end = n - window.offset
    if train_end < MIN_TRAIN:
        return None
    return train_end, min(train_end + horizon, n) if window.offset else train_end


def earlier(offsets: list[int], origin: int, horizon: int) -> list[int]:
    """Offsets of the windows whose test periods all end by the origin at `origin`, nearest first."""
    return sorted(o for o in offsets if o >= origin + horizon)


@dataclass(frozen=True)
class WindowRun:
    """One window of one series: its tier, each candidate's forecast, the actuals and the series' scale then."""

    tier: Tier
    forecasts: Mapping[str, np.ndarray]
    actual: np.ndarray
    scale: float
    forms: Mapping[str, str] = field(default_factory=dict)  # model -> the form its fit chose (CES's season type)


@dataclass(frozen=True)
class Choice:
    """The model chosen at one origin, what it was chosen by, and its calibrated interval quantile."""

    model: str
    members: tuple[str, ...]
    scores: Mapping[str, float]
    windows: int  # how many windows it was chosen by; 0: the tier's default, nothing to compare on
    q: float | None
    n_scores: int


def combine(forecasts: Mapping[str, np.ndarray], members: tuple[str, ...]) -> np.ndarray:
    return np.mean([forecasts[m] for m in members], axis=0)


def choose(
    runs: Mapping[int, WindowRun], origin: int, tier: Tier, horizon: int, level: float, available: Collection[str]
) -> Choice:
    """The choice at the origin `origin` (an offset; 0 = now) among the `available` models, from the windows that ended by then."""
    # only windows where the series was in the same tier: there each candidate ran in the same form (seasonal or not)
    before = [o for o in earlier(list(runs), origin, horizon) if len(runs[o].actual) and runs[o].tier.name == tier.name]
    nearest = before[:SELECTION_WINDOWS]
    pool = [m for m in tier.candidates if m != "ensemble" and m in available]
    if nearest:
        pool = [m for m in pool if m in runs[nearest[0]].forecasts]
    common = [o for o in nearest if all(m in runs[o].forecasts for m in pool)]
    if not common or not pool:
        members = tuple(m for m in tier.default if m in pool) or (tier.baseline,)
        return _calibrated("ensemble" if len(members) > 1 else members[0], members, {}, 0, runs, before, level)
    scores = {m: _score(runs, common, (m,)) for m in pool}
    ranked = sorted(pool, key=lambda m: (scores[m], ALL_MODELS.index(m)))
    options = {m: (m,) for m in pool}
    if "ensemble" in tier.candidates and len(pool) > 1:
        options["ensemble"] = tuple(ranked[:ENSEMBLE_SIZE])
        scores["ensemble"] = _score(runs, common, options["ensemble"])
    best = min(options, key=lambda m: (scores[m] * (1 + ENSEMBLE_EDGE * (m != "ensemble")), ALL_MODELS.index(m)))
    return _calibrated(best, options[best], scores, len(common), runs, before, level)


def _score(runs: Mapping[int, WindowRun], offsets: list[int], members: tuple[str, ...]) -> float:
    return float(
        np.mean(
            [
                mase(runs[o].actual, combine(runs[o].forecasts, members)[: len(runs[o].actual)], runs[o].scale)
                for o in offsets
            ]
        )
    )


def _calibrated(
    model: str,
    members: tuple[str, ...],
    scores: dict[str, float],
    windows: int,
    runs: Mapping[int, WindowRun],
    before: list[int],
    level: float,
) -> Choice:
    usable = [o for o in before if all(m in runs[o].forecasts for m in members)]
    errors = [runs[o].actual - combine(runs[o].forecasts, members)[: len(runs[o].actual)] for o in usable]
    s = intervals.scores(errors, [runs[o].scale for o in usable])
    return Choice(model, members, scores, windows, intervals.quantile(s, level), len(s))
