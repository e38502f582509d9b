"""The Dask engine: LightGBM's own distributed training (`lightgbm.dask`) and partition-wise scoring on a Dask cluster.

    soloml train churn --engine dask --scheduler tcp://10.0.0.5:8786
    soloml score churn --engine dask                       # a LocalCluster of local processes on 127.0.0.1

Training: soloml.modeling validates, compares with the baselines and judges exactly as it does locally;
the model it saves (the refit on every row) is trained here: the rows are written as Parquet partitions
by entity shard, read by the workers, and fitted with DaskLGBMClassifier/Regressor. The booster is then
made the same as a local one (the category lists LightGBM keeps for pandas input, the calibration shift
for up-weighted rare positives) and saved as LightGBM text in the registry.

Scoring (`score_table`): the population's feature rows, built by the warehouse into a table, are written as
Parquet partitions by the warehouse itself (warehouse_parts); every worker types, encodes and predicts its
partitions with the model's text and writes entity ids and predictions as Parquet to the staging folder;
only when every partition is back does soloml.deploy rank and publish them (ops.predictions and every --to
target, each swapped in at once). `predict` does the same for a matrix already in this process.
A worker that dies leaves nothing published: the previous predictions stay in force. (The scheduler
retries a task whose worker died `distributed.scheduler.allowed-failures` times, 3 by default, before it
gives up.) Workers must see the staging folder: local processes do; on several machines it must be a
shared folder (docs/scale.md).
"""

from __future__ import annotations

import contextlib
import io
import math
import secrets
import shutil
import warnings
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml.crashpoints import pause_at
from soloml.engines.advice import memory_advice
from soloml.engines.partitions import SHARD_COLUMN, entity_shards, shard_count, write_partitions
from soloml.errors import ConfigError, DeployError, ModelError

LABEL_COLUMN = "__soloml_label"
WEIGHT_COLUMN = "__soloml_weight"
ROW_COLUMN = "__soloml_row"
LOCAL_WORKERS = 2
CONNECT_TIMEOUT = "30s"
# parameters LightGBM's Dask interface sets itself, per worker
_DASK_OWNS = ("num_threads", "num_class", "num_machines", "machines", "local_listen_port", "tree_learner")


def _modules() -> tuple[Any, Any, Any]:
    try:
        import dask.dataframe as dd
        import distributed
        import lightgbm.dask as lgb_dask
    except ImportError as exc:
        raise ConfigError(
            f"--engine dask needs Dask, which is not installed here ({exc}).",
            hint="Install the scale extra: pip install 'soloml[scale]' (here and on every worker), or use --engine local.",
        ) from exc
    return dd, distributed, lgb_dask


def _stdout_to_stderr(distributed: Any) -> Any:
    """A worker plugin that points each worker's stdout at its stderr. Local workers share this process's
    terminal, and LightGBM's C++ network set-up prints there ("Trying to bind port ..."), which would land in
    the middle of `--json`'s output. Registered as a plugin, so a worker restarted after a crash gets it too."""

    class StdoutToStderr(distributed.WorkerPlugin):
        def setup(self, worker: Any) -> None:
            import os
            import sys

            sys.stdout.flush()
            os.dup2(2, 1)

    return StdoutToStderr()


class DaskEngine:
    """A `distributed.Client` (to --scheduler ADDRESS, or to a LocalCluster it started) and a staging folder for partitions."""

    name = "dask"

    def __init__(self, client: Any, staging: Path, *, cluster: Any = None, memory: int | None = None) -> None:
        self.client = client
        self.staging = Path(staging)
        self.cluster = cluster  # only a cluster this engine started is closed with it
        self.memory = memory  # this machine's memory in bytes, as the sample rule sees it (None: read from the system)
        self.facts: dict[str, Any] = {}  # what the last train_warehouse did: the rows on the cluster, the sample

    @classmethod
    def connect(
        cls,
        scheduler: str | None,
        *,
        staging: Path,
        workers: int = LOCAL_WORKERS,
        timeout: str = CONNECT_TIMEOUT,
        memory: int | None = None,
    ) -> DaskEngine:
        """Connect to `scheduler`, or start a LocalCluster of `workers` processes bound to 127.0.0.1."""
        _, distributed, _ = _modules()
        if scheduler:
            try:
                return cls(distributed.Client(scheduler, timeout=timeout), staging, memory=memory)
            except (OSError, TimeoutError) as exc:
                raise ConfigError(
                    f"Could not reach the Dask scheduler at {scheduler}: {exc}.",
                    hint="Check the address (tcp://HOST:8786) and that `dask scheduler` runs there, or leave out --scheduler for local worker processes.",
                ) from exc
        with (
            warnings.catch_warnings()
        ):  # another cluster on this machine holds the default HTTP port: any free one will do
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            cluster = distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            )
        client = distributed.Client(cluster)
        client.register_plugin(_stdout_to_stderr(distributed))
        return cls(client, staging, cluster=cluster, memory=memory)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    # training ------------------------------------------------------------------------------------------------

    def train(self, ts: Any, spec: Any, **options: Any) -> Any:
        """Judge as locally; the saved model's refit on every row runs on the cluster (see `refit`)."""
        from soloml.features.trainingset import LABEL
        from soloml.modeling.train import train

        labeled = ts.frame.loc[ts.frame[LABEL].notna()]  # the rows modeling trains on, in its order
        entities = labeled["entity_id"] if "entity_id" in labeled else pd.Series(np.arange(len(labeled)))
        notes = (*options.pop("notes", ()), *memory_advice(ts.frame, self.name, memory=self.memory))

        def refit(
            X: pd.DataFrame, y: np.ndarray, params: dict[str, Any], *, categorical: list[str], rounds: int
        ) -> tuple[lgb.Booster, int]:
            ids = entities if len(entities) == len(X) else pd.Series(np.arange(len(X)))
            return self.refit(X, y, params, categorical=categorical, rounds=rounds, entity_ids=ids)

        return train(ts, spec, notes=notes, refit=refit, **options)

    def train_warehouse(self, con: Any, spec: Any, *, features_dir: Path | None, **options: Any) -> Any:
        """Train from the set cached in the warehouse: the cluster fits on Parquet partitions written by the warehouse.

        Below SHARE_OF_MEMORY the set is read here and judged exactly as locally; past it, only a sample of
        whole entities that fits is read, validated and judged (and the result says so), while the saved
        model is fitted on every labeled row of the warehouse's partitions, for the rounds validation chose
        on the sample: not scaled up to every row (see `_SAMPLE_ROUNDS`).
        """
        from soloml.engines import warehouse_set as ws_set
        from soloml.engines.advice import machine_memory
        from soloml.engines.warehouse_parts import write_from_warehouse
        from soloml.features import cache
        from soloml.features.trainingset import LABEL
        from soloml.modeling import fit as ft
        from soloml.modeling.train import train

        meta = ws_set.ensure_cached(con, spec, features_dir=features_dir)
        memory = self.memory if self.memory is not None else machine_memory()
        notes = tuple(options.pop("notes", ()))
        sample = None
        if ws_set.past_memory(meta, memory):
            ts, sample = ws_set.read_sample(con, spec, meta, int(memory or 0))
        else:
            ts = ws_set.read_all(con, spec, meta)
            notes = (*notes, *memory_advice(ts.frame, self.name, memory=memory))
        labeled = ts.frame[LABEL].dropna()
        coding = (
            ft.LabelCoding(ts.task, tuple(ts.classes))
            if ts.classes and ts.task != "regression"
            else ft.LabelCoding.learn(ts.task, labeled)
        )
        data, _ = cache.table_names(spec.name)
        folder = self.staging / f"dask-train-{secrets.token_hex(4)}"
        try:
            rows = sample.of_rows if sample else len(labeled)
            parts = write_from_warehouse(
                con,
                data,
                [LABEL, *ts.features],
                entity=ws_set.ENTITY,
                shards=shard_count(rows, self.workers()),
                folder=folder,
                where=f"{LABEL} IS NOT NULL",
            )

            def refit(
                X: pd.DataFrame, y: np.ndarray, params: dict[str, Any], *, categorical: list[str], rounds: int
            ) -> tuple[lgb.Booster, int]:
                return self.refit_parts(parts.folder, X, y, params, coding, categorical=categorical, rounds=rounds)

            if sample is not None:
                notes = (*notes, _sample_words(spec, sample))
            result = train(ts, spec, notes=notes, refit=refit, **options)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        self.facts = {
            "rows_on_cluster": parts.rows,
            "partitions": len(parts.files),
            "sample": None if sample is None else sample.to_facts(),
        }
        return result

    def refit_parts(
        self,
        folder: Path,
        X: pd.DataFrame,
        y: np.ndarray,
        params: dict[str, Any],
        coding: Any,
        *,
        categorical: list[str],
        rounds: int,
    ) -> tuple[lgb.Booster, int]:
        """`rounds` rounds with lightgbm.dask on the partitions in `folder`, each prepared on its worker as `X` was."""
        from soloml.modeling import fit as ft

        dd, _, _ = _modules()
        objective = str(params.get("objective", ""))
        weight = ft.positive_weight(objective, y)  # judged on the rows validated on, as the local fit judges it
        features = [str(c) for c in X.columns]
        categories = {c: list(X[c].cat.categories) for c in features if isinstance(X[c].dtype, pd.CategoricalDtype)}
        meta = pd.DataFrame(
            {**{f: pd.Series(dtype="float64") for f in features}, LABEL_COLUMN: pd.Series(dtype=y.dtype)}
        ).assign(**{WEIGHT_COLUMN: pd.Series(dtype="float64")})
        raw = dd.read_parquet(str(folder))
        parts = raw.map_partitions(prepare_partition, features, categories, coding, weight, meta=meta)
        pandas_categorical = [categories[c] for c in features if c in categories] or None
        return self._fit(parts, features, objective, params, categorical, rounds, weight, pandas_categorical)

    def refit(
        self,
        X: pd.DataFrame,
        y: np.ndarray,
        params: dict[str, Any],
        *,
        categorical: list[str],
        rounds: int,
        entity_ids: pd.Series,
    ) -> tuple[lgb.Booster, int]:
        """`rounds` boosting rounds on every row with lightgbm.dask; the booster as soloml.modeling.fit.fit would return it."""
        from soloml.modeling import fit as ft

        dd, _, _ = _modules()
        objective = str(params.get("objective", ""))
        weight = ft.positive_weight(objective, y)
        coded, pandas_categorical = _category_codes(X)
        data = coded.assign(**{LABEL_COLUMN: y, WEIGHT_COLUMN: np.where(y == 1, weight, 1.0) if weight != 1.0 else 1.0})
        folder = self.staging / f"dask-train-{secrets.token_hex(4)}"
        try:
            write_partitions(data, entity_shards(entity_ids, shard_count(len(data), self.workers())), folder)
            features = [str(c) for c in X.columns]
            return self._fit(
                dd.read_parquet(str(folder)),
                features,
                objective,
                params,
                categorical,
                rounds,
                weight,
                pandas_categorical,
            )
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _fit(
        self,
        parts: Any,
        features: list[str],
        objective: str,
        params: dict[str, Any],
        categorical: list[str],
        rounds: int,
        weight: float,
        pandas_categorical: list[list[Any]] | None,
    ) -> tuple[lgb.Booster, int]:
        """Fit on a Dask frame of coded features, label and weight; the booster made as a local fit makes it."""
        from soloml.modeling import fit as ft

        _, _, lgb_dask = _modules()
        Xd, yd, wd = self.client.persist([parts[features], parts[LABEL_COLUMN], parts[WEIGHT_COLUMN]])
        model_class = lgb_dask.DaskLGBMRegressor if objective == "regression" else lgb_dask.DaskLGBMClassifier
        kwargs = {k: v for k, v in params.items() if k not in _DASK_OWNS}
        estimator = model_class(client=self.client, n_estimators=int(rounds), **kwargs)
        try:
            # lightgbm.dask sets the threads per worker itself and says so, and prints its port search: not for --json's stdout
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.filterwarnings("ignore", message="Parameter .* will be ignored")
                estimator.fit(Xd, yd, sample_weight=wd, categorical_feature=list(categorical) or "auto")
        except lgb.basic.LightGBMError as exc:
            raise ModelError(
                f"LightGBM could not train on the Dask cluster: {exc}.",
                hint="Check the features for constant or all-missing columns.",
            ) from exc
        except Exception as exc:  # noqa: BLE001 - a lost worker or network error, in words
            raise ModelError(
                f"Training on the Dask cluster failed: {type(exc).__name__}: {exc}.",
                hint="Nothing was saved. Check the workers (memory, logs) and re-run, or train with --engine local.",
            ) from exc
        booster = estimator.booster_
        booster.pandas_categorical = pandas_categorical  # predicts pandas input as a locally trained booster does
        booster = lgb.Booster(model_str=booster.model_to_string())
        if weight != 1.0:
            booster = ft.shift_raw_score(booster, -math.log(weight))
        return booster, int(rounds)

    # scoring -------------------------------------------------------------------------------------------------

    def predict(self, booster: Any, X: np.ndarray, entity_ids: pd.Series) -> np.ndarray:
        """Partition-wise prediction on the workers, via Parquet in the staging folder; raises DeployError if any part fails."""
        _, distributed, _ = _modules()
        token = secrets.token_hex(4)
        folder = self.staging / f"dask-score-{token}"
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

        _, distributed, _ = _modules()
        token = secrets.token_hex(4)
        folder = self.staging / f"dask-score-{token}"
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


def prepare_partition(
    part: pd.DataFrame, features: list[str], categories: dict[str, list[Any]], coding: Any, weight: float
) -> pd.DataFrame:
    """On a worker: one partition of the cached set as the model reads it (signature.prepare's rules, then codes),
    its label encoded as validation encoded it, and the positive weight."""
    from soloml.features.trainingset import LABEL
    from soloml.modeling.signature import to_category, to_float

    out: dict[str, Any] = {}
    for name in features:
        if name in categories:
            codes = to_category(part[name], categories[name]).cat.codes.to_numpy().astype(np.float64)
            codes[codes < 0] = np.nan
            out[name] = codes
        else:
            out[name] = to_float(part[name], name).to_numpy(dtype=np.float64)
    y = coding.encode(part[LABEL])
    out[LABEL_COLUMN] = y
    out[WEIGHT_COLUMN] = np.where(y == 1, weight, 1.0) if weight != 1.0 else np.ones(len(part))
    return pd.DataFrame(out, index=part.index)


def _sample_words(spec: Any, sample: Any) -> str:
    noun = "entities" if spec.entity == "row" else f"{spec.entity}s"
    return (
        f"Validated on {sample.entities:,} of {sample.of_entities:,} {noun} ({sample.rows:,} of {sample.of_rows:,} rows; "
        f"a sample by {'entity' if spec.entity == 'row' else spec.entity}: the set is past this machine's memory), the model "
        f"trained on all of them on the cluster. The score, baselines and verdict are the sample's; the rounds are the "
        f"ones validation chose for the sample's size, not scaled up to every row ({_SAMPLE_ROUNDS})."
    )


_SAMPLE_ROUNDS = (
    "more rows at the same rounds overfit less, not more; scaling by the square root of 10x or 100x the rows "
    "is a step no validation checked"
)


def _category_codes(X: pd.DataFrame) -> tuple[pd.DataFrame, list[list[Any]] | None]:
    """Category columns as their codes (missing -> NaN) and the category lists, as LightGBM itself turns pandas input."""
    cat_cols = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    if not cat_cols:
        return X, None
    coded = X.copy()
    for c in cat_cols:
        codes = X[c].cat.codes.to_numpy().astype(np.float64)
        codes[codes < 0] = np.nan
        coded[c] = codes
    return coded, [list(X[c].cat.categories) for c in cat_cols]


def _why(exc: BaseException, distributed: Any) -> str:
    if isinstance(exc, distributed.KilledWorker):
        return f"a worker died while scoring ({exc.args[0] if exc.args else 'a partition'}; the scheduler stopped retrying it)"
    return f"{type(exc).__name__}: {exc}"
