"""The DuckDB warehouse behind the `Warehouse` interface a Postgres one will also implement."""

from __future__ import annotations

import pandas as pd
import pytest

from soloml.warehouse import Warehouse, open_warehouse


@pytest.fixture
def wh(tmp_path):
    w = open_warehouse(tmp_path / "w.duckdb")
    yield w
    w.close()


def test_it_is_a_warehouse_with_soloml_schemas(wh):
    assert isinstance(wh, Warehouse)
    assert "ops.runs" in wh.tables("ops") and wh.table_exists("ops.loads") and not wh.table_exists("ops.nothing")
    assert wh.tables("core") == []


def test_frames_go_in_and_come_out_by_name(wh):
    wh.write_frame(pd.DataFrame({"id": [1, 2], "name": ["a", "b"]}), "raw.people", mode="create")
    wh.write_frame(pd.DataFrame({"name": ["c"], "id": [3]}), "raw.people")  # append matches by name, not position
    assert wh.query("SELECT id, name FROM raw.people ORDER BY id") == [(1, "a"), (2, "b"), (3, "c")]
    assert wh.query_df("SELECT count(*) AS n FROM raw.people WHERE id > ?", [1])["n"].tolist() == [2]
    assert wh.query_arrow("SELECT name FROM raw.people ORDER BY id").column("name").to_pylist() == ["a", "b", "c"]
    wh.write_frame(pd.DataFrame({"id": [9]}), "raw.people", mode="replace")
    assert wh.read_frame("raw.people")["id"].tolist() == [9]
    assert "raw" in wh.schemas()


def test_a_transaction_that_raises_leaves_nothing(wh):
    wh.execute("CREATE TABLE raw.t (x INTEGER)")
    with pytest.raises(RuntimeError), wh.transaction():
        wh.execute("INSERT INTO raw.t VALUES (1)")
        raise RuntimeError("stop")
    with wh.transaction():
        wh.execute("INSERT INTO raw.t VALUES (2)")
    assert wh.query("SELECT x FROM raw.t") == [(2,)]
