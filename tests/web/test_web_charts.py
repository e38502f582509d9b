"""The dashboard's inline SVG charts: one bar per input, sized by its value; a forecast line inside its range band."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from soloml.web.charts import bars, line_with_band, progress

SVG = "{http://www.w3.org/2000/svg}"


def test_bars_draw_one_bar_per_item_in_proportion_and_parse_as_svg():
    svg = bars(
        [("days since last order", 0.5), ("orders in 90 days", 0.25), ("plan <b>", 0.125)], title="What drives it"
    )
    root = ET.fromstring(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert len(widths) == 3
    assert widths[0] / widths[1] == 2.0 and widths[1] / widths[2] == 2.0
    assert "plan &lt;b&gt;" in svg and "50%" in svg


def test_a_forecast_line_stays_inside_its_band():
    svg = line_with_band(
        ["2026-01-01", "2026-02-01", "2026-03-01"],
        [10.0, 12.0, 11.0],
        [8.0, 9.0, 7.0],
        [12.0, 15.0, 14.0],
        title="Revenue",
    )
    root = ET.fromstring(svg)
    line = [tuple(map(float, p.split(","))) for p in root.find(f"{SVG}polyline").get("points").split()]
    band = [tuple(map(float, p.split(","))) for p in root.find(f"{SVG}polygon").get("points").split()]
    upper, lower = band[:3], band[3:][::-1]
    for (_, y), (_, top), (_, bottom) in zip(line, upper, lower, strict=True):
        assert top <= y <= bottom  # SVG y grows downward
    assert "2026-01-01" in svg and "2026-03-01" in svg
    assert line_with_band([], [], [], [], title="none") == ""


def test_progress_is_capped_at_the_planned_sample():
    assert re.search(r">100%<", progress(1.7, title="p"))
    assert re.search(r">25%<", progress(0.25, title="p"))
