"""The blend: below SMALL_DATA_ROWS rows the model is the average (of raw scores) of two or three boosters, the
defaults and others: for a binary label, extremely randomised trees with stronger category smoothing
(RANDOMISED_TREES: each split's threshold drawn at random, a strong regulariser of few, noisy positives);
otherwise, when a category column has more than MAX_CAT_TO_ONEHOT values, the category smoothing alone
(CATEGORY_SMOOTHING: on few rows the per-category statistics are noisy). On the bench tables (bench/RESULTS.md
## Modeling, bench/quality_probe.py) the randomised pair beat the smoothed pair (or one booster) on all four
binary tables, at no more fits where there were two boosters already; as the only booster randomised trees cost
a regression 60% RMSE, so regression keeps the smoothing alone. A binary table adds ADDITIVE_STUMPS (one split a
tree: an additive model, close to a regularised logistic regression): lending_club +0.006 AUC, credit_data +0.004,
wa_churn +0.002, mlc_churn -0.001, under two seeds (2026-12-07; +10% RMSE on Computers, so binary only). A
regression adds SMALL_LEAVES (leaves of 3 rows, each pulled toward its parent by path_smooth, every row in every
tree): Computers -1.7% RMSE, hotel_rates -0.6%, over five seeds (2026-12-07; small leaves without the pull cost
hotel_rates' time split 1.4%; without row sampling a further -0.4% / -0.4% under three seeds, 2026-12-08).
Averaging the members was never worse than the better-guessed one by more than noise, where a choice between
them on an inner split was. `average` writes them as one booster (leaf values, and a linear tree's leaf constants and coefficients, divided by their number, trees
concatenated), so what is saved and scored is one model.

Ordered categories (signature.ordered: grades such as A1..G5, levels, numbers with units; their code is their
rank in the natural order): the randomised members and a regression's smoothing member read them as numbers
(ORDERED_AS_NUMBERS, `member_reading`), thresholds on the order instead of per-value statistics of few positives;
the others still read them as categories. Each tree carries its own split kinds, so the averaged booster predicts
the mean of the members' raw scores and every scoring path, which only turns values into codes, stays the same (bench/RESULTS.md
"Ordered categories (2026-12-07)").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import lightgbm as lgb

from soloml.errors import ModelError

SMALL_DATA_ROWS = 20_000  # below this many rows the model is a blend, and every fit runs on one thread (fit.py)
CATEGORY_SMOOTHING: dict[str, Any] = {"cat_smooth": 50.0, "min_data_per_group": 50, "cat_l2": 10.0}
ORDERED_AS_NUMBERS = "ordered_categories_as_numbers"  # a member override soloml reads (member_reading), not LightGBM
RANDOMISED_TREES: dict[str, Any] = {  # smoothed too: better, and cheaper
    **CATEGORY_SMOOTHING,
    "extra_trees": True,
    ORDERED_AS_NUMBERS: True,
}
# a binary table's third member: stumps (one split a tree), so the booster is a sum of one-column steps, a smooth
# additive model like a regularised logistic regression; randomised and smoothed like the second, ordered categories
# read by rank (bench/RESULTS.md "Additive member (2026-12-07)")
ADDITIVE_STUMPS: dict[str, Any] = {
    "num_leaves": 2,
    "max_depth": 1,
    "learning_rate": 0.1,
    "min_data_in_leaf": 50,
    **RANDOMISED_TREES,
}
LINEAR_TREES: dict[str, Any] = {"linear_tree": True}  # a linear model of the numeric columns in each leaf
# a regression's smoothing member reads ordered categories by rank (hotel_rates' room types: -0.6% RMSE under 5 of 5
# seeds, bench/RESULTS.md "Regression members, second pass (2026-12-07)"); multiclass keeps CATEGORY_SMOOTHING
SMOOTHED_IN_ORDER: dict[str, Any] = {**CATEGORY_SMOOTHING, ORDERED_AS_NUMBERS: True}
# a regression's extra member: leaves of a few rows find finer steps; each leaf's value is pulled toward its parent's
# in proportion to how few rows it holds (path_smooth), so the finer leaves do not chase single prices; every tree
# sees every row (row sampling makes a leaf of 3 rows noisier still: -0.2% to -0.6% RMSE on both regression tables
# under 3 of 3 seeds, for less CPU, bench/RESULTS.md "Regression members, third pass (2026-12-08)")
SMALL_LEAVES: dict[str, Any] = {"min_data_in_leaf": 3, "path_smooth": 10.0, "bagging_fraction": 1.0, "bagging_freq": 0}
MAX_CAT_TO_ONEHOT = 4  # LightGBM's default: categories with at most this many values split one against the rest


def blend_members(task: str, n_rows: int, levels: Sequence[int]) -> tuple[dict[str, Any], ...]:
    """Parameter overrides of each booster averaged into the model: `({},)` (one booster, the defaults) from
    SMALL_DATA_ROWS rows; below, `({}, RANDOMISED_TREES, ADDITIVE_STUMPS)` for a binary `task`; for the other
    tasks the defaults, then the category smoothing when a category column has more than MAX_CAT_TO_ONEHOT values
    (`levels`: each category column's distinct values, missing counted; a regression's, SMOOTHED_IN_ORDER, reads
    ordered categories by rank), then for a regression SMALL_LEAVES. LightGBM splits a category with few values
    one against the rest, where the smoothing changes nothing: that booster would be the first again."""
    if n_rows >= SMALL_DATA_ROWS:
        return ({},)
    if task == "binary":
        return ({}, dict(RANDOMISED_TREES), dict(ADDITIVE_STUMPS))
    members: tuple[dict[str, Any], ...] = ({},)
    if any(n > MAX_CAT_TO_ONEHOT for n in levels):
        members += (dict(SMOOTHED_IN_ORDER if task == "regression" else CATEGORY_SMOOTHING),)
    if task == "regression":
        members += (dict(SMALL_LEAVES),)
    return members


def member_reading(
    params: Mapping[str, Any], categorical: Sequence[Any], ordered: Collection[Any]
) -> tuple[dict[str, Any], list[Any]]:
    """(LightGBM's parameters of a blend member, the columns it reads as categories): with ORDERED_AS_NUMBERS
    in `params`, the `ordered` ones of `categorical` (names or positions) are read as numbers, their codes."""
    lgb_params = dict(params)
    if lgb_params.pop(ORDERED_AS_NUMBERS, False):
        return lgb_params, [c for c in categorical if c not in ordered]
    return lgb_params, list(categorical)


# what a tree adds to the raw score: leaf values, and a linear tree's leaf_const + leaf_coeff . x (its leaf_value
# where one of the leaf's columns is missing); internal values are what TreeSHAP reads
SCALED_IN_AVERAGE = ("leaf_value", "internal_value", "leaf_const", "leaf_coeff")


def average(boosters: list[lgb.Booster]) -> lgb.Booster:
    """One booster whose raw score is the mean of `boosters`' (fit on the same columns): each one's leaf values
    (and a linear tree's leaf constants and coefficients) divided by their number, the trees one after another.
    One booster comes back as it is."""
    if len(boosters) == 1:
        return boosters[0]
    share = 1.0 / len(boosters)
    head, trees, tail = "", [], ""
    for i, booster in enumerate(boosters):
        text = booster.model_to_string()
        start, end = text.find("Tree=0\n"), text.find("end of trees")
        if start < 0 or end < 0:
            raise ModelError("A booster to average has no trees.")
        if i == 0:
            head, tail = text[:start], text[end:]
        for block in re.split(r"Tree=\d+\n", text[start:end])[1:]:
            lines = block.rstrip("\n").split("\n")
            for j, line in enumerate(lines):
                key, _, values = line.partition("=")
                if key in SCALED_IN_AVERAGE:  # a linear leaf's coefficients keep their spacing (two between leaves)
                    lines[j] = key + "=" + re.sub(r"\S+", lambda v: repr(float(v.group()) * share), values)
            trees.append("\n".join(lines) + "\n\n\n")
    blocks = [f"Tree={i}\n{body}" for i, body in enumerate(trees)]
    sizes = "tree_sizes=" + " ".join(str(len(b.encode())) for b in blocks)
    head = re.sub(r"tree_sizes=[^\n]*", sizes, head, count=1)
    return lgb.Booster(model_str=head + "".join(blocks) + tail)
