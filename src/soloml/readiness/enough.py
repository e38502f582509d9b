"""The "do I have enough data?" findings, in words: from the learning curve and, for binary outcomes, the
Riley et al. minimum sample size (both computed in enough_data.py).

Enough means more data would add little: twice as many rows would improve the metric by less than
TOLERANCE (0.02 of ROC AUC or accuracy; 3% of the error for RMSE). Doubling the data takes as long again
as collecting it did, and a gain below that rarely changes who gets acted on: start using it. Otherwise
soloml says how many more rows the curve needs before it flattens, and when they arrive at today's pace.
The curve is measured up to MAX_CURVE_ROWS and extrapolated beyond; a ceiling "with unlimited data" is
not said, as five points cannot support it.

The Riley et al. minimum is for regression-sized models; for boosted trees it is a cross-check. When
the curve measured on this data is flat, a shortfall against it is a note, not a reason to wait.
Both are measured on the features training keeps (the columns the screen leaves out do not count).
"""

from __future__ import annotations

from datetime import datetime

from soloml.features.trainingset import LABEL, TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.enough_data import (
    LearningCurve,
    candidate_parameters,
    cox_snell_r2,
    learning_curve,
    riley_sample_size,
)
from soloml.readiness.findings import Finding, Fix, Needed
from soloml.readiness.pace import per_month, row_unit
from soloml.readiness.toolkit import Scorer

TOLERANCE = 0.02
RELATIVE_TOLERANCE = 0.03  # for error metrics in the label's units
SCALE_WORDS = {"roc_auc": " (0.5 is guessing, 1 is perfect)"}
METRIC_WORDS = {
    "roc_auc": "ranking quality (AUC)",
    "accuracy": "accuracy",
    "rmse": "typical error (root mean squared error, RMSE)",
}
SHORT_WORDS = {"roc_auc": "AUC", "accuracy": "accuracy", "rmse": "RMSE"}


def check_enough_data(
    ts: TrainingSet, spec: ProjectSpec, score: Scorer, *, now: datetime
) -> tuple[tuple[Finding, ...], LearningCurve | None]:
    """The learning-curve finding and, for binary outcomes, the minimum sample size, for `ts` with the features training keeps."""
    curve = learning_curve(ts, spec, score)
    found = _curve_finding(curve, ts, spec, now)
    out = [found]
    if ts.task == "binary":
        out.append(_sample_size_finding(curve, ts, spec, now, curve_is_flat=found.severity == "ok"))
    return tuple(out), curve


def tolerance(curve: LearningCurve) -> float:
    return TOLERANCE if curve.higher_is_better else RELATIVE_TOLERANCE * curve.error(curve.current)


def _curve_finding(curve: LearningCurve | None, ts: TrainingSet, spec: ProjectSpec, now: datetime) -> Finding:
    unit = row_unit(spec)
    if curve is None or curve.fit is None:
        fits = 0 if curve is None else len(curve.sizes)
        words = (
            f"Too few {unit} ({ts.frame[LABEL].notna().sum():,}) to measure a learning curve: it needs at least three fits of "
            f"50 rows or more, each holding both outcomes, judged on rows held out (got {fits})."
        )
        return Finding(
            "learning_curve",
            "wait",
            spec.name,
            words,
            Fix("Load more history, then check again.", command=f"soloml check {spec.name}"),
            figures={"fits": fits},
        )
    metric = curve.metric
    name, short = METRIC_WORDS.get(metric, metric), SHORT_WORDS.get(metric, metric)
    doubled, n = curve.gain_if_doubled(), curve.pool_rows
    figures = {
        "metric": metric,
        "current": round(curve.current, 4),
        "expected": round(curve.expected, 4),
        "gain_if_doubled": round(doubled, 4),
        "rows": n,
        "valid_rows": curve.valid_rows,
        "tolerance": round(tolerance(curve), 5),
        "curve": curve.to_facts(),
    }
    sign = 1 if curve.higher_is_better else -1
    measured = (
        f"measured on {curve.sizes[0]:,} to {curve.sizes[-1]:,} of the {n:,} {unit}"
        if curve.sizes[-1] < n
        else f"measured on {curve.sizes[0]:,} to {n:,} {unit}"
    )
    gains = (
        f"Learning curve of the model's {name}, {measured}: {curve.current:.3f}{SCALE_WORDS.get(metric, '')} on {curve.valid_rows:,} held-out rows; "
        f"twice as many rows would change it by about {sign * doubled:+.3f}"
    )
    if doubled < tolerance(curve):
        return Finding(
            "learning_curve",
            "ok",
            spec.name,
            f"{gains}. You have enough to stop collecting and start using it.",
            figures=figures,
        )
    more = max(1.0, curve.fit.rows_until_flat(tolerance(curve)) - n)
    needed = Needed(more, unit, n, per_month(ts, spec), now.date())
    words = f"{gains}. More data still pays off: you need {needed.words()} before twice as much adds less than {tolerance(curve):.3g} {short}."
    fix = Fix(
        "Keep loading new exports; you can train now and retrain as the data grows.",
        command=f"soloml check {spec.name}",
    )
    return Finding("learning_curve", "wait", spec.name, words, fix, needed, figures)


def _sample_size_finding(
    curve: LearningCurve | None, ts: TrainingSet, spec: ProjectSpec, now: datetime, *, curve_is_flat: bool
) -> Finding:
    labelled = ts.frame[ts.frame[LABEL].notna()]
    have = len(labelled)
    prevalence = float(labelled[LABEL].astype(float).mean())
    unit = row_unit(spec)
    if not 0 < prevalence < 1:
        return Finding(
            "sample_size",
            "wait",
            spec.name,
            f"Every one of the {have:,} {unit} has the same outcome, so no sample size applies yet.",
            Fix("Load more history, then check again.", command=f"soloml check {spec.name}"),
        )
    r2 = None
    if curve is not None and curve.train_base_rate is not None and len(curve.valid_labels):
        r2 = cox_snell_r2(curve.valid_labels, curve.last_predictions, curve.train_base_rate)
    size = riley_sample_size(candidate_parameters(ts), prevalence, r2)
    figures = {"have": have, **size.to_facts()}
    criteria = (
        f"{size.shrinkage_rows:,} to overfit by under 10%, {size.optimism_rows:,} for an honest fit, "
        f"{size.risk_rows:,} to pin the overall rate within 5 points"
    )
    basis = f"its Cox-Snell R-squared {size.r2_cs:.3f} {'measured on held-out rows' if size.r2_source == 'measured' else size.r2_source}"
    if have < size.rows:
        needed = Needed(size.rows - have, unit, have, per_month(ts, spec), now.date())
        words = (
            f"A model of these {size.parameters:,} candidate parameters needs at least {size.rows:,} {unit} by the minimum sample size "
            f"of Riley et al. (2019) ({criteria}; {basis}); you have {have:,}: {needed.words()} are needed."
        )
        if curve_is_flat:
            words += " The learning curve measured on this data is already flat, so soloml goes by the measurement."
            fix = Fix(
                "Nothing to do now; the figure is a cross-check for regression-sized models.",
                command=f"soloml check {spec.name}",
            )
            return Finding("sample_size", "note", spec.name, words, fix, needed, figures)
        fix = Fix(
            "Keep loading new exports, or use fewer features (features_exclude in the project file).",
            command=f"soloml check {spec.name}",
            file=f"projects/{spec.name}.yaml",
            column="features_exclude",
        )
        return Finding("sample_size", "wait", spec.name, words, fix, needed, figures)
    words = (
        f"Minimum sample size (Riley et al. 2019) for {size.parameters:,} candidate parameters: {size.rows:,} {unit} ({criteria}; {basis}); "
        f"you have {have:,}, {have / size.rows:.1f} times that."
    )
    return Finding("sample_size", "ok", spec.name, words, figures=figures)
