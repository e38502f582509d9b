"""Partitions written straight from the warehouse: a table's rows as Parquet by entity shard, never as one pandas frame.

DuckDB writes them itself (`COPY (...) TO folder (FORMAT PARQUET, PARTITION_BY (shard))`). On Postgres the
rows come through a server-side cursor in chunks of CHUNK_ROWS; each chunk is split by shard and appended
to that shard's Parquet file with pyarrow, so this process holds one chunk at a time. The shard is
`partitions.shard_sql` on both, the same rule as `partitions.entity_shards` in Python (tested).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from soloml.engines.partitions import SHARD_COLUMN, digest_sql, shard_sql
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.postgres_connection import PostgresConnection

CHUNK_ROWS = 100_000  # rows held in this process at a time when reading from Postgres
DIGEST = "__soloml_md5"


@dataclass(frozen=True)
class WrittenParts:
    """A folder of Parquet partitions (`shard=N/...`) and how many rows went into it."""

    folder: Path
    rows: int
    files: tuple[Path, ...]


def partition_query(relation: str, columns: list[str], *, entity: str, shards: int, where: str = "") -> str:
    """The SELECT of `columns` and their shard over `relation` (`where` a condition, '' for every row)."""
    picked = ", ".join(quote_ident(c) for c in columns)
    condition = f" WHERE {where}" if where else ""
    return (
        f"SELECT {picked}, {shard_sql(DIGEST, shards)} AS {SHARD_COLUMN} "
        f"FROM (SELECT *, {digest_sql(quote_ident(entity))} AS {DIGEST} FROM {relation}{condition}) t"
    )


def write_from_warehouse(
    con: Any,
    relation: str,
    columns: list[str],
    *,
    entity: str,
    shards: int,
    folder: Path,
    where: str = "",
    chunk_rows: int = CHUNK_ROWS,
) -> WrittenParts:
    """`columns` of `relation`'s rows (those meeting `where`) as Parquet partitions by the shard of `entity`."""
    query = partition_query(relation, columns, entity=entity, shards=shards, where=where)
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(con, PostgresConnection):
        rows = _from_postgres(con, query, folder, chunk_rows)
    else:
        target = str(folder).replace("'", "''")
        con.execute(
            f"COPY ({query}) TO '{target}' (FORMAT PARQUET, PARTITION_BY ({SHARD_COLUMN}), OVERWRITE_OR_IGNORE)"
        )
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in folder.rglob("*.parquet"))
    return WrittenParts(folder, int(rows), tuple(sorted(folder.rglob("*.parquet"))))


def _from_postgres(con: PostgresConnection, query: str, folder: Path, chunk_rows: int) -> int:
    """A server-side cursor read `chunk_rows` at a time, each chunk appended to its shards' files."""
    from soloml.warehouse.postgres_frames import arrow_of

    writers: dict[int, pq.ParquetWriter] = {}
    rows = 0
    raw = con._con  # the psycopg connection: a named (server-side) cursor lives in a transaction of its own
    try:
        with raw.transaction(), raw.cursor(name=f"soloml_parts_{secrets.token_hex(4)}") as cursor:
            cursor.execute(query)
            while chunk := cursor.fetchmany(chunk_rows):
                table = arrow_of(cursor.description, chunk)
                rows += table.num_rows
                shard_values = table.column(SHARD_COLUMN)
                for shard in pc.unique(shard_values).to_pylist():
                    part = table.filter(pc.equal(shard_values, shard)).drop_columns([SHARD_COLUMN])
                    writer = writers.get(shard)
                    if writer is None:
                        (folder / f"{SHARD_COLUMN}={shard}").mkdir(parents=True, exist_ok=True)
                        writer = pq.ParquetWriter(folder / f"{SHARD_COLUMN}={shard}" / "data_0.parquet", part.schema)
                        writers[shard] = writer
                    writer.write_table(part.cast(writer.schema))
    finally:
        for writer in writers.values():
            writer.close()
    return rows


def read_parts(parts: WrittenParts) -> pa.Table:
    """Every partition back as one Arrow table (tests and small sets only)."""
    return pa.concat_tables([pq.read_table(p) for p in parts.files]) if parts.files else pa.table({})
