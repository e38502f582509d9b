"""Land a file in raw.* the way the loader does (text columns, snake_case names, _load_id, _source_row), then route it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import duckdb
import pandas as pd

from soloml.canonical.ingest import detect, route
from soloml.sources.contracts import LandedTable
from soloml.warehouse.names import column_names

FIXTURES = Path(__file__).parent / "fixtures"


def land(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, as_name: str | None = None, load_id: str | None = None) -> LandedTable:
    """Create/extend raw.<detected name> with `frame` (all text) for one load; returns what the loader hands to route."""
    headers = [str(h) for h in frame.columns]
    detection = detect(headers, frame.head(1000), as_name)
    assert detection is not None, f"not detected: {headers}"
    load_id = load_id or uuid.uuid4().hex[:12]
    columns = column_names(headers)
    data = frame.copy()
    data.columns = columns
    data = data.astype("string")
    data["_load_id"] = load_id
    data["_source_row"] = range(1, len(data) + 1)
    raw = f"raw.{detection.name}"
    con.register("_landing", data)
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [detection.name]
    ).fetchone()[0]
    if exists:
        con.execute(f"INSERT INTO {raw} BY NAME SELECT * FROM _landing")
    else:
        con.execute(f"CREATE TABLE {raw} AS SELECT * FROM _landing")
    con.unregister("_landing")
    return LandedTable(load_id=load_id, source="test", raw_table=raw, detection=detection, headers=tuple(headers),
                       columns=tuple(columns), rows_loaded=len(data))


def read(path: Path | str) -> pd.DataFrame:
    """A CSV as text (empty cells None), or a JSON array of objects with nested values as JSON text."""
    path = Path(path)
    if path.suffix == ".json":
        objects = json.loads(path.read_text(encoding="utf-8"))
        rows = [{k: (json.dumps(val) if isinstance(val, dict | list) else val) for k, val in o.items()} for o in objects]
        return pd.DataFrame(rows).astype("string")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").replace("", None)


def load_frame(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, **kw) -> dict[str, int]:
    return route(con, land(con, frame, **kw))


def load_fixture(con: duckdb.DuckDBPyConnection, name: str, **kw) -> dict[str, int]:
    return load_frame(con, read(FIXTURES / name), **kw)
