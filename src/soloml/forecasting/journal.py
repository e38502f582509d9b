"""`ops.forecasts`: every forecast made, one row per series and period, so monitoring can set actuals beside them.

Its schema lives in warehouse/ops.py with every other ops table; this module writes and reads it, by column name.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from soloml.warehouse import ops
from soloml.warehouse.base import Connection

COLUMNS = ops.table("forecasts").names  # the schema is warehouse/ops.py's, with every other ops table


def ensure_table(con: Connection) -> None:
    """For a connection not opened by `warehouse.connect` (which creates every ops table)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS ops")
    con.execute(ops.table("forecasts").ddl())


def write_forecasts(
    con: Connection,
    forecasts: pd.DataFrame,
    *,
    run_id: str,
    project: str,
    frequency: str,
    level: float,
    made_at: datetime,
) -> int:
    """Append one run's forecasts (the caller owns the transaction); returns the rows written."""
    ensure_table(con)
    rows = pd.DataFrame(
        {
            "run_id": run_id,
            "project": project,
            "series_id": forecasts["unique_id"].astype(str),
            "period": pd.to_datetime(forecasts["ds"]).dt.date,
            "frequency": frequency,
            "step": forecasts["step"].astype(int),
            "forecast": forecasts["forecast"],
            "lower": forecasts["lower"],
            "upper": forecasts["upper"],
            "level": level,
            "model": forecasts["model"],
            "made_at": made_at,
        }
    )
    return ops.insert_frame(con, "forecasts", rows)


def read_forecasts(con: Connection, project: str, run_id: str | None = None) -> pd.DataFrame:
    """The latest run's forecasts of `project` (or the given run's)."""
    ensure_table(con)
    if run_id is None:
        latest = con.execute(
            "SELECT run_id FROM ops.forecasts WHERE project = ? ORDER BY made_at DESC LIMIT 1", [project]
        ).fetchone()
        if latest is None:
            return pd.DataFrame(columns=list(COLUMNS))
        run_id = latest[0]
    return con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM ops.forecasts WHERE project = ? AND run_id = ? ORDER BY series_id, period",
        [project, run_id],
    ).df()


def project_forecasts(con: Connection, project: str) -> pd.DataFrame:
    """Every stored forecast row of `project`, every run, oldest first (monitoring sets actuals beside them)."""
    ensure_table(con)
    return con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM ops.forecasts WHERE project = ? ORDER BY made_at, series_id, period",
        [project],
    ).df()
