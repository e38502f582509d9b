"""The report's small bar chart: the model beside today's rule and doing nothing, per cycle, as inline SVG.

Money when the value of a right call was agreed, else the right picks per cycle; drawn with the same
Agg canvas and SVG settings as reports.charts (no display, no timestamp, stable ids).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from soloml.reports.charts import FORECAST, HISTORY, svg

RULE = "#d08c2b"


def comparison_svg(comparison: Sequence[Mapping[str, Any]], *, money: bool, axis_label: str) -> str | None:
    """Horizontal bars, one per way of deciding; None when there is nothing to draw."""
    key = "expected_value" if money else "hits"
    rows = [r for r in comparison if r.get(key) is not None]
    if len(rows) < 2:
        return None
    fig = Figure(figsize=(7.5, 0.55 * len(rows) + 0.9), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    names = [str(r["way"]).split(" (")[0] for r in rows][::-1]
    values = [float(r[key]) for r in rows][::-1]
    colours = [FORECAST if n == "the model" else RULE if n.startswith("today") else HISTORY for n in names]
    ax.barh(names, values, color=colours, height=0.6)
    ax.axvline(0, color="#999999", lw=0.8)
    ax.set_xlabel(axis_label, fontsize=9)
    ax.tick_params(labelsize=9)
    ax.grid(axis="x", alpha=0.25)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return svg(fig)
