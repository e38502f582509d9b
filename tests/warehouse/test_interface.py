"""The `Warehouse` interface, one suite over both warehouses: the same calls give the same answers on DuckDB and Postgres."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from soloml.warehouse import Warehouse, open_warehouse
from soloml.warehouse.postgres import PostgresWarehouse


@pytest.fixture(params=["duckdb", "postgres"])
def wh(request, tmp_path):
    if request.param == "duckdb":
        w = open_warehouse(tmp_path / "w.duckdb")
    else:
        w = open_warehouse(request.getfixturevalue("postgres_warehouse_url"))
        assert isinstance(w, PostgresWarehouse)
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


def test_tables_and_schemas_list_only_what_holds_tables(wh):
    assert wh.tables("raw") == [] and "raw" not in wh.schemas()
    wh.write_frame(pd.DataFrame({"x": [1]}), "raw.b", mode="create")
    wh.write_frame(pd.DataFrame({"x": [1]}), "raw.a", mode="create")
    assert wh.tables("raw") == ["raw.a", "raw.b"]
    assert wh.schemas() == ["ops", "raw"]
    assert set(wh.tables()) == {"raw.a", "raw.b", *wh.tables("ops")}


def test_written_frames_keep_types_nulls_and_empty_strings(wh):
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "name": ["", None],
            "amount": [1.5, None],
            "paid": [True, False],
            "paid_at": pd.to_datetime(["2024-01-01 01:02:03", "2024-02-01 00:00:00"]),
        }
    )
    assert wh.write_frame(frame, "raw.t", mode="create") == 2
    back = wh.read_frame("raw.t")
    assert list(back.columns) == ["id", "name", "amount", "paid", "paid_at"]
    assert back["id"].tolist() == [1, 2] and back["paid"].tolist() == [True, False]
    assert back["name"].tolist()[0] == "" and back["name"].isna().tolist() == [False, True]
    assert back["amount"].isna().tolist() == [False, True]
    assert back["paid_at"].tolist() == list(frame["paid_at"])
    arrow = wh.query_arrow("SELECT id, paid_at FROM raw.t ORDER BY id")
    assert str(arrow.schema.field("id").type) == "int64"
    assert pa.types.is_timestamp(arrow.schema.field("paid_at").type)  # DuckDB keeps pandas' ns, Postgres has us


def test_creating_a_table_that_exists_is_refused_and_keeps_its_rows(wh):
    wh.write_frame(pd.DataFrame({"x": [1]}), "raw.t", mode="create")
    with pytest.raises(Exception, match="(?i)already exists"):
        wh.write_frame(pd.DataFrame({"x": [2]}), "raw.t", mode="create")
    assert wh.query("SELECT x FROM raw.t") == [(1,)]
