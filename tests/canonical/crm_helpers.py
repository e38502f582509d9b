"""Helpers for the CRM, email and mapping adapter tests: load files through the real loader and query core.*."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import duckdb

from soloml.canonical.adapters.adapter_catalog import BUILT_IN, AdapterCatalog
from soloml.canonical.ingest import detect, route
from soloml.sources import LoadResult, load_paths

CRM = Path(__file__).parent / "fixtures" / "crm"


def load(
    con: duckdb.DuckDBPyConnection,
    path: Path | str,
    *,
    as_name: str | None = None,
    max_quarantine_share: float = 0.05,
    catalog: AdapterCatalog = BUILT_IN,
) -> LoadResult:
    """Load one file as `soloml load` does (detector + router of `catalog`); a bare name is a file in fixtures/crm."""
    path = Path(path)
    if not path.is_absolute():
        path = CRM / path
    (result,) = load_paths(
        con,
        [path],
        as_name=as_name,
        detector=partial(detect, catalog=catalog),
        router=partial(route, catalog=catalog),
        max_quarantine_share=max_quarantine_share,
    )
    assert result.status in ("loaded", "unchanged"), result.message
    return result


def load_in_zone(con: duckdb.DuckDBPyConnection, path: Path, zone: str | None) -> LoadResult:
    """Load as `soloml load` does in a workspace whose settings say crm.timezone = `zone` (None: not set)."""
    from functools import partial

    (result,) = load_paths(con, [path], detector=detect, router=partial(route, crm_timezone=zone))
    return result


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def record(con: duckdb.DuckDBPyConnection, table: str, key: str, value: str, *, current: bool = True) -> dict:
    """The one row of core.<table> whose `key` is `value` (the current version for history tables)."""
    extra = " AND is_current" if current and table in ("contacts", "deals", "subscriptions") else ""
    cur = con.execute(f"SELECT * FROM core.{table} WHERE {key} = ?{extra}", [value])
    names = [d[0] for d in cur.description]
    found = cur.fetchall()
    assert len(found) == 1, f"{table}.{key}={value}: {len(found)} rows"
    return dict(zip(names, found[0], strict=True))


def route_text(con: duckdb.DuckDBPyConnection, path: Path | str) -> dict[str, int]:
    """Land a CSV with every column as text (no loader typing) and route it; for very wide synced tables."""
    import uuid

    import pandas as pd

    from soloml.sources.contracts import LandedTable
    from soloml.warehouse.names import column_names

    frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    headers = [str(h) for h in frame.columns]
    detection = detect(headers, frame, None)
    assert detection is not None, f"not detected: {path}"
    load_id = uuid.uuid4().hex[:12]
    frame.columns = column_names(headers)
    frame = frame.astype("string")
    frame["_load_id"] = load_id
    frame["_source_row"] = range(1, len(frame) + 1)
    con.register("_crm_landing", frame)
    con.execute(f"CREATE TABLE raw.{detection.name} AS SELECT * FROM _crm_landing")
    con.unregister("_crm_landing")
    landed = LandedTable(
        load_id=load_id,
        source=str(path),
        raw_table=f"raw.{detection.name}",
        detection=detection,
        headers=tuple(headers),
        columns=tuple(frame.columns[:-2]),
        rows_loaded=len(frame),
    )
    return route(con, landed)
