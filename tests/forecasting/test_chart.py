"""The forecast chart: history, backtest forecasts, the forecast and its range, as PNG, SVG and inline SVG."""

from __future__ import annotations

from soloml.forecasting import Forecaster, forecast_result, series_from_frame
from soloml.reports.charts import forecast_chart, save, svg

from .helpers import monthly


def test_chart_draws_every_part_and_writes_png_and_svg(tmp_path):
    f = Forecaster(6, models=("seasonal_naive", "theta", "ensemble")).fit(
        series_from_frame(monthly(40, series=2), "month")
    )
    result = forecast_result(f, name="demo")
    panels = result.chart_panels()
    assert [p["name"] for p in panels] == ["s1", "s0"]  # the biggest series first
    assert panels[0]["backtest"]["dates"] and len(panels[0]["forecast"]["dates"]) == 6
    fig = forecast_chart(panels, title="demo")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["actual", "backtest forecast", "80% range", "forecast"]
    png, vector = save(fig, tmp_path / "forecast")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in vector.read_text(encoding="utf-8")
    inline = svg(fig)
    assert inline.startswith("<svg") and "<?xml" not in inline
    assert "<dc:date>" not in inline  # no timestamp in the file
