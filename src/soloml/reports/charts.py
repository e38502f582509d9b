"""Charts as files or inline SVG, drawn with matplotlib's Agg canvas (no display, no global pyplot state).

`svg(fig)` gives an `<svg>` element to put inside an HTML report as it is (self-contained, no CDN);
`save(fig, stem)` writes stem.png and stem.svg. `forecast_chart(panels)` draws history, the backtest's
forecasts and the forecast with its range, one panel per series, from plain dicts:

    {"name": "revenue", "unit": "money", "history": {"dates": [...], "values": [...]},
     "backtest": {"dates": [...], "windows": [...], "forecast": [...], "lower": [...], "upper": [...]},  # windows: which backtest window
     "forecast": {"dates": [...], "forecast": [...], "lower": [...], "upper": [...]}, "level": 0.8}
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

HISTORY, BACKTEST, FORECAST = "#444444", "#d08c2b", "#1f6fb2"
SVG_METADATA = {"Date": None}  # no timestamp in the file
SVG_RC = {"svg.hashsalt": "soloml"}  # ids from the drawing, not from a random salt


def svg(fig: Figure) -> str:
    """The figure as an inline `<svg>` element (no XML prolog)."""
    buffer = io.StringIO()
    with rc_context(SVG_RC):
        fig.savefig(buffer, format="svg", metadata=SVG_METADATA)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def save(fig: Figure, stem: Path | str) -> tuple[Path, Path]:
    """Write stem.png and stem.svg; returns both paths."""
    stem = Path(stem)
    png, vector = stem.with_suffix(".png"), stem.with_suffix(".svg")
    fig.savefig(png, format="png", dpi=110)
    with rc_context(SVG_RC):
        fig.savefig(vector, format="svg", metadata=SVG_METADATA)
    return png, vector


def forecast_chart(panels: Sequence[dict[str, Any]], *, title: str = "") -> Figure:
    """History (grey), the backtest's forecasts (orange), the forecast and its range (blue), one panel per series."""
    fig = Figure(figsize=(9, 2.8 * max(1, len(panels)) + 0.4), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(max(1, len(panels)), 1, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels, strict=False):
        _panel(ax, panel)
    if title:
        fig.suptitle(title, fontsize=11)
    return fig


def _panel(ax: Any, p: dict[str, Any]) -> None:
    h, b, f = p["history"], p.get("backtest") or {}, p["forecast"]
    level = f"{p.get('level', 0.8):.0%}"
    ax.plot(_dates(h["dates"]), h["values"], color=HISTORY, lw=1.4, label="actual")
    windows = b.get("windows") or [0] * len(b.get("dates", []))
    for i, window in enumerate(
        dict.fromkeys(windows)
    ):  # each backtest window on its own: they start from different origins
        keep = [k for k, w in enumerate(windows) if w == window]
        dates = _dates([b["dates"][k] for k in keep])
        lower, upper = ([b[key][k] for k in keep] if b.get(key) else None for key in ("lower", "upper"))
        _band(ax, dates, lower, upper, BACKTEST)
        ax.plot(
            dates,
            [b["forecast"][k] for k in keep],
            color=BACKTEST,
            lw=1.2,
            ls="--",
            label="backtest forecast" if i == 0 else None,
        )
    dates = _dates(f["dates"])
    _band(ax, dates, f.get("lower"), f.get("upper"), FORECAST, label=f"{level} range")
    ax.plot(dates, f["forecast"], color=FORECAST, lw=1.8, label="forecast")
    ax.set_title(p.get("name", ""), fontsize=10, loc="left")
    ax.grid(alpha=0.25)
    ax.margins(x=0.01)
    ax.yaxis.set_major_formatter(_formatter(p.get("unit", "value"), p.get("currency")))
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncol=4)


def _band(ax: Any, dates: pd.DatetimeIndex, lower: Any, upper: Any, color: str, label: str | None = None) -> None:
    if lower is None or upper is None:
        return
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if np.isfinite(lo).any():
        ax.fill_between(dates, lo, hi, color=color, alpha=0.18, lw=0, label=label)


def _dates(values: Sequence[Any]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(values)))


def _formatter(unit: str, currency: str | None):
    from matplotlib.ticker import FuncFormatter

    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get((currency or "").upper(), "") if unit == "money" else ""

    def short(x: float, _pos: int) -> str:
        v = abs(x)
        text = (
            f"{v / 1e6:.1f}M" if v >= 1e6 else f"{v / 1e3:.0f}k" if v >= 1e4 else f"{v:,.0f}" if v >= 10 else f"{v:.1f}"
        )
        return f"{'-' if x < 0 else ''}{symbol}{text}"

    return FuncFormatter(short)
