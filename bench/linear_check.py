"""Is the table nearly linear? A regularised linear model on the modeling bench's splits, beside its trees.

On lending_club every tree system (soloml, raw LightGBM, FLAML's pick, AutoGluon's ensemble) scores below what a
ridge-penalised logistic regression gets on the same splits: the outcome follows the interest rate almost
monotonically, and 5% positives (about 345 per training part) are too few for trees not to fit the other columns'
noise. This script measures that, for every bench table, so the write-up in bench/RESULTS.md can quote it.

Model: one-hot categories (unknown values ignored), numbers with missing values set to the training median and
standardised; LogisticRegression(C) for binary targets (ROC AUC), Ridge(alpha) for regression (RMSE); C / alpha on
a small grid, each reported (no choice is made on the test rows: the table shows every setting). Also the single
best number column alone (binary: its AUC either way round), on the test rows, as a floor a model should beat.

Run: .venv/bin/python bench/linear_check.py [--only NAME,NAME] [--repeats 1]   (prints; writes nothing)
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, str(Path(__file__).resolve().parent))
import modeling as bench  # noqa: E402  (the modeling bench's datasets, splits and metric)

STRENGTHS = (0.01, 0.1, 1.0)  # LogisticRegression C (smaller = stronger penalty); Ridge uses alpha = 1 / C


def linear_model(ds: bench.Dataset, strength: float, cats: list[str], nums: list[str]):
    columns = ColumnTransformer(
        [("cat", OneHotEncoder(handle_unknown="ignore"), cats), ("num", StandardScaler(), nums)]
    )
    model = LogisticRegression(C=strength, max_iter=5000) if ds.task == "binary" else Ridge(alpha=1.0 / strength)
    return make_pipeline(columns, model)


def check(ds: bench.Dataset, repeats: int) -> dict[str, list[float]]:
    frame = ds.frame
    cats = [c for c in frame.columns if str(frame[c].dtype) == "category"]
    nums = [c for c in frame.columns if c not in cats]
    out: dict[str, list[float]] = {}
    for tr, te in bench.splits(ds, repeats):
        train, test = frame.iloc[tr].copy(), frame.iloc[te].copy()
        for c in nums:
            median = train[c].median()
            train[c], test[c] = train[c].fillna(median), test[c].fillna(median)
        for strength in STRENGTHS:
            model = linear_model(ds, strength, cats, nums).fit(train, ds.y[tr])
            pred = model.decision_function(test) if ds.task == "binary" else model.predict(test)
            out.setdefault(f"linear {strength:g}", []).append(bench.metric(ds, ds.y[te], np.asarray(pred)))
        if ds.task == "binary":
            single = [max(a, 1 - a) for a in (roc_auc_score(ds.y[te], test[c]) for c in nums)]
            out.setdefault("best single column", []).append(max(single))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="datasets by name, comma-separated")
    parser.add_argument("--repeats", type=int, default=1, help="repeats of the bench's 3 folds (default 1)")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    for ds in bench.datasets(args.only):
        for name, values in check(ds, args.repeats).items():
            print(
                f"{ds.name:14s} {name:20s} mean {np.mean(values):.4f}  splits {', '.join(f'{v:.4f}' for v in values)}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
