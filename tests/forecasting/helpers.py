"""Simulated series with a known shape, and core rows for a real warehouse."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd

from soloml.canonical.schema import TABLES, create_core_tables


def monthly(
    n: int,
    *,
    series: int = 1,
    start: str = "2018-01-01",
    level: float = 100.0,
    trend: float = 0.5,
    season: float = 10.0,
    noise: float = 3.0,
    seed: int = 0,
) -> pd.DataFrame:
    """`series` monthly series of `n` months: level + trend + a yearly sine + normal noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frames = []
    for i in range(series):
        y = level * (1 + i) + trend * t + season * np.sin(2 * np.pi * t / 12) + rng.normal(0, noise, n)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range(start, periods=n, freq="MS"), "y": y}))
    return pd.concat(frames, ignore_index=True)


def insert(con, table: str, rows: list[dict]) -> None:
    """Rows into core.<table> in one statement; columns left out are NULL, `source` defaults to 'test'."""
    create_core_tables(con)
    spec = TABLES[table]
    frame = pd.DataFrame(rows)
    if "source" in spec.column_names and "source" not in frame:
        frame["source"] = "test"
    if spec.history:
        frame["valid_from"], frame["is_current"] = datetime(2020, 1, 1), True
    cols = ", ".join(frame.columns)
    con.register("_rows", frame)
    con.execute(f"INSERT INTO core.{table} ({cols}) SELECT {cols} FROM _rows")
    con.unregister("_rows")
