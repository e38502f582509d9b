"""Scoring on the Dask engine: partition-wise prediction on the workers, via Parquet in the staging folder.

`score_table`: the population's feature rows, built by the warehouse into a table, are written as Parquet
partitions by the warehouse itself (warehouse_parts); every worker types, encodes and predicts its partitions
with the model's text and writes entity ids and predictions as Parquet to the staging folder; only when every
partition is back does soloml.deploy rank and publish them. `predict` does the same for a matrix already in
this process. A worker that dies leaves nothing published (a DeployError in words): the previous predictions
stay in force.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml.crashpoints import pause_at
from soloml.engines.dask_cluster import DaskCluster, dask_modules
from soloml.engines.partitions import SHARD_COLUMN, entity_shards, shard_count, write_partitions
from soloml.errors import DeployError

ROW_COLUMN = "__soloml_row"


class DaskScoring(DaskCluster):
    """The scoring half of DaskEngine: `predict` for a matrix in this process, `score_table` for a warehouse table."""

    def predict(self, booster: Any, X: np.ndarray, entity_ids: pd.Series) -> np.ndarray:
        """Partition-wise prediction on the workers, via Parquet in the staging folder; raises DeployError if any part fails."""
        _, distributed, _ = dask_modules()
        folder = self.scratch_folder("score")
        token = folder.name.rpartition("-")[2]  # the owner token: a key no other run uses
        columns = [f"f{j}" for j in range(X.shape[1])]
        frame = pd.DataFrame(X, columns=columns).assign(**{ROW_COLUMN: np.arange(len(X), dtype=np.int64)})
        try:
            inputs = write_partitions(
                frame, entity_shards(entity_ids, shard_count(len(X), self.workers())), folder / "in"
            )
            (folder / "out").mkdir(parents=True)
            model_text = booster.model_to_string()
            futures = [
                self.client.submit(
                    predict_partition,
                    model_text,
                    str(path),
                    str(folder / "out" / path.name),
                    i,
                    key=f"soloml-score-part-{i}-{token}",
                    pure=False,
                )
                for i, path in enumerate(inputs)
            ]
            outputs = self._gather(futures, distributed)
            parts = pd.concat([pd.read_parquet(p) for p in outputs], ignore_index=True).sort_values(ROW_COLUMN)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if len(parts) != len(X) or not np.array_equal(parts[ROW_COLUMN].to_numpy(), np.arange(len(X))):
            raise DeployError(
                f"Scoring on the Dask cluster returned {len(parts):,} predictions for {len(X):,} rows.",
                hint="Nothing was replaced: the previous predictions stay in force. Re-run `soloml score`.",
            )
        values = parts.drop(columns=ROW_COLUMN).to_numpy(dtype=np.float64)
        return values[:, 0] if values.shape[1] == 1 else values

    def _gather(self, futures: list[Any], distributed: Any) -> list[Any]:
        """Every scoring part's result; a dead worker (KilledWorker) or a lost connection as a DeployError in words."""
        try:
            return list(self.client.gather(futures))
        except Exception as exc:  # noqa: BLE001 - a dead worker (KilledWorker), a lost connection: in words
            self.client.cancel(futures)
            raise DeployError(
                f"Scoring on the Dask cluster failed: {_why(exc, distributed)}. Nothing was replaced: the previous predictions stay in force.",
                hint="Check the workers (memory, logs), then re-run `soloml score` (or score with --engine local).",
            ) from exc

    def score_table(
        self, con: Any, model: Any, table: str, query: Any, *, matrix: Any, features_file: Path
    ) -> tuple[pd.Series, np.ndarray]:
        """Entity ids and raw predictions for every row of the warehouse table `table` (built by
        features.build_scoring_table from `query`): the warehouse writes it as partitions by entity shard
        (warehouse_parts), each worker types and encodes its partitions as this process would
        (frame_sql.to_frame, then `matrix`: deploy.frame.feature_matrix, passed in) and predicts them. Only the ids and predictions come
        back; the feature rows are streamed, one partition at a time, into `features_file` (the serve look-up).
        Raises DeployError if any partition fails: nothing is published then."""
        from soloml.engines.warehouse_parts import write_from_warehouse

        _, distributed, _ = dask_modules()
        folder = self.scratch_folder("score")
        token = folder.name.rpartition("-")[2]  # the owner token: a key no other run uses
        columns = ["entity_id", "cutoff", *query.features]
        (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        try:
            parts = write_from_warehouse(
                con,
                table,
                columns,
                entity="entity_id",
                shards=shard_count(int(rows), self.workers()),
                folder=folder / "in",
            )
            pause_at("dask.score.staged")  # where a crash test kills this process, its partitions written
            (folder / "out").mkdir(parents=True)
            model_text = model.booster.model_to_string()
            typing = (tuple(query.features), tuple(query.categorical))
            futures = [
                self.client.submit(
                    score_partition,
                    model_text,
                    model.signature,
                    matrix,
                    typing,
                    str(path),
                    str(folder / "out" / f"part-{i:05d}.parquet"),
                    i,
                    key=f"soloml-score-part-{i}-{token}",
                    pure=False,
                )
                for i, path in enumerate(parts.files)
            ]
            outputs = self._gather(futures, distributed)
            _concat_parquet(parts.files, features_file)
            back = pd.concat([pd.read_parquet(p) for p in outputs], ignore_index=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if len(back) != parts.rows:
            raise DeployError(
                f"Scoring on the Dask cluster returned {len(back):,} predictions for {parts.rows:,} rows.",
                hint="Nothing was replaced: the previous predictions stay in force. Re-run `soloml score`.",
            )
        values = back.drop(columns="entity_id").to_numpy(dtype=np.float64)
        return back["entity_id"].astype(str), (values[:, 0] if values.shape[1] == 1 else values)


def score_partition(
    model_text: str,
    signature: Any,
    matrix: Any,
    typing: tuple[tuple[str, ...], tuple[str, ...]],
    source: str,
    target: str,
    index: int,
) -> str:
    """On a worker: one partition of the scoring table typed and encoded as in this process, predicted with the
    model's text; writes [entity_id, p0, p1...] as Parquet and returns the file."""
    from soloml.features.frame_sql import FrameQuery, to_frame

    pause_at(f"dask.partition.{index}")  # where a crash test kills this worker
    features, categorical = typing
    part = pd.read_parquet(source).drop(columns=[SHARD_COLUMN], errors="ignore")
    frame = to_frame(part, FrameQuery("", features, categorical, "binary", {}))
    X = matrix(signature, frame)
    raw = np.asarray(lgb.Booster(model_str=model_text).predict(X)).reshape(len(frame), -1)
    out = pd.DataFrame(raw, columns=[f"p{k}" for k in range(raw.shape[1])])
    out.insert(0, "entity_id", frame["entity_id"].to_numpy())
    out.to_parquet(target, index=False)
    return target


def _concat_parquet(files: tuple[Path, ...], target: Path) -> None:
    """The partition files as one Parquet file, one file in memory at a time (the shard column dropped)."""
    import pyarrow.parquet as pq

    writer = None
    try:
        for path in files:
            table = pq.read_table(path)
            table = table.drop_columns([c for c in (SHARD_COLUMN,) if c in table.column_names])
            if writer is None:
                writer = pq.ParquetWriter(target, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def predict_partition(model_text: str, source: str, target: str, index: int) -> str:
    """On a worker: predict one partition with the model's text, write [row, p0, p1...] as Parquet; returns the file."""
    pause_at(f"dask.partition.{index}")  # where a crash test kills this worker
    part = pd.read_parquet(source)
    rows = part.pop(ROW_COLUMN).to_numpy()
    raw = np.asarray(lgb.Booster(model_str=model_text).predict(part.to_numpy(dtype=np.float64)))
    raw = raw.reshape(len(part), -1)
    out = pd.DataFrame(raw, columns=[f"p{k}" for k in range(raw.shape[1])]).assign(**{ROW_COLUMN: rows})
    out.to_parquet(target, index=False)
    return target


def _why(exc: BaseException, distributed: Any) -> str:
    if isinstance(exc, distributed.KilledWorker):
        return f"a worker died while scoring ({exc.args[0] if exc.args else 'a partition'}; the scheduler stopped retrying it)"
    return f"{type(exc).__name__}: {exc}"
