"""`ops.forecasts`: every forecast made, one row per series and period, so monitoring can set actuals beside them.

This module is the one owner of the table: it creates it and writes it, by column name.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from soloml.temp_names import registered

DDL = """
CREATE TABLE IF NOT EXISTS ops.forecasts (
    run_id VARCHAR NOT NULL,
    project VARCHAR NOT NULL,
    series_id VARCHAR NOT NULL,
    period DATE NOT NULL,
    frequency VARCHAR NOT NULL,
    step INTEGER NOT NULL,
    forecast DOUBLE,
    lower DOUBLE,
    upper DOUBLE,
    level DOUBLE,
    model VARCHAR,
    made_at TIMESTAMP NOT NULL
)
"""
COLUMNS = ("run_id", "project", "series_id", "period", "frequency", "step", "forecast", "lower", "upper", "level", "model", "made_at")


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(DDL)


def write_forecasts(
    con: duckdb.DuckDBPyConnection, forecasts: pd.DataFrame, *, run_id: str, project: str, frequency: str, level: float, made_at: datetime
) -> int:
    """Append one run's forecasts (the caller owns the transaction); returns the rows written."""
    ensure_table(con)
    rows = pd.DataFrame({
        "run_id": run_id, "project": project, "series_id": forecasts["unique_id"].astype(str), "period": pd.to_datetime(forecasts["ds"]).dt.date,
        "frequency": frequency, "step": forecasts["step"].astype(int), "forecast": forecasts["forecast"], "lower": forecasts["lower"],
        "upper": forecasts["upper"], "level": level, "model": forecasts["model"], "made_at": made_at,
    })
    with registered(con, rows, "forecast_rows") as frame:
        con.execute(f"INSERT INTO ops.forecasts ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM {frame}")
    return len(rows)


def read_forecasts(con: duckdb.DuckDBPyConnection, project: str, run_id: str | None = None) -> pd.DataFrame:
    """The latest run's forecasts of `project` (or the given run's)."""
    ensure_table(con)
    if run_id is None:
        latest = con.execute("SELECT run_id FROM ops.forecasts WHERE project = ? ORDER BY made_at DESC LIMIT 1", [project]).fetchone()
        if latest is None:
            return pd.DataFrame(columns=list(COLUMNS))
        run_id = latest[0]
    return con.execute(f"SELECT {', '.join(COLUMNS)} FROM ops.forecasts WHERE project = ? AND run_id = ? ORDER BY series_id, period", [project, run_id]).df()
