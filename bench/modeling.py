"""Modeling benchmark: soloml's default model vs FLAML (AutoML) and vs raw LightGBM, in one run.

Datasets (offline, shipped inside installed packages; no downloads):
  - statsmodels `fair` (6,366 rows): did the respondent have an affair (affairs > 0)?
  - statsmodels `randhie` (20,190 rows): did the person see a doctor this year (mdvis > 0)?
  - scikit-learn `breast_cancer` (569 rows): malignant or benign.

Protocol per dataset: a stratified 25% test split (seed 0) that no method sees while fitting.
  soloml   `SolomlClassifier().fit` — the full `soloml train` path: 5-fold validation with early
           stopping, baselines, business figures, bootstrap verdict, explanations, refit on all rows.
  raw      LightGBM with soloml's exact parameters, same folds, early stopping, refit with the mean
           best rounds x sqrt(rows / rows per fold) — the same model fitting without soloml's
           judging and bookkeeping.
  FLAML    `AutoML(time_budget = 3 x soloml's time, metric="roc_auc")`, so soloml runs in 1/3 of its time.
Quality is ROC AUC on the test split. Targets: soloml within 0.005 AUC of FLAML at <= 1/3 of its time;
soloml's time <= 1.2 x raw LightGBM's.

Run: .venv/bin/python bench/modeling.py   (needs `pip install "soloml[bench]"`; writes ## Modeling in bench/RESULTS.md)
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from datetime import date
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from soloml.modeling import SolomlClassifier
from soloml.modeling import fit as ft

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
FLAML_FACTOR = 3.0


def datasets() -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    import statsmodels.api as sm

    fair = sm.datasets.fair.load_pandas().data
    rand = sm.datasets.randhie.load_pandas().data
    cancer = load_breast_cancer(as_frame=True).frame
    return [
        ("fair (statsmodels, 6,366 rows)", fair.drop(columns=["affairs"]), (fair["affairs"] > 0).to_numpy(int)),
        ("randhie (statsmodels, 20,190 rows)", rand.drop(columns=["mdvis"]), (rand["mdvis"] > 0).to_numpy(int)),
        ("breast_cancer (scikit-learn, 569 rows)", cancer.drop(columns=["target"]), cancer["target"].to_numpy(int)),
    ]


def raw_lightgbm(X: pd.DataFrame, y: np.ndarray) -> lgb.Booster:
    """soloml's parameters and protocol, written directly against LightGBM."""
    params = ft.task_params("binary", 2, "roc_auc", n_rows=len(X), seed=0)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(np.zeros(len(y)), y)
    rounds, sizes = [], []
    for tr, va in folds:
        train_set = lgb.Dataset(X.iloc[tr], label=y[tr])
        valid_set = lgb.Dataset(X.iloc[va], label=y[va], reference=train_set)
        booster = lgb.train(params, train_set, num_boost_round=ft.MAX_ROUNDS, valid_sets=[valid_set],
                            callbacks=[lgb.early_stopping(ft.EARLY_STOPPING_ROUNDS, first_metric_only=True, verbose=False, min_delta=ft.MIN_DELTA["auc"])])
        booster.predict(X.iloc[va])
        rounds.append(booster.best_iteration)
        sizes.append(len(tr))
    n_rounds = max(1, round(float(np.mean(rounds)) * np.sqrt(len(X) / np.mean(sizes))))  # the same refit rule as soloml
    return lgb.train(params, lgb.Dataset(X, label=y), num_boost_round=n_rounds)


def run_flaml(X: pd.DataFrame, y: np.ndarray, budget: float):
    from flaml import AutoML

    automl = AutoML()
    automl.fit(X, y, task="classification", metric="roc_auc", time_budget=budget, seed=0, verbose=0, n_jobs=-1)
    return automl


def main() -> int:
    warnings.filterwarnings("ignore")
    rows = []
    for name, X, y in datasets():
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
        X_tr, X_te = X_tr.reset_index(drop=True), X_te.reset_index(drop=True)

        t0, c0 = time.perf_counter(), time.process_time()
        booster = raw_lightgbm(X_tr, y_tr)
        t_raw, c_raw = time.perf_counter() - t0, time.process_time() - c0
        auc_raw = roc_auc_score(y_te, booster.predict(X_te))

        t0, c0 = time.perf_counter(), time.process_time()
        clf = SolomlClassifier().fit(X_tr, y_tr)
        t_solo, c_solo = time.perf_counter() - t0, time.process_time() - c0
        auc_solo = roc_auc_score(y_te, clf.predict_proba(X_te)[:, 1])

        budget = max(3.0, FLAML_FACTOR * t_solo)
        t0 = time.perf_counter()
        automl = run_flaml(X_tr, y_tr, budget)
        t_flaml = time.perf_counter() - t0
        auc_flaml = roc_auc_score(y_te, automl.predict_proba(X_te)[:, 1])

        row = {
            "dataset": name, "soloml_auc": auc_solo, "soloml_s": t_solo, "raw_auc": auc_raw, "raw_s": t_raw, "raw_cpu": c_raw, "soloml_cpu": c_solo,
            "flaml_auc": auc_flaml, "flaml_s": t_flaml, "flaml_best": automl.best_estimator,
            "verdict": clf.result_.verdict.decision if clf.result_ else "n/a",
        }
        rows.append(row)
        print(f"{name}: soloml AUC {auc_solo:.4f} in {t_solo:.1f}s | raw LightGBM {auc_raw:.4f} in {t_raw:.1f}s | "
              f"FLAML {auc_flaml:.4f} in {t_flaml:.1f}s ({automl.best_estimator})", flush=True)
    write_results(rows)
    return 0


def write_results(rows: list[dict]) -> None:
    lines = [
        "## Modeling",
        "",
        f"`bench/modeling.py`, {date.today().isoformat()}. Test ROC AUC on a held-out stratified 25% split; times are wall-clock fits",
        "on the shared 2-core machine. soloml = `SolomlClassifier().fit` (full `soloml train` path: 5-fold early stopping,",
        "baselines, bootstrap verdict, explanations, refit). raw = LightGBM with the same parameters, folds and refit.",
        f"FLAML = `AutoML(metric='roc_auc', time_budget={FLAML_FACTOR:g} x soloml's time)`.",
        "",
        "| dataset | soloml AUC | FLAML AUC | AUC gap (FLAML - soloml) | soloml time / FLAML time | raw LightGBM AUC | soloml / raw wall | soloml / raw CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['dataset']} | {r['soloml_auc']:.4f} | {r['flaml_auc']:.4f} ({r['flaml_best']}) | {r['flaml_auc'] - r['soloml_auc']:+.4f} | "
            f"{r['soloml_s']:.1f}s / {r['flaml_s']:.1f}s = {r['soloml_s'] / r['flaml_s']:.2f} | {r['raw_auc']:.4f} | "
            f"{r['soloml_s']:.1f}s / {r['raw_s']:.1f}s = {r['soloml_s'] / r['raw_s']:.2f}x | "
            f"{r['soloml_cpu']:.2f}s / {r['raw_cpu']:.2f}s = {r['soloml_cpu'] / r['raw_cpu']:.2f}x |"
        )
    lines += [
        "",
        "Targets: AUC gap <= 0.005 at soloml time / FLAML time <= 0.33; soloml time / raw time <= 1.2x.",
        "CPU time (process time of this single-threaded fit) is the steadier ratio on the shared machine; FLAML is compared",
        "by wall time because it runs its own threads. soloml's extra work over raw LightGBM is a fixed ~0.1-0.2 s CPU",
        "(200-round bootstrap for the verdict, TreeSHAP on 300 rows, reference statistics), which shows as a larger",
        "ratio on small tables whose whole fit takes half a second. FLAML's outcome depends on how far its search gets",
        "within the budget, which moves with machine load: rerun to see the spread (its random forest has beaten soloml",
        "on randhie by about 0.01 AUC when a busy machine stretched soloml's time and so FLAML's budget).",
        "",
    ]
    section = "\n".join(lines)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(r"## Modeling\n.*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip("\n") + "\n", text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
