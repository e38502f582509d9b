"""Small inline SVG charts drawn as text on the server: readable without JavaScript, no CDN, a few kB each.

The reports draw with matplotlib (reports/charts.py); a page must render in well under 300 ms, so the
dashboard writes its two shapes (horizontal bars, a line with a range band) directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR, LINE, BAND = "#1f6fb2", "#1f6fb2", "#b9d3ea"


def bars(items: Sequence[tuple[str, float]], *, title: str, percent: bool = True, width: int = 640) -> str:
    """Horizontal bars, largest first as given: one row per (label, value)."""
    row, label_w, pad = 24, 330, 8
    height = row * len(items) + 30
    top = max((v for _, v in items), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 20 + i * row
        w = max(1.0, (width - label_w - 70) * (value / top))
        text = f"{value:.0%}" if percent else f"{value:,.2f}"
        parts.append(
            f'<text x="{label_w - pad}" y="{y + 15}" text-anchor="end" font-size="12">{escape(_short(label))}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="{BAR}"><title>{escape(label)}: {text}</title></rect>'
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" font-size="12">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = 50) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def line_with_band(
    dates: Sequence[str],
    values: Sequence[float | None],
    lower: Sequence[float | None],
    upper: Sequence[float | None],
    *,
    title: str,
    width: int = 640,
    height: int = 220,
) -> str:
    """A forecast: the line and its range, dates along the bottom (first and last labelled)."""
    pts = [(i, v, lo, hi) for i, (v, lo, hi) in enumerate(zip(values, lower, upper, strict=True)) if v is not None]
    if not pts:
        return ""
    ys = [y for _, v, lo, hi in pts for y in (v, lo, hi) if y is not None]
    low, high = min(ys), max(ys)
    span = (high - low) or 1.0
    left, right, top, bottom = 70, 10, 20, 30
    n = max(len(dates) - 1, 1)

    def x(i: int) -> float:
        return left + (width - left - right) * i / n

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - (v - low) / span)

    band = [(x(i), y(hi)) for i, _, _, hi in pts if hi is not None] + [
        (x(i), y(lo)) for i, _, lo, _ in reversed(pts) if lo is not None
    ]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>'
    ]
    if band:
        parts.append(f'<polygon fill="{BAND}" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in band)}"/>')
    parts.append(
        f'<polyline fill="none" stroke="{LINE}" stroke-width="2" points="{" ".join(f"{x(i):.1f},{y(v):.1f}" for i, v, _, _ in pts)}"/>'
    )
    for value in (low, high):
        parts.append(
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" font-size="11">{value:,.0f}</text>'
        )
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="11">{escape(str(dates[0]))}</text>')
    parts.append(
        f'<text x="{width - right}" y="{height - 8}" text-anchor="end" font-size="11">{escape(str(dates[-1]))}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def progress(share: float, *, title: str, width: int = 320) -> str:
    """A progress bar toward a planned sample."""
    share = max(0.0, min(1.0, share))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" height="22" viewBox="0 0 {width} 22">'
        f'<title>{escape(title)}</title><rect x="0" y="3" width="{width}" height="16" fill="#e6e6e6"/>'
        f'<rect x="0" y="3" width="{width * share:.1f}" height="16" fill="{BAR}"/>'
        f'<text x="{width / 2:.0f}" y="15" text-anchor="middle" font-size="11">{share:.0%}</text></svg>'
    )
