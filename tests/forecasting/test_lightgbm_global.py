"""The global model's calendar features: computed from the datetime64 numbers, equal to pandas' own fields."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from soloml.forecasting.lightgbm_global import _period_of_year


@pytest.mark.parametrize(
    ("frequency", "freq", "field", "periods"),
    [("day", "D", "dayofweek", 60_000), ("month", "MS", "month", 1_000), ("quarter", "QS", "quarter", 600)],
)
def test_the_period_of_the_year_is_pandas_field(frequency, freq, field, periods):
    """From 1899 on (before and after the 1970 epoch), every weekday, month and quarter as pandas gives it."""
    starts = pd.date_range("1899-03-01", periods=periods, freq=freq)
    ours = _period_of_year(starts.to_numpy(dtype="datetime64[ns]"), frequency)
    np.testing.assert_array_equal(ours, np.asarray(getattr(starts, field)))
