"""Rows as Parquet partitions by entity shard: the form in which Dask workers read a training or scoring set.

Every row of an entity lands in the same shard (a stable hash of its id), so a shard is a whole set of
entities and the split is the same on every run. Files are `part-00000.parquet`, ...; a folder holds
exactly one set and is removed by whoever wrote it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROWS_PER_SHARD = 500_000  # a partition a worker reads and bins comfortably


def shard_count(rows: int, workers: int) -> int:
    """At least one shard per worker (LightGBM's Dask interface trains on every worker holding data), more for big sets."""
    return max(1, workers, math.ceil(rows / ROWS_PER_SHARD))


def entity_shards(entity_ids: pd.Series, shards: int) -> pd.Series:
    """The shard (0..shards-1) of every row: a stable hash of its entity id."""
    hashed = pd.util.hash_pandas_object(entity_ids.astype(str).reset_index(drop=True), index=False)
    return (hashed % shards).astype("int64")


def write_partitions(frame: pd.DataFrame, shard: pd.Series, folder: Path) -> list[Path]:
    """One Parquet file per non-empty shard of `frame` (rows aligned with `shard`), in shard order; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = frame.reset_index(drop=True)
    codes = shard.reset_index(drop=True).to_numpy()
    paths = []
    for i in sorted(set(codes.tolist())):
        part = frame.loc[codes == i]
        path = folder / f"part-{i:05d}.parquet"
        pq.write_table(pa.Table.from_pandas(part, preserve_index=False), path)
        paths.append(path)
    return paths
