"""Load files the way `soloml load` does (the real loader, with the canonical detector and router), or land
a frame as all-text raw rows to prove adapters do not depend on the loader's typing."""

from __future__ import annotations

import json
import uuid
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd

from soloml.canonical.adapters.adapter_catalog import BUILT_IN, AdapterCatalog
from soloml.canonical.ingest import detect, route
from soloml.sources import LoadResult, load_paths
from soloml.sources.contracts import LandedTable
from soloml.warehouse.names import column_names

FIXTURES = Path(__file__).parent / "fixtures"


def load(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    as_name: str | None = None,
    max_quarantine_share: float = 1.0,
    catalog: AdapterCatalog = BUILT_IN,
) -> LoadResult:
    """Load one file through the real loader with canonical routing; a bare name is a fixture.

    The fixtures are a handful of rows, so one bad row is far above the default 5% limit; these tests
    look at what is quarantined, so they allow any share unless told otherwise.
    """
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = FIXTURES / path
    (result,) = load_paths(
        con,
        [path],
        as_name=as_name,
        detector=partial(detect, catalog=catalog),
        router=partial(route, catalog=catalog),
        max_quarantine_share=max_quarantine_share,
    )
    return result


def write_csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text.lstrip("\n"), encoding="utf-8")
    return path


def read(path: Path | str) -> pd.DataFrame:
    """A CSV as text (empty cells None), or a JSON array of objects with nested values as JSON text."""
    path = Path(path)
    if not path.is_absolute() and not path.exists():
        path = FIXTURES / path
    if path.suffix == ".json":
        objects = json.loads(path.read_text(encoding="utf-8"))
        rows = [
            {k: (json.dumps(val) if isinstance(val, dict | list) else val) for k, val in o.items()} for o in objects
        ]
        return pd.DataFrame(rows).astype("string")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").replace("", None)


def route_as_text(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, catalog: AdapterCatalog = BUILT_IN
) -> dict[str, int]:
    """Land `frame` with every column VARCHAR (as a loader that types nothing would) and route it."""
    headers = [str(h) for h in frame.columns]
    detection = detect(headers, frame.head(1000), None, catalog=catalog)
    assert detection is not None, f"not detected: {headers}"
    load_id = uuid.uuid4().hex[:12]
    columns = column_names(headers)
    data = frame.copy()
    data.columns = columns
    data = data.astype("string")
    data["_load_id"] = load_id
    data["_source_row"] = range(1, len(data) + 1)
    con.register("_landing", data)
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = ?", [detection.name]
    ).fetchone()[0]
    if exists:
        con.execute(f"INSERT INTO raw.{detection.name} BY NAME SELECT * FROM _landing")
    else:
        con.execute(f"CREATE TABLE raw.{detection.name} AS SELECT * FROM _landing")
    con.unregister("_landing")
    landed = LandedTable(
        load_id=load_id,
        source="test",
        raw_table=f"raw.{detection.name}",
        detection=detection,
        headers=tuple(headers),
        columns=tuple(columns),
        rows_loaded=len(data),
    )
    return route(con, landed, catalog=catalog)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def warehouse_with(tmp_path_factory, *files: Path | str) -> tuple[duckdb.DuckDBPyConnection, dict[str, LoadResult]]:
    """A fresh warehouse file with `files` loaded in order (for a module of read-only assertions)."""
    from soloml.warehouse import connect

    con = connect(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")
    results = {Path(f).name: load(con, f) for f in files}
    return con, results
