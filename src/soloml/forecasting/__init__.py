"""Forecasting: the business's series, backtested against seasonal naive, with calibrated ranges and a done verdict."""

from soloml.forecasting.forecaster import Forecaster, SeriesChoice
from soloml.forecasting.recipes import core_series
from soloml.forecasting.result import ForecastResult, forecast_result
from soloml.forecasting.series import SeriesSet, series_from_frame
from soloml.forecasting.store import load_forecaster, save_forecaster
from soloml.forecasting.tables import table_series
from soloml.forecasting.workflow import ForecastRun, forecast_project, forecast_table

__all__ = [
    "ForecastResult",
    "ForecastRun",
    "Forecaster",
    "SeriesChoice",
    "SeriesSet",
    "core_series",
    "forecast_project",
    "forecast_result",
    "forecast_table",
    "load_forecaster",
    "save_forecaster",
    "series_from_frame",
    "table_series",
]
