"""Rows as Parquet partitions by entity shard: the form in which Dask workers read a training or scoring set.

Every row of an entity lands in the same shard, so a shard is a whole set of entities and the split is the
same on every run. The shard comes from an md5 of the entity id's text, computed alike in Python
(`entity_shards`) and in SQL (`shard_sql`, the same expression on DuckDB and Postgres: md5, substr and
strpos only), so a set written from a frame and one written straight from the warehouse split the same way.
The same digest, other digits, picks a deterministic sample of whole entities (`in_sample`, `sample_sql`).

Files are `part-00000.parquet`, ... (from a frame) or `shard=N/*.parquet` (from the warehouse); a folder
holds exactly one set and is removed by whoever wrote it.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROWS_PER_SHARD = 500_000  # a partition a worker reads and bins comfortably
DIGITS = 7  # hex digits of the md5 per key: 28 bits, an integer on every warehouse
SAMPLE_SCALE = 16**DIGITS
SHARD_COLUMN = "shard"


def shard_count(rows: int, workers: int) -> int:
    """At least one shard per worker (LightGBM's Dask interface trains on every worker holding data), more for big sets."""
    return max(1, workers, math.ceil(rows / ROWS_PER_SHARD))


def _digest(entity_id: object) -> str:
    return hashlib.md5(str(entity_id).encode()).hexdigest()


def entity_shards(entity_ids: pd.Series, shards: int) -> pd.Series:
    """The shard (0..shards-1) of every row: the md5 of its entity id's text, first 7 hex digits, modulo `shards`."""
    values = [int(_digest(v)[:DIGITS], 16) % shards for v in entity_ids.astype(str).tolist()]
    return pd.Series(values, dtype="int64")


def in_sample(entity_ids: pd.Series, share: float) -> pd.Series:
    """True for the rows of the entities in a deterministic `share` of them (md5 digits 8-14, apart from the shard's)."""
    cut = sample_cut(share)
    return pd.Series([int(_digest(v)[DIGITS : 2 * DIGITS], 16) < cut for v in entity_ids.astype(str).tolist()])


def sample_cut(share: float) -> int:
    return int(max(0.0, min(1.0, share)) * SAMPLE_SCALE)


def _hex_number(digest: str, start: int) -> str:
    """SQL: the integer of hex digits start..start+6 of `digest` (a column of md5 text), built digit by digit."""
    value = "0"
    for k in range(start, start + DIGITS):
        value = f"({value} * 16 + strpos('0123456789abcdef', substr({digest}, {k}, 1)) - 1)"
    return value


def digest_sql(entity: str) -> str:
    """SQL: the md5 text of an entity id column, as `_digest` computes it in Python."""
    return f"md5(CAST({entity} AS VARCHAR))"


def shard_sql(digest: str, shards: int) -> str:
    """SQL over a column of md5 text: the same shard as `entity_shards` (DuckDB and Postgres alike)."""
    return f"({_hex_number(digest, 1)} % {int(shards)})"


def sample_sql(digest: str, share: float) -> str:
    """SQL over a column of md5 text: true for the rows `in_sample` keeps."""
    return f"({_hex_number(digest, DIGITS + 1)} < {sample_cut(share)})"


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
