"""Series from any table with a date column, a value column and optional series-id columns.

A table with one row per series and period keeps its own frequency (checked to be regular); a table
of events (many rows a period, or irregular dates) is summed per period, at the frequency asked for or
one chosen from how much history there is.
"""

from __future__ import annotations

import pandas as pd

from soloml.errors import ForecastError, did_you_mean
from soloml.forecasting.calendar import FREQUENCIES, NOUN, Coverage, Frequency, events_frequency, infer_frequency
from soloml.forecasting.series import SeriesSet, shape_buckets
from soloml.projects.recipes.table import describe, relation_sql
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

DATE_TYPES = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S")


def table_series(
    con: Connection,
    table: str,
    date_column: str,
    value_column: str,
    *,
    by: tuple[str, ...] = (),
    frequency: Frequency | None = None,
    agg: str = "sum",
) -> SeriesSet:
    """`value_column` per period of `date_column` (one series per value of the `by` columns)."""
    relation = relation_sql(table)
    columns = _columns(con, table)
    for role, column in (("date", date_column), ("value", value_column), *(("by", b) for b in by)):
        if column not in columns:
            raise ForecastError(
                f"{table} has no column '{column}' (the {role} column).{did_you_mean(column, columns)}",
                hint=f"Its columns: {', '.join(columns)}.",
            )
    date, value = quote_ident(date_column), quote_ident(value_column)
    when = _when(columns[date_column], date)
    _check_values(con, table, relation, columns, date_column, value_column, when)
    keys = [quote_ident(b) for b in by]
    span = con.execute(
        f"SELECT min({when}), max({when}), count(*), count(DISTINCT ({', '.join([*keys, when])})) FROM {relation} WHERE {when} IS NOT NULL"
    ).fetchone()
    if span is None or span[0] is None:
        raise ForecastError(f"{table}.{date_column} holds no dates.", hint="Pick the column that dates each row.")
    first, last, rows, distinct = span
    per_period = None
    notes = []
    if rows == distinct:  # at most one row per series and date: perhaps already one row per period
        dates = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT CAST({when} AS DATE) FROM {relation} WHERE {when} IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        per_period = infer_frequency(pd.to_datetime(dates))
    if per_period and frequency and FREQUENCIES.index(frequency) < FREQUENCIES.index(per_period):
        raise ForecastError(
            f"{table} holds one row per {NOUN[per_period]}: it cannot be forecast per {NOUN[frequency]}.",
            hint=f"Pass --frequency {per_period} (or coarser), or leave it out.",
        )
    events = per_period is None or (frequency is not None and frequency != per_period)
    if frequency is None:
        frequency = per_period or events_frequency(pd.Timestamp(first), pd.Timestamp(last))
        how = (
            f"the table has one row per {NOUN[frequency]}"
            if per_period
            else f"rows span {pd.Timestamp(first):%Y-%m-%d} to {pd.Timestamp(last):%Y-%m-%d}"
        )
        notes.append(f"Frequency: {NOUN[frequency]} ({how}; pass --frequency to choose).")
    func = "sum" if agg == "sum" else "avg"
    label_sql = (
        " || ' / ' || ".join(f"coalesce(CAST({k} AS VARCHAR), '(none)')" for k in keys)
        if keys
        else f"'{value_column.replace(chr(39), '')}'"
    )
    buckets = con.execute(
        f"SELECT {label_sql} AS unique_id, date_trunc('{frequency}', {when}) AS ds, {func}(TRY_CAST({value} AS DOUBLE)) AS y "
        f"FROM {relation} WHERE {when} IS NOT NULL GROUP BY ALL"
    ).df()
    buckets["ds"] = pd.to_datetime(buckets["ds"])
    buckets = buckets.dropna(subset=["y"])
    has_time = columns[date_column] != "DATE" and bool(
        con.execute(f"SELECT bool_or(CAST({when} AS TIME) <> TIME '00:00:00') FROM {relation}").fetchone()[0]
    )
    coverage = Coverage(pd.Timestamp(first), pd.Timestamp(last), has_time)
    return shape_buckets(
        buckets,
        frequency,
        events=events and agg == "sum",
        coverage=coverage if events else None,
        name=value_column,
        unit="value",
        source=table,
        by=tuple(by),
        notes=notes,
        additive=agg == "sum",
    )


def _columns(con: Connection, table: str) -> dict[str, str]:
    return dict(describe(con, table, what="table", error=ForecastError))


def _when(kind: str, date: str) -> str:
    if kind.startswith(DATE_TYPES):
        return f"CAST({date} AS TIMESTAMP)"
    return f"TRY_CAST({date} AS TIMESTAMP)"


def _check_values(
    con, table: str, relation: str, columns: dict[str, str], date_column: str, value_column: str, when: str
) -> None:
    """The first row whose date or value cannot be read stops the forecast, named with its row and value."""
    date, value = quote_ident(date_column), quote_ident(value_column)
    row = "_source_row" if "_source_row" in columns else "row_number() OVER ()"
    for column, bad in (
        (date_column, f"{date} IS NOT NULL AND {when} IS NULL"),
        (value_column, f"{value} IS NOT NULL AND TRY_CAST({value} AS DOUBLE) IS NULL"),
    ):
        found = con.execute(
            f"SELECT n, v FROM (SELECT {row} AS n, CAST({quote_ident(column)} AS VARCHAR) AS v, ({bad}) AS bad FROM {relation}) WHERE bad LIMIT 1"
        ).fetchone()
        if found:
            what = "a date" if column == date_column else "a number"
            raise ForecastError(
                f"Column '{column}' of {table} row {found[0]} is not {what}: got {found[1]!r}.",
                hint=f"Fix the row (or the column type) and run again; {'--date' if column == date_column else '--value'} must name a column of {what}s.",
            )
