"""Partitions straight from the warehouse: the same entity -> shard rule in Python, DuckDB and Postgres, every row written once."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from soloml.engines import warehouse_parts
from soloml.engines.partitions import entity_shards, in_sample, sample_sql
from soloml.engines.warehouse_parts import read_parts, write_from_warehouse

IDS = [f"cust_{i}" for i in range(300)] + [str(i) for i in range(200)] + ["ünïcode é", "o'brien"]


def _rows() -> pd.DataFrame:
    ids = pd.Series(IDS * 3)
    return pd.DataFrame({"entity_id": ids, "x": np.arange(len(ids), dtype=np.float64), "k": ids.str.len()})


def _shards_of(parts) -> dict[str, int]:
    """entity -> shard, read back from each partition's folder name (shard=N)."""
    out: dict[str, set[int]] = {}
    for path in parts.files:
        shard = int(path.parent.name.split("=")[1])
        for entity in pq.read_table(path).column("entity_id").to_pylist():
            out.setdefault(entity, set()).add(shard)
    assert all(len(s) == 1 for s in out.values()), "an entity split across shards"
    return {e: s.pop() for e, s in out.items()}


def _python_shards(shards: int) -> dict[str, int]:
    return dict(zip(IDS, entity_shards(pd.Series(IDS), shards).tolist(), strict=True))


def _check_sample(con) -> None:
    digest = warehouse_parts.DIGEST
    sql = (
        f"SELECT entity_id FROM (SELECT entity_id, md5(CAST(entity_id AS VARCHAR)) AS {digest} FROM ids) t "
        f"WHERE {sample_sql(digest, 0.3)}"
    )
    in_sql = {r[0] for r in con.execute(sql).fetchall()}
    kept = in_sample(pd.Series(IDS), 0.3)
    assert in_sql == {e for e, k in zip(IDS, kept, strict=True) if k}
    assert 0.2 < len(in_sql) / len(IDS) < 0.4


def test_duckdb_writes_every_row_by_the_python_shard_rule_without_a_frame(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    frame = _rows()  # noqa: F841 - read by DuckDB
    con.execute("CREATE TABLE t AS SELECT * FROM frame")
    con.execute("CREATE TABLE ids AS SELECT DISTINCT entity_id FROM frame")
    parts = write_from_warehouse(con, "t", ["entity_id", "x"], entity="entity_id", shards=4, folder=tmp_path / "p")
    assert parts.rows == len(IDS) * 3
    assert sorted(read_parts(parts).column("x").to_pylist()) == list(range(len(IDS) * 3))
    assert _shards_of(parts) == _python_shards(4)
    _check_sample(con)


def test_postgres_writes_the_same_shards_in_bounded_chunks(tmp_path, postgres_warehouse_url):
    from soloml.warehouse.postgres_connection import PostgresConnection

    con = PostgresConnection(postgres_warehouse_url)
    try:
        con.execute("CREATE TABLE t (entity_id VARCHAR, x DOUBLE PRECISION, k BIGINT)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", _rows().itertuples(index=False, name=None))
        con.execute("CREATE TABLE ids AS SELECT DISTINCT entity_id FROM t")
        parts = write_from_warehouse(
            con, "t", ["entity_id", "x", "k"], entity="entity_id", shards=4, folder=tmp_path / "p", chunk_rows=97
        )  # many chunks: each appends to its shards' files
        assert parts.rows == len(IDS) * 3
        back = read_parts(parts)
        assert sorted(back.column("x").to_pylist()) == list(range(len(IDS) * 3))
        assert str(back.schema.field("k").type) == "int64"
        assert _shards_of(parts) == _python_shards(4)
        _check_sample(con)
    finally:
        con.close()
