"""The Dask engine: LightGBM's own distributed training (`lightgbm.dask`) and partition-wise scoring on a Dask cluster.

    soloml train churn --engine dask --scheduler tcp://10.0.0.5:8786
    soloml score churn --engine dask                       # a LocalCluster of local processes on 127.0.0.1

`DaskEngine` is the two halves on one client: training (engines/dask_train.py: the saved model's refit on
every row runs on the cluster, from Parquet partitions by entity shard) and scoring (engines/dask_score.py:
every worker predicts its partitions; nothing is published unless every partition comes back), over the client
and staging folder they share (engines/dask_cluster.py). Workers must see the staging folder: local processes
do; on several machines it must be a shared folder (docs/scale.md). The names other modules use are importable
from here.
"""

from __future__ import annotations

from soloml.engines.dask_cluster import CONNECT_TIMEOUT, LOCAL_WORKERS, DaskCluster, dask_modules
from soloml.engines.dask_score import ROW_COLUMN, DaskScoring, predict_partition, score_partition
from soloml.engines.dask_train import LABEL_COLUMN, WEIGHT_COLUMN, DaskTraining, prepare_partition

__all__ = [
    "CONNECT_TIMEOUT",
    "LABEL_COLUMN",
    "LOCAL_WORKERS",
    "ROW_COLUMN",
    "WEIGHT_COLUMN",
    "DaskCluster",
    "DaskEngine",
    "dask_modules",
    "predict_partition",
    "prepare_partition",
    "score_partition",
]


class DaskEngine(DaskTraining, DaskScoring):
    """A `distributed.Client` (to --scheduler ADDRESS, or to a LocalCluster it started) and a staging folder for
    partitions; trains (DaskTraining) and scores (DaskScoring) on that cluster."""
