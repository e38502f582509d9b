"""Training on the Dask engine: LightGBM's own distributed training (`lightgbm.dask`) for the saved model's refit.

soloml.modeling validates, compares with the baselines and judges exactly as it does locally; the model it
saves (the refit on every row) is trained here: the rows are written as Parquet partitions by entity shard,
read by the workers, and fitted with DaskLGBMClassifier/Regressor. The booster is then made the same as a local
one (the category lists LightGBM keeps for pandas input, the calibration shift for up-weighted rare positives)
and saved as LightGBM text in the registry. `train_warehouse` has the warehouse write the partitions itself and,
past this machine's memory, validates on a sample of whole entities.
"""

from __future__ import annotations

import contextlib
import io
import math
import shutil
import warnings
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from soloml.engines.advice import memory_advice
from soloml.engines.dask_cluster import DaskCluster, dask_modules
from soloml.engines.partitions import entity_shards, shard_count, write_partitions
from soloml.errors import ModelError

LABEL_COLUMN = "__soloml_label"
WEIGHT_COLUMN = "__soloml_weight"
# parameters LightGBM's Dask interface sets itself, per worker
_DASK_OWNS = ("num_threads", "num_class", "num_machines", "machines", "local_listen_port", "tree_learner")


class DaskTraining(DaskCluster):
    """The training half of DaskEngine: `train`, `train_warehouse` and the refits they hand soloml.modeling."""

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
        folder = self.scratch_folder("train")
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

        dd, _, _ = dask_modules()
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

        dd, _, _ = dask_modules()
        objective = str(params.get("objective", ""))
        weight = ft.positive_weight(objective, y)
        coded, pandas_categorical = _category_codes(X)
        data = coded.assign(**{LABEL_COLUMN: y, WEIGHT_COLUMN: np.where(y == 1, weight, 1.0) if weight != 1.0 else 1.0})
        folder = self.scratch_folder("train")
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

        _, _, lgb_dask = dask_modules()
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
        return booster, booster.current_iteration()  # LightGBM may stop before `rounds` when no split is left


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
