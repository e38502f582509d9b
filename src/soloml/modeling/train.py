"""Train a model for a project: screen columns, validate honestly, compare with baselines, refit, explain, decide.

screen (ids, constants, all-missing, free text, leak suspects out) -> validate (time-ordered or
k-fold; rounds and tuning chosen inside each fold's training rows; on small data under three seeds,
averaged) -> baselines on the same rows -> business figures -> verdict -> refit on every row ->
explanations and reference stats
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from soloml.errors import ModelError, did_you_mean
from soloml.features.trainingset import CUTOFF, LABEL, TrainingSet
from soloml.modeling import blend as bl
from soloml.modeling import evaluate as ev
from soloml.modeling import fit as ft
from soloml.modeling.columns import LeftOut, screen
from soloml.modeling.explain import feature_stats, global_importance
from soloml.modeling.judge import judge
from soloml.modeling.metrics import metric_for
from soloml.modeling.parallel import run_all, single_threaded
from soloml.modeling.result import TrainResult, Validation
from soloml.modeling.signature import FeatureSignature, build_signature
from soloml.modeling.split import ValidationPlan, plan_validation
from soloml.modeling.spread import seeds_for, validate_seeds
from soloml.modeling.verdict import suggest
from soloml.projects.spec import ProjectSpec


def train(
    ts: TrainingSet,
    spec: ProjectSpec,
    *,
    tune: int = 0,
    seed: int = 0,
    params: Mapping[str, Any] | None = None,
    left_out: Sequence[LeftOut] = (),
    notes: Sequence[str] = (),
    leak_check: bool = True,
    spread: bool = True,
    refit: Callable[..., tuple[Any, int]] | None = None,
) -> TrainResult:
    """Train, validate and judge a LightGBM model for `spec` on `ts`.

    `tune` > 0 runs that many Optuna trials (inside each fold, then over every row); `params` overrides
    defaults. `left_out` and `notes` come from the stage that built `ts` (e.g. the table recipe's date
    columns) and are reported with the columns training itself leaves out. `leak_check` and `spread`
    turn off the leak-suspect screen and, on small data, the three seeds (modeling/spread.py: validated,
    averaged into the model, their spread reported). `refit` fits each booster of the saved model on every
    row in place of `fit.fit` (same arguments and result; soloml.engines.dask trains them on a cluster).
    """
    frame = _checked_frame(ts)
    ts = replace(ts, frame=frame)  # every row position below refers to this frame
    coding = (
        ft.LabelCoding(ts.task, tuple(ts.classes))
        if ts.classes and ts.task != "regression"
        else ft.LabelCoding.learn(ts.task, frame[LABEL])
    )
    y = coding.encode(frame[LABEL])
    metric = metric_for(ts.task, spec.metric)
    snapshots_over_time = ts.has_time and spec.recipe != "table"  # a table's time column dates rows, not snapshots
    plan = plan_validation(
        ts,
        horizon_days=spec.label.horizon_days if snapshots_over_time else None,
        seed=seed,
        test_from=spec.test_from,
        time_words=spec.cutoffs.time_column or "",
    )
    screened = screen(
        frame,
        ts.features,
        label=y if leak_check else None,
        task=ts.task,
        rows=plan.folds[0][0],
        target=_target_words(spec),
    )
    if not screened.kept:
        raise ModelError(
            f"Every feature of '{ts.project}' was left out: "
            + "; ".join(f"{f.column} ({f.reason})" for f in screened.left_out[:5])
            + ".",
            hint="Add columns that describe each row before its outcome is known.",
        )
    categorical = tuple(
        c
        for c in dict.fromkeys((*ts.categorical, *(f for f in screened.kept if _is_text(frame[f]))))
        if c in screened.kept
    )
    signature = build_signature(frame, screened.kept, categorical, ts.descriptions)
    X = signature.prepare(frame)
    cats = list(signature.categorical)
    rows = plan.rows
    capacity = ev.scale_capacity(
        spec, len(rows), over_time=plan.kind == "time" and snapshots_over_time, snapshots=plan.judged_snapshots
    )
    base = {
        **ft.task_params(
            ts.task, max(2, len(coding.classes)), metric, n_rows=len(frame), seed=seed, n_features=len(screened.kept)
        ),
        **dict(params or {}),
    }
    if params and ("force_col_wise" in params or "force_row_wise" in params):  # LightGBM takes one of the two
        base.pop("force_row_wise" if "force_col_wise" in params else "force_col_wise", None)
    fold_params, chosen, tuned = _parameters(
        X, y, plan, base, metric, ts.task, capacity.k / max(1, len(rows)), cats, tune, seed
    )
    tuned_params = {} if tuned is None else tuned.params

    # parameters typed or tuned are used as they are; the defaults on small data blend 2-3 boosters (blend.blend_members)
    levels = [int(X[c].nunique(dropna=False)) for c in cats]
    blend = bl.blend_members(ts.task, len(frame), levels) if tune <= 0 and not params else ({},)
    # on small data, validation under three seeds: with the defaults their models are averaged into the one saved
    runs = validate_seeds(
        X,
        y,
        ts,
        plan,
        fold_params,
        seeds_for(len(frame), seed, spread=spread and tune <= 0),
        categorical=cats,
        horizon_days=spec.label.horizon_days if snapshots_over_time else None,
        test_from=spec.test_from,
        blend=blend,
        average=not params,
        ordered=signature.ordered,
    )
    asked = [  # (seed or None for the caller's parameters as they are, blend overrides, rounds)
        (s if runs.averaged else None, overrides, rounds)
        for s, oos in runs.fitted
        for overrides, rounds in zip(blend, oos.final_rounds(len(frame)), strict=True)
    ]
    readings = [  # (LightGBM's parameters, the columns read as categories) of each booster
        bl.member_reading({**chosen, **overrides, **({} if s is None else {"seed": s})}, cats, signature.ordered)
        for s, overrides, _ in asked
    ]

    weight = ft.positive_weight(str(chosen.get("objective", "")), y)

    def fit_seed(s: int | None) -> list[tuple[Any, int]]:
        """Seed s's boosters of the saved model, sharing one Dataset of every row where they can (fit.dataset_key)."""
        shared: dict[tuple[Any, ...], Any] = {}

        def every_row(member: dict[str, Any], read: list[str]) -> Any:
            key = ft.dataset_key(member, read)
            if key not in shared:
                shared[key] = ft.dataset(X, y, weight, categorical=read)
            return shared[key]

        return [
            (refit or ft.fit)(X if refit else every_row(member, read), y, member, categorical=read, rounds=rounds)
            for (member, read), (seed_of, _, rounds) in zip(readings, asked, strict=True)
            if seed_of == s
        ]

    # each seed's boosters side by side when single-threaded (modeling/parallel.py; the same boosters either way)
    seeds = list(dict.fromkeys(s for s, _, _ in asked))
    side_by_side = refit is None and single_threaded(chosen)
    fitted = [fit for group in run_all(fit_seed, seeds, side_by_side=side_by_side) for fit in group]
    # the rounds each booster really has: LightGBM stops early when no split is left (randomised trees can)
    members = [(s, overrides, used) for (s, overrides, _), (_, used) in zip(asked, fitted, strict=True)]
    n_rounds = members[0][2]
    booster = bl.average([b for b, _ in fitted])
    predictions = runs.predictions
    importance = global_importance(booster, X.iloc[rows], signature, ts.task, max(2, len(coding.classes)), seed=seed)
    snapshots = int(frame[CUTOFF].nunique()) if snapshots_over_time else 0
    hints = suggest(
        project=spec.name,
        features=screened.kept,
        recipe=spec.recipe,
        n_snapshots=snapshots,
        n_rows=len(frame),
        tuned=tune > 0,
        top_features=[f.description for f in importance[:1]],
    )
    judged = judge(
        spec,
        ts.task,
        frame,
        y,
        plan,
        predictions,
        capacity,
        classes=coding.classes,
        headline=metric,
        hints=hints,
        seed=seed,
    )
    variation = runs.spread(metric, ts.task, y[rows], capacity.k)
    all_left_out = (*left_out, *screened.left_out)
    return TrainResult(
        project=spec.name,
        recipe=spec.recipe,
        task=ts.task,
        spec=spec,
        spec_hash=ts.spec_hash or spec.spec_hash(),
        booster=booster,
        signature=signature,
        classes=coding.classes,
        params={k: v for k, v in chosen.items() if k not in ("verbosity",)},
        n_rounds=n_rounds,
        blend=tuple(
            {"params": {**overrides, **({} if s is None else {"seed": s})}, "rounds": rounds}
            for s, overrides, rounds in members
        )
        if len(members) > 1
        else (),
        validation=Validation(
            plan.kind,
            plan.description,
            plan.validation_cutoff,
            rows,
            int(np.mean([len(t) for t, _ in plan.folds])),
            predictions,
        ),
        metric=metric,
        model_score=float(judged.metrics[metric]),  # type: ignore[arg-type]
        metrics=judged.metrics,
        baseline_metrics=judged.baseline_metrics,
        baseline_descriptions={b.name: b.description for b in judged.baselines},
        business=judged.business,
        calibration=judged.calibration,
        threshold=judged.business.threshold,
        verdict=judged.verdict,
        importance=importance,
        feature_stats=feature_stats(X, signature),
        reference=_reference(predictions, ts.task),
        training=_training_summary(frame, ts, y, coding.classes, snapshots),
        load_ids=tuple(ts.load_ids),
        tune_trials=tune,
        seed=seed,
        tuned_params=tuned_params,
        tuned_on=None if tuned is None else {"metric": tuned.metric, "value": tuned.value},
        left_out=all_left_out,
        notes=(
            *notes,
            *_plan_notes(plan, all_left_out),
            *_ordered_notes(signature, blend),
            *(() if variation is None or not variation.material else (variation.words,)),
        ),
        seed_spread=None if variation is None else variation.to_facts(),
    )


def _parameters(
    X: pd.DataFrame,
    y: np.ndarray,
    plan: ValidationPlan,
    base: dict[str, Any],
    metric: str,
    task: str,
    k_share: float,
    categorical: list[str],
    tune: int,
    seed: int,
) -> tuple[list[dict[str, Any]], dict[str, Any], Any]:
    """(parameters per fold, parameters of the saved model, its tuning outcome or None); tuning never sees judged rows."""
    if tune <= 0:
        return [base] * len(plan.folds), base, None
    from soloml.modeling.tune import search

    def tuned_on(rows: np.ndarray) -> Any:
        return search(
            X,
            y,
            rows,
            plan,
            base,
            metric=metric,
            task=task,
            k_share=k_share,
            categorical=categorical,
            trials=tune,
            seed=seed,
        )

    # each fold's search and the saved model's are independent: side by side when every fit is single-threaded
    searched = run_all(
        tuned_on,
        [train_rows for train_rows, _ in plan.folds] + [np.arange(len(X))],
        side_by_side=single_threaded(base),
    )
    final = searched[-1]
    return [{**base, **t.params} for t in searched[:-1]], {**base, **final.params}, final


def _ordered_notes(signature: FeatureSignature, blend: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """How the model reads each ordered category, when a member reads it in its order (blend.ORDERED_AS_NUMBERS)."""
    in_order = sum(bool(m.get(bl.ORDERED_AS_NUMBERS)) for m in blend)
    if not in_order:
        return ()
    by_order = f"{in_order} of the model's {len(blend)} boosters"
    out = []
    for name in signature.ordered:
        values = signature.categories[name]
        steps = " < ".join(values) if len(values) <= 4 else f"{values[0]} < {values[1]} < ... < {values[-1]}"
        out.append(
            f"{signature.describe(name)} is read in its order ({steps}) by {by_order}, as a category by the others."
        )
    return tuple(out)


def _plan_notes(plan: ValidationPlan, left_out: Sequence[LeftOut]) -> tuple[str, ...]:
    dates = [f.column for f in left_out if f.kind == "date"]
    if plan.kind == "kfold" and dates:
        return (
            (
                f"Warning: the rows carry dates ({', '.join(dates[:3])}) but were split at random, so the score is likely optimistic: "
                "a model is used on rows later than the ones it learnt from. Name the date with --time-column (cutoffs.time_column) for a time-ordered check."
            ),
        )
    return ()


def _target_words(spec: ProjectSpec) -> str:
    return f"'{spec.label.target}'" if spec.label.target else "the label"


def _checked_frame(ts: TrainingSet) -> pd.DataFrame:
    frame = ts.frame
    missing = [c for c in (*ts.features, LABEL) if c not in frame.columns]
    if missing:
        raise ModelError(
            f"Training set '{ts.project}' lacks column(s) {', '.join(missing)}.{did_you_mean(missing[0], frame.columns)}",
            hint="Rebuild it with `soloml features PROJECT`.",
        )
    if not ts.features:
        raise ModelError(
            f"Training set '{ts.project}' has no feature columns.",
            hint="Check the project's features (soloml features PROJECT).",
        )
    if CUTOFF not in frame.columns:
        frame = frame.assign(**{CUTOFF: pd.NaT})
    unlabeled = frame[LABEL].isna()  # e.g. rows whose outcome is not known yet: not trained on, not judged
    if unlabeled.all():
        raise ModelError(
            f"Every row of '{ts.project}' lacks a label.", hint="Check the target column / label definition."
        )
    if unlabeled.any():
        frame = frame.loc[~unlabeled]
    return frame.reset_index(drop=True)


def _is_text(col: pd.Series) -> bool:
    return (
        isinstance(col.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(col)
        or pd.api.types.is_string_dtype(col)
    )


def _reference(pred: np.ndarray, task: str) -> dict[str, Any]:
    """The out-of-sample validation predictions' distribution, for drift monitoring of the live scores."""
    score = pred.max(axis=1) if task == "multiclass" else pred
    return {
        "prediction_quantiles": [float(q) for q in np.quantile(score, np.linspace(0, 1, 21))],
        "prediction_mean": float(np.mean(score)),
        "prediction_sd": float(np.std(score)),
        "rows": len(score),
    }


def _training_summary(
    frame: pd.DataFrame, ts: TrainingSet, y: np.ndarray, classes: tuple[Any, ...], snapshots: int
) -> dict[str, Any]:
    summary: dict[str, Any] = {"rows": len(frame), "features": len(ts.features), "snapshots": snapshots}
    if snapshots:
        cutoffs = pd.to_datetime(frame[CUTOFF])
        summary["first_cutoff"] = str(cutoffs.min().date())
        summary["last_cutoff"] = str(cutoffs.max().date())
    if ts.task == "binary":
        summary["base_rate"] = float(np.mean(y))
        summary["positive_class"] = classes[1]
        summary["negative_class"] = classes[0]
    elif ts.task == "multiclass":
        summary["classes"] = {str(c): int(np.sum(y == i)) for i, c in enumerate(classes)}
    else:
        summary["label_mean"] = float(np.mean(y))
    return summary
