"""Frames in and out of Postgres for the Postgres warehouse: a pandas/Arrow frame into a table by `COPY ... FROM
STDIN (FORMAT csv)`, and a result's rows out as Arrow/pandas with the types DuckDB would give them.

In: the frame becomes Arrow, each column gets the Postgres type DuckDB's `register` would give it (BIGINT for
int64, DOUBLE PRECISION, TIMESTAMP, DATE, BOOLEAN, TEXT; nested values as JSONB text) and the rows are streamed
as CSV in batches, never one INSERT per row. Arrow's CSV writer quotes every string and leaves NULL unquoted,
which is exactly how Postgres tells an empty string from NULL.

Out: rows arrive as Python values (psycopg), typed by the column's Postgres type, so a column that is all NULL
still has its type; NUMERIC becomes float in pandas, as DuckDB's DECIMAL does.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from soloml.errors import WarehouseError
from soloml.sql_quoting import quote_ident

BATCH_ROWS = 65_536


def as_arrow(frame: Any) -> pa.Table:
    """A pandas DataFrame or Arrow table/batch as an Arrow table (pandas' index is not a column)."""
    if isinstance(frame, pa.Table):
        return frame
    if isinstance(frame, pa.RecordBatch):
        return pa.Table.from_batches([frame])
    if isinstance(frame, pd.DataFrame):
        try:
            return pa.Table.from_pandas(frame, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            # mixed Python objects in a column (dicts, lists, numbers and strings): each such column as JSON text
            fixed = frame.copy()
            for name in fixed.columns:
                if fixed[name].dtype == object:
                    fixed[name] = [_json_text(v) for v in fixed[name]]
            return pa.Table.from_pandas(fixed, preserve_index=False)
    raise WarehouseError(
        f"Cannot write a {type(frame).__name__} to the Postgres warehouse.",
        hint="Pass a pandas DataFrame or a pyarrow Table.",
    )


def _json_text(value: Any) -> Any:
    if value is None or isinstance(value, str) or (isinstance(value, float) and value != value):
        return None if value is not None and not isinstance(value, str) else value
    return json.dumps(value, default=str)


def pg_type(t: pa.DataType) -> str:
    """The Postgres type of an Arrow type, as DuckDB's register would type it."""
    if pa.types.is_dictionary(t):
        return pg_type(t.value_type)
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint8(t):
        return "SMALLINT"
    if pa.types.is_int32(t) or pa.types.is_uint16(t):
        return "INTEGER"
    if pa.types.is_int64(t) or pa.types.is_uint32(t):
        return "BIGINT"
    if pa.types.is_uint64(t):
        return "NUMERIC(20,0)"
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return "REAL"
    if pa.types.is_float64(t):
        return "DOUBLE PRECISION"
    if pa.types.is_decimal(t):
        return f"NUMERIC({t.precision},{t.scale})"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    if pa.types.is_date(t):
        return "DATE"
    if pa.types.is_time(t):
        return "TIME"
    if pa.types.is_duration(t):
        return "INTERVAL"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "BYTEA"
    if pa.types.is_nested(t):
        return "JSONB"
    return "TEXT"  # strings, and a column of only NULLs


def _csv_ready(column: pa.ChunkedArray) -> pa.ChunkedArray | pa.Array:
    """A column as something Arrow's CSV writer writes in the text form Postgres reads for its `pg_type`."""
    t = column.type
    if pa.types.is_dictionary(t):
        return _csv_ready(column.cast(t.value_type))
    if pa.types.is_timestamp(t) and t.unit == "ns":
        return column.cast(pa.timestamp("us", t.tz), safe=False)  # Postgres keeps microseconds, as DuckDB does
    if pa.types.is_time(t) and t.unit == "ns":
        return column.cast(pa.time64("us"), safe=False)
    if pa.types.is_duration(t):
        micros = column.cast(pa.duration("us"), safe=False).cast(pa.int64())
        return pa.array([None if v is None else f"{v} microseconds" for v in micros.to_pylist()], pa.string())
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return pa.array([None if v is None else "\\x" + v.hex() for v in column.to_pylist()], pa.string())
    if pa.types.is_nested(t):
        return pa.array([None if v is None else json.dumps(v, default=str) for v in column.to_pylist()], pa.string())
    if pa.types.is_null(t):
        return column.cast(pa.string())
    return column


def create_sql(table: pa.Table, target: str, *, temporary: bool = False) -> str:
    """CREATE [TEMP] TABLE `target` with a column for each of the frame's, typed by `pg_type`."""
    cols = ", ".join(
        f"{quote_ident(n)} {pg_type(t)}" for n, t in zip(table.column_names, table.schema.types, strict=True)
    )
    return f"CREATE {'TEMP ' if temporary else ''}TABLE {target} ({cols})"


def csv_chunks(table: pa.Table) -> Iterator[bytes]:
    """The frame's rows as CSV (no header) in batches of BATCH_ROWS."""
    ready = pa.table({n: _csv_ready(table.column(n)) for n in table.column_names}) if table.num_columns else table
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed")
    for batch in ready.to_batches(max_chunksize=BATCH_ROWS):
        buffer = io.BytesIO()
        pcsv.write_csv(batch, buffer, options)
        yield buffer.getvalue()


def copy_into(cursor: Any, table: pa.Table, target: str, columns: Sequence[str] | None = None) -> int:
    """COPY the frame's rows into `target` (its columns named `columns`, the frame's own by default)."""
    if table.num_rows == 0:
        return 0
    names = ", ".join(quote_ident(n) for n in (columns or table.column_names))
    with cursor.copy(f"COPY {target} ({names}) FROM STDIN (FORMAT csv)") as copy:
        for chunk in csv_chunks(table):
            copy.write(chunk)
    return table.num_rows


# ---- out: a result's rows as Arrow / pandas -------------------------------------------------------------------

_ARROW_OF_OID: dict[int, pa.DataType] = {
    16: pa.bool_(),
    21: pa.int16(),
    23: pa.int32(),
    20: pa.int64(),
    26: pa.int64(),
    700: pa.float32(),
    701: pa.float64(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1083: pa.time64("us"),
    17: pa.binary(),
    1186: pa.duration("us"),
}
_NUMERIC = 1700
_TIMESTAMPTZ = 1184


def arrow_of(description: Sequence[Any] | None, rows: Sequence[Sequence[Any]]) -> pa.Table:
    """Rows fetched by psycopg as an Arrow table typed by each column's Postgres type (text for the rest)."""
    arrays, names = [], []
    for i, col in enumerate(description or []):
        values = [row[i] for row in rows]
        arrays.append(_array(col, values))
        names.append(col.name)
    return pa.table(arrays, names=names) if names else pa.table({})


def _array(col: Any, values: list[Any]) -> pa.Array:
    oid = col.type_code
    if oid == _NUMERIC:
        if col.precision is not None and col.scale is not None and col.precision <= 38:
            return pa.array(values, pa.decimal128(col.precision, col.scale))
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    if oid == _TIMESTAMPTZ:
        return pa.array(values, pa.timestamp("us", tz="UTC"))
    if oid in _ARROW_OF_OID:
        return pa.array(values, _ARROW_OF_OID[oid])
    if any(v is not None and not isinstance(v, str) for v in values):
        return pa.array(values)  # uuid, arrays...: Arrow infers, or says why not
    return pa.array(values, pa.string())


def pandas_of(table: pa.Table) -> pd.DataFrame:
    """An Arrow result as pandas the way DuckDB's .df() gives it: DECIMAL as float, DATE as datetime64[us],
    an integer or boolean column with NULLs as pandas' nullable Int/boolean."""
    columns: dict[str, Any] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        t = column.type
        if pa.types.is_decimal(t):
            column = column.cast(pa.float64())
        elif pa.types.is_date(t):
            column = column.cast(pa.timestamp("us"))
        series = column.to_pandas()
        if column.null_count and (pa.types.is_integer(t) or pa.types.is_boolean(t)):
            nullable = {"bool": "boolean"}.get(str(t), str(t).replace("int", "Int").replace("uInt", "UInt"))
            series = pd.array(column.to_pylist(), dtype=nullable)
        columns[name] = series
    return pd.DataFrame(columns, columns=list(table.column_names))
