"""Quality probe: soloml's default model against candidate member lists on the modeling bench's tables (issue 10).

Every candidate is soloml's quick-path model with another list of blend members (parameter overrides of each
booster averaged into the model, as `blend.blend_members` returns them): the same column screen, signature,
validation plan, rounds chosen by early stopping on each fold's inner split, scaled to every training row, members
refit and averaged into one booster (`blend.average`), scored on the bench's test rows. `soloml_model(..., members=)`
is that path written with soloml's own parts (fit / validate), so no monkeypatching: `members=None` is soloml's
rule and predicts what `train(..., spread=False)` does (checked with --check). Only what decides the test
prediction is run: the validation folds' refits and judging (which do not change the saved model) are skipped, so
the CPU seconds are the model's own, comparable between candidates, not soloml's whole `train` time.

`NAME@seedK` (for the SEEDED candidates, K 1-4) is NAME with every booster's row sampling seeded K: on hotel_rates'
one time split a member's seed alone moves the RMSE by up to 5%, so a regression candidate is read over seeds 0-4.

Splits: bench/modeling.py's splits() (3-fold x 2 repeats; hotel_rates its one time split; Computers 3-fold x 1).
Run: .venv/bin/python bench/quality_probe.py [--only NAME,NAME] [--candidates a,b] [--out scores.json] [--check]
     .venv/bin/python bench/quality_probe.py --table a.json b.json   (merge shards, print the table)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from modeling import Dataset, datasets, metric, quick_spec, splits, training_set  # noqa: E402
from soloml.modeling import blend as bl  # noqa: E402
from soloml.modeling import fit as ft  # noqa: E402
from soloml.modeling.columns import screen  # noqa: E402
from soloml.modeling.metrics import metric_for  # noqa: E402
from soloml.modeling.signature import build_signature  # noqa: E402
from soloml.modeling.split import plan_validation  # noqa: E402
from soloml.modeling.validate import choose_rounds  # noqa: E402

ET = {"extra_trees": True}
Members = tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Table:
    """What a member rule may look at: the data's properties, never its score."""

    task: str
    rows: int
    levels: tuple[int, ...]  # each category column's distinct values, missing counted
    positive_share: float  # binary: share of positives; otherwise 1.0
    label_spread: float = 1.0  # regression: the training labels' standard deviation; otherwise 1.0


def before(t: Table) -> Members:
    """The rule before 2026-12-04: the smoothed second booster below SMALL_DATA_ROWS rows with a category of
    more than MAX_CAT_TO_ONEHOT values, whatever the task."""
    many_valued = any(n > bl.MAX_CAT_TO_ONEHOT for n in t.levels)
    return ({}, dict(bl.CATEGORY_SMOOTHING)) if t.rows < ft.SMALL_DATA_ROWS and many_valued else ({},)


def adopted(t: Table) -> Members:
    """soloml's rule now (blend.blend_members)."""
    return bl.blend_members(t.task, t.rows, t.levels)


def with_all(extra: dict[str, Any]) -> Callable[[Table], Members]:
    """The members before, each with `extra` on top."""
    return lambda t: tuple({**m, **extra} for m in before(t))


def plus(*more: dict[str, Any]) -> Callable[[Table], Members]:
    """The members before and `more` after them."""
    return lambda t: (*before(t), *(dict(m) for m in more))


CANDIDATES: dict[str, tuple[Callable[[Table], Members], bool]] = {  # name -> (members, classification only)
    "before": (before, False),
    "adopted": (adopted, False),
    "et": (lambda t: (dict(ET),), True),
    "default+et": (lambda t: ({}, dict(ET)), True),
    "before+et": (plus(ET), True),
    "default+smooth+et": (lambda t: ({}, dict(bl.CATEGORY_SMOOTHING), dict(ET)), True),
    "lr0.02": (with_all({"learning_rate": 0.02}), False),
    "hess1+l2_10": (with_all({"min_sum_hessian_in_leaf": 1.0, "lambda_l2": 10.0}), True),
    "path_smooth10": (with_all({"path_smooth": 10.0}), False),
    "maxcat8+mdpg200": (with_all({"max_cat_threshold": 8, "min_data_per_group": 200}), False),
    "before+smooth_et": (plus({**bl.CATEGORY_SMOOTHING, **ET}), True),
    "default+smooth_et": (lambda t: ({}, {**bl.CATEGORY_SMOOTHING, **ET}), True),
    "mdl5": (with_all({"min_data_in_leaf": 5}), False),
    "mdl10": (with_all({"min_data_in_leaf": 10}), False),
    "ff0.7": (with_all({"feature_fraction": 0.7}), False),
    "mdl5+ff0.7": (with_all({"min_data_in_leaf": 5, "feature_fraction": 0.7}), False),
    "adopted+lr0.1": (lambda t: tuple({**m, "learning_rate": 0.1} for m in adopted(t)), False),
    "before+rank": (before, False),
    "before+et+rank": (plus(ET), True),
    "before+mdl5": (plus({"min_data_in_leaf": 5}), False),
    "before+mdl5ff0.7": (plus({"min_data_in_leaf": 5, "feature_fraction": 0.7}), False),
    "before+bag0.6": (plus({"bagging_fraction": 0.6, "feature_fraction": 0.6}), False),
    "before+linear": (plus(bl.LINEAR_TREES), False),
    "before+linear_l10": (plus({**bl.LINEAR_TREES, "linear_lambda": 10.0}), False),
    "linear": (with_all(bl.LINEAR_TREES), False),
    "before+mdl2": (plus({"min_data_in_leaf": 2}), False),
    "before+mdl3": (plus({"min_data_in_leaf": 3}), False),
    "before+mdl5_nl63": (plus({"min_data_in_leaf": 5, "num_leaves": 63}), False),
    "before+mdl5_l2_0": (plus({"min_data_in_leaf": 5, "lambda_l2": 0.0}), False),
    "before+mdl5+mdl10": (plus({"min_data_in_leaf": 5}, {"min_data_in_leaf": 10}), False),
    "before+mdl5_lr0.1": (plus({"min_data_in_leaf": 5, "learning_rate": 0.1}), False),
    "before+mdl4": (plus({"min_data_in_leaf": 4}), False),
    "before+mdl6": (plus({"min_data_in_leaf": 6}), False),
    "before+mdl8": (plus({"min_data_in_leaf": 8}), False),
    "before+mdl5_seed1": (plus({"min_data_in_leaf": 5, "seed": 1}), False),
    "before+mdl5_seed2": (plus({"min_data_in_leaf": 5, "seed": 2}), False),
}
SEEDED = {
    "before": before,
    "before+mdl5": plus({"min_data_in_leaf": 5}),
    "before+mdl8": plus({"min_data_in_leaf": 8}),
    "before+mdl5_l2_10": plus({"min_data_in_leaf": 5, "lambda_l2": 10.0}),
    "before+mdl5_l2_30": plus({"min_data_in_leaf": 5, "lambda_l2": 30.0}),
    "before+mdl3_ps10": plus({"min_data_in_leaf": 3, "path_smooth": 10.0}),
    "before+mdl5_ps10": plus({"min_data_in_leaf": 5, "path_smooth": 10.0}),
}
CANDIDATES.update({name: (fn, False) for name, fn in SEEDED.items() if name not in CANDIDATES})


def seeded(members: Callable[[Table], Members], seed: int) -> Callable[[Table], Members]:
    """`members`, every booster with its row sampling seeded `seed` (how much of a difference is one seed's luck)."""
    return lambda t: tuple({**m, "seed": seed} for m in members(t))


CANDIDATES.update({f"{name}@seed{k}": (seeded(fn, k), False) for name, fn in SEEDED.items() for k in range(1, 5)})
RANKED = {"before+rank", "before+et+rank"}  # also given each many-valued category's values in sorted order as a number
# ordered categories (signature.ordered, modeling/ordered.py), 2026-12-07: the rule until then (`default+smooth_et`
# for binary, `before` otherwise), and which of its members read an ordered category's code (its rank in the
# natural order) as a number instead of a category; "adopted" is the rule since (blend.ORDERED_AS_NUMBERS)
ORDERED_AS_NUMBERS: dict[str, tuple[int, ...]] = {"ord_all": (0, 1), "ord_default": (0,), "ord_et": (1,)}


def until_ordered(t: Table) -> Members:
    """The rule of 2026-12-04 to 2026-12-07: soloml's members, every category read as a category."""
    return tuple({k: v for k, v in m.items() if k != bl.ORDERED_AS_NUMBERS} for m in adopted(t))


def until_stumps(t: Table) -> Members:
    """The rule until the stumps member (2026-12-07): soloml's members without blend.ADDITIVE_STUMPS."""
    return tuple(m for m in adopted(t) if m != bl.ADDITIVE_STUMPS)


def until_stumps_plus(*more: dict[str, Any]) -> Callable[[Table], Members]:
    """The members until the stumps member and `more` after them."""
    return lambda t: (*until_stumps(t), *(dict(m) for m in more))


# 2026-12-07: an additive member (stumps: one split a tree, so the booster is a sum of one-column steps, a smooth
# model like a regularised logistic regression, which bench/linear_check.py found strong on lending_club);
# `+stumps_et` is what blend.ADDITIVE_STUMPS adopted (binary only)
STUMPS: dict[str, Any] = {"num_leaves": 2, "max_depth": 1, "learning_rate": 0.1, "min_data_in_leaf": 50}
STUMPS_ORDERED = {**STUMPS, **bl.CATEGORY_SMOOTHING, bl.ORDERED_AS_NUMBERS: True}
CANDIDATES["until_stumps"] = (until_stumps, False)
CANDIDATES["until_stumps+stumps"] = (until_stumps_plus(STUMPS_ORDERED), True)
CANDIDATES["until_stumps+stumps_l2_10"] = (until_stumps_plus({**STUMPS_ORDERED, "lambda_l2": 10.0}), True)
CANDIDATES["until_stumps+stumps_et"] = (until_stumps_plus({**STUMPS_ORDERED, "extra_trees": True}), True)
CANDIDATES["default+stumps"] = (lambda t: (adopted(t)[0], dict(STUMPS_ORDERED)), True)
CANDIDATES["until_stumps+stumps_any"] = (until_stumps_plus({**STUMPS_ORDERED, "extra_trees": True}), False)


# 2026-12-07, regression members, second pass (Computers' gap): each candidate adds one member to `adopted` or
# changes one of its members (`sl_...` the small-leaf member, `smooth_...` the category-smoothing member)
def until_smooth_ord(t: Table) -> Members:
    """The rule of the second regression pass (2026-12-07, its `adopted`): soloml's members with a regression's
    smoothing member reading every category as a category (blend.SMOOTHED_IN_ORDER was adopted after it)."""
    return tuple(dict(bl.CATEGORY_SMOOTHING) if m == bl.SMOOTHED_IN_ORDER else dict(m) for m in adopted(t))


def adopted_plus(*more: dict[str, Any]) -> Callable[[Table], Members]:
    """The second pass's members (`until_smooth_ord`) and `more` after them."""
    return lambda t: (*until_smooth_ord(t), *(dict(m) for m in more))


def adopted_changed(member: dict[str, Any], extra: dict[str, Any]) -> Callable[[Table], Members]:
    """The second pass's members, the one equal to `member` (if there is one) with `extra` on top."""
    return lambda t: tuple({**m, **extra} if m == member else dict(m) for m in until_smooth_ord(t))


CANDIDATES["until_smooth_ord"] = (until_smooth_ord, False)
# 2026-12-08: shallow members (depth 2 / 3 trees: additive steps and pairwise interactions) for Computers' gap
SHALLOW2: dict[str, Any] = {"num_leaves": 4, "max_depth": 2, "learning_rate": 0.1, "min_data_in_leaf": 5}
SHALLOW3: dict[str, Any] = {"num_leaves": 8, "max_depth": 3, "learning_rate": 0.1, "min_data_in_leaf": 5}
CANDIDATES["adopted+depth2"] = (lambda t: (*adopted(t), dict(SHALLOW2)), False)
CANDIDATES["adopted+depth3"] = (lambda t: (*adopted(t), dict(SHALLOW3)), False)
CANDIDATES["adopted+et"] = (adopted_plus(ET), False)
CANDIDATES["adopted+et_sl"] = (adopted_plus({**ET, **bl.SMALL_LEAVES}), False)
CANDIDATES["adopted+huber"] = (adopted_plus({"objective": "huber"}), False)
CANDIDATES["adopted+fair"] = (adopted_plus({"objective": "fair"}), False)
CANDIDATES["sl_lr0.02"] = (adopted_changed(bl.SMALL_LEAVES, {"learning_rate": 0.02}), False)
CANDIDATES["sl_bin63"] = (adopted_changed(bl.SMALL_LEAVES, {"max_bin": 63}), False)
CANDIDATES["sl_bin1023"] = (adopted_changed(bl.SMALL_LEAVES, {"max_bin": 1023}), False)
CANDIDATES["smooth_ord"] = (adopted_changed(bl.CATEGORY_SMOOTHING, {bl.ORDERED_AS_NUMBERS: True}), False)
# Huber's loss with its threshold (alpha) in the label's units: LightGBM's default 0.9 is no threshold for prices
CANDIDATES["adopted+huber_s0.25"] = (
    lambda t: (*adopted(t), {"objective": "huber", "alpha": 0.25 * t.label_spread}),
    False,
)
CANDIDATES["adopted+huber_s1"] = (lambda t: (*adopted(t), {"objective": "huber", "alpha": t.label_spread}), False)
# a member with INT_AS_CATEGORIES (the probe's key, popped before LightGBM sees it) also reads as categories the
# number columns whose values are all whole numbers from 0 with at most INT_CATEGORY_VALUES of them (Computers' ram,
# speed, screen): LightGBM splits such a column's raw values as a category, so no scoring path would change
INT_AS_CATEGORIES = "int_as_categories"
INT_CATEGORY_VALUES = 12
CANDIDATES["default_intcats"] = (lambda t: ({**adopted(t)[0], INT_AS_CATEGORIES: True}, *adopted(t)[1:]), False)
CANDIDATES["sl_intcats"] = (adopted_changed(bl.SMALL_LEAVES, {INT_AS_CATEGORIES: True}), False)
CANDIDATES["adopted+intcats"] = (adopted_plus({INT_AS_CATEGORIES: True}), False)
CANDIDATES["adopted+sl_intcats"] = (adopted_plus({**bl.SMALL_LEAVES, INT_AS_CATEGORIES: True}), False)
# 2026-12-08: row sampling off (LightGBM's own default) in a regression member, on `adopted` as it was then; sl_nobag was
# adopted into blend.SMALL_LEAVES the same day, so it is `adopted` now and the others read against today's members
NO_BAGGING = {"bagging_fraction": 1.0, "bagging_freq": 0}  # every row for every tree


def now_changed(member: dict[str, Any], extra: dict[str, Any]) -> Callable[[Table], Members]:
    """soloml's members now (`adopted`), the one equal to `member` (if there is one) with `extra` on top."""
    return lambda t: tuple({**m, **extra} if m == member else dict(m) for m in adopted(t))


CANDIDATES["nobag"] = (lambda t: tuple({**m, **NO_BAGGING} for m in adopted(t)), False)
CANDIDATES["sl_nobag"] = (now_changed(bl.SMALL_LEAVES, NO_BAGGING), False)
CANDIDATES["adopted+sl_nobag"] = (lambda t: (*adopted(t), {**bl.SMALL_LEAVES, **NO_BAGGING}), False)
CANDIDATES["smooth_nobag"] = (now_changed(bl.SMOOTHED_IN_ORDER, NO_BAGGING), False)
CANDIDATES["sl_smooth_nobag"] = (
    lambda t: tuple(
        {**m, **NO_BAGGING} if m in (bl.SMALL_LEAVES, bl.SMOOTHED_IN_ORDER) else dict(m) for m in adopted(t)
    ),
    False,
)
for _name, _extra in {
    "ps5": {"path_smooth": 5.0},
    "ps20": {"path_smooth": 20.0},
    "mdl2": {"min_data_in_leaf": 2},
}.items():
    CANDIDATES[f"sl_nobag_{_name}"] = (now_changed(bl.SMALL_LEAVES, {**NO_BAGGING, **_extra}), False)

CANDIDATES["until_ordered"] = (until_ordered, False)
for _name in ORDERED_AS_NUMBERS:
    CANDIDATES[_name] = (until_ordered, False)
CANDIDATES["until_ordered+rank"] = (until_ordered, False)  # a rank column for each ordered category, kept a category


def with_ranks(X: pd.DataFrame, cats: Sequence[str]) -> pd.DataFrame:
    """`X` and, for each category of more than MAX_CAT_TO_ONEHOT values, the rank of its value in sorted order
    ("A1" < "A2" < ... < "G5"): an ordered category's order, which category splits cannot use."""
    ranks = {}
    for c in cats:
        values = X[c].cat.categories
        if len(values) > bl.MAX_CAT_TO_ONEHOT:
            order = {v: float(i) for i, v in enumerate(sorted(values, key=str))}
            ranks[f"{c}__rank"] = X[c].map(order).astype(np.float64)
    return X.assign(**ranks)


def with_ordered_ranks(X: pd.DataFrame, ordered: Sequence[str]) -> pd.DataFrame:
    """`X` and, for each ordered category, its code (the rank of its value in the natural order) as a number."""
    ranks = {f"{c}__rank": X[c].cat.codes.replace(-1, np.nan).astype(np.float64) for c in ordered}
    return X.assign(**ranks)


def few_whole_numbers(X: pd.DataFrame, cats: Sequence[str]) -> list[str]:
    """The number columns of `X` (not in `cats`) whose known values are whole numbers from 0, at most
    INT_CATEGORY_VALUES of them."""
    found = []
    for c in X.columns:
        if c in cats or not pd.api.types.is_numeric_dtype(X[c]):
            continue
        values = X[c].dropna()
        if 1 < values.nunique() <= INT_CATEGORY_VALUES and (values >= 0).all() and (values == values.round()).all():
            found.append(c)
    return found


def soloml_model(
    ds: Dataset,
    tr: np.ndarray,
    te: np.ndarray,
    members: Callable[[Table], Members] | None = None,
    *,
    ranked: bool = False,
    numbers: tuple[int, ...] = (),
    ordered_ranks: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, float, Members]:
    """soloml's default model trained on `tr` with the blend `members(table)` (None: soloml's rule), its test
    predictions, CPU seconds and the members used; `ranked` adds `with_ranks` columns, `ordered_ranks`
    `with_ordered_ranks` columns; the members at positions `numbers` read ordered categories as numbers; `seed` the
    model's seed (soloml's is 0; another one measures how much a candidate's gain is the seed's noise)."""
    c0 = time.process_time()
    ts = training_set(ds, tr)
    spec = quick_spec(ds, len(tr))
    frame = ts.frame
    y = frame["label"].to_numpy(dtype=np.float64)
    plan = plan_validation(ts, seed=seed, test_from=spec.test_from, time_words=spec.cutoffs.time_column or "")
    screened = screen(frame, ts.features, label=y, task=ts.task, rows=plan.folds[0][0], target="'label'")
    cats = [c for c in ts.categorical if c in screened.kept]
    signature = build_signature(frame, screened.kept, tuple(cats), ts.descriptions)
    cats = list(signature.categorical)
    X = signature.prepare(frame)
    ordered = [c for c in signature.ordered if c in cats]
    if ranked:
        X = with_ranks(X, cats)
    if ordered_ranks:
        X = with_ordered_ranks(X, ordered)
    params = ft.task_params(
        ts.task, 2, metric_for(ts.task, spec.metric), n_rows=len(frame), seed=seed, n_features=len(screened.kept)
    )
    levels = tuple(int(X[c].nunique(dropna=False)) for c in cats)
    share = float(np.mean(y)) if ts.task == "binary" else 1.0
    spread = float(np.std(y)) if ts.task == "regression" else 1.0
    blend = (members or adopted)(Table(ts.task, len(frame), levels, share, spread))
    boosters = []
    for i, overrides in enumerate(blend):
        overrides = dict(overrides)
        whole = few_whole_numbers(X, cats) if overrides.pop(INT_AS_CATEGORIES, False) else []
        member, read = bl.member_reading({**params, **overrides}, cats, ordered)
        read = [*read, *whole]
        read = [c for c in read if c not in ordered] if i in numbers else read
        chosen = [choose_rounds(X, y, rows, plan, member, read) for rows, _ in plan.folds]
        inner = int(np.mean([rows for _, rows in chosen]))
        rounds = ft.scaled_rounds(float(np.mean([best for best, _ in chosen])), inner, len(frame))
        boosters.append(ft.fit(X, y, member, categorical=read, rounds=rounds)[0])
    booster = bl.average(boosters)
    test = signature.prepare(ds.frame.iloc[te].reset_index(drop=True))
    if ranked:
        test = with_ranks(test, cats)
    if ordered_ranks:
        test = with_ordered_ranks(test, ordered)
    pred = np.asarray(booster.predict(test))
    return pred, time.process_time() - c0, blend


def probe_splits(ds: Dataset) -> list[tuple[np.ndarray, np.ndarray]]:
    return splits(ds, repeats=1 if ds.name == "Computers" else 2)


def run(
    names: str | None, candidates: Sequence[str], out: Path | None, seed: int = 0
) -> dict[str, dict[str, dict[str, float]]]:
    scores: dict[str, dict[str, dict[str, float]]] = {}
    for ds in datasets(names):
        for name in candidates:
            members, classification_only = CANDIDATES[name]
            if classification_only and ds.task != "binary":
                continue
            values, cpu = [], 0.0
            for tr, te in probe_splits(ds):
                pred, seconds, used = soloml_model(
                    ds,
                    tr,
                    te,
                    members,
                    ranked=name in RANKED,
                    numbers=ORDERED_AS_NUMBERS.get(name, ()),
                    ordered_ranks=name == "until_ordered+rank",
                    seed=seed,
                )
                values.append(metric(ds, ds.y[te], pred))
                cpu += seconds
            scores.setdefault(ds.name, {})[name] = {
                "metric": float(np.mean(values)),
                "cpu": cpu,
                "members": len(used),
                "splits": [float(v) for v in values],  # type: ignore[dict-item]
            }
            print(f"{ds.name:13s} {name:20s} {np.mean(values):.4f}  cpu {cpu:6.1f}s  members {len(used)}", flush=True)
            if out is not None:
                out.write_text(json.dumps(scores, indent=1))
    return scores


def table(scores: dict[str, dict[str, dict[str, float]]], candidates: Sequence[str], reference: str = "before") -> str:
    """Markdown: mean test metric per candidate (columns) per dataset (rows), and CPU seconds relative to
    `reference` (`before` where a table lacks it)."""
    head = "| dataset | " + " | ".join(candidates) + " |"
    lines = [head, "|---|" + "---|" * len(candidates)]
    for ds_name, per in scores.items():
        ref = "before" if "before" in per else next((c for c in candidates if c in per), "")
        cells = []
        for name in candidates:
            s = per.get(name)
            if s is None:
                cells.append("-")
                continue
            digits = 4 if s["metric"] < 10 else 2
            ref = reference if reference in per else "before"
            delta = s["metric"] - per[ref]["metric"] if ref in per else 0.0
            sign = f" ({delta:+.4f})" if digits == 4 else f" ({100 * delta / per[ref]['metric']:+.1f}%)"
            cpu = f", {s['cpu'] / per[ref]['cpu']:.2f}x CPU" if ref in per and name != ref else ""
            cells.append(f"{s['metric']:.{digits}f}{sign if name != ref else ''}{cpu}")
        lines.append(f"| {ds_name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def check(names: str | None) -> None:
    """soloml's rule here predicts what train(..., spread=False) does (first split of each table)."""
    from modeling import run_soloml

    for ds in datasets(names):
        tr, te = probe_splits(ds)[0]
        mine, _, _ = soloml_model(ds, tr, te)
        theirs, _, _ = run_soloml(ds, tr, te, spread=False)
        print(f"{ds.name}: max |difference| {float(np.max(np.abs(mine - theirs))):.2e}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only")
    parser.add_argument("--candidates", default=",".join(CANDIDATES))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--table", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=0, help="the model's seed (the splits stay the bench's)")
    parser.add_argument("--against", default="before", help="the candidate the others are compared with")
    args = parser.parse_args(argv)
    candidates = args.candidates.split(",")
    if args.check:
        check(args.only)
        return 0
    if args.table:
        merged: dict[str, dict[str, dict[str, float]]] = {}
        for path in args.table:
            for ds_name, per in json.loads(path.read_text()).items():
                merged.setdefault(ds_name, {}).update(per)
        names = [c for c in candidates if any(c in per for per in merged.values())]
        print(table(merged, names, args.against))
        return 0
    print(table(run(args.only, candidates, args.out, args.seed), candidates, args.against))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
