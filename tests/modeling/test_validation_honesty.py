"""No choice is made on the rows a model is judged on: rounds, the fold's model and the final round count."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

from soloml.features.trainingset import TrainingSet
from soloml.modeling import blend as bl
from soloml.modeling import train
from soloml.modeling.split import plan_validation

from .synthetic import churn_set, churn_spec, flat_set, table_spec


def _with_labels(ts: TrainingSet, labels: np.ndarray) -> TrainingSet:
    return TrainingSet(
        project=ts.project,
        frame=ts.frame.assign(label=labels),
        features=ts.features,
        task=ts.task,
        categorical=ts.categorical,
        descriptions=ts.descriptions,
    )


def test_judged_labels_of_a_time_split_change_neither_the_rounds_nor_the_judged_predictions():
    ts = churn_set(customers=300, cutoffs=6, seed=4, signal=1.5)
    latest = (ts.frame["cutoff"] == ts.frame["cutoff"].max()).to_numpy()
    labels = ts.frame["label"].to_numpy().copy()
    labels[latest] = ~labels[latest]  # every judged label flipped
    honest, perturbed = train(ts, churn_spec()), train(_with_labels(ts, labels), churn_spec())
    assert honest.n_rounds == perturbed.n_rounds
    np.testing.assert_array_equal(honest.validation.predictions, perturbed.validation.predictions)
    assert honest.metrics["roc_auc"] != perturbed.metrics["roc_auc"]  # the judged labels did change the judgement


def test_judged_labels_of_one_fold_do_not_change_that_folds_predictions():
    data = load_diabetes(as_frame=True).frame
    ts = flat_set(data, "target", "regression")
    plan = plan_validation(ts, seed=0)
    _, judged = plan.folds[0]
    labels = ts.frame["label"].to_numpy().copy()
    labels[judged] = labels[judged][::-1] * 3.0  # fold 0's judged labels scrambled and rescaled
    # one seed's validation (spread=False): under the other seeds these rows sit in other folds, whose models
    # learn from the scrambled labels (the next test checks the three seeds' average)
    honest = train(ts, table_spec("regression", "rmse", done=50.0), spread=False)
    perturbed = train(_with_labels(ts, labels), table_spec("regression", "rmse", done=50.0), spread=False)
    position = {row: i for i, row in enumerate(honest.validation.rows)}
    at = [position[r] for r in judged]
    np.testing.assert_allclose(honest.validation.predictions[at], perturbed.validation.predictions[at])


def test_a_rows_own_label_does_not_change_its_prediction_averaged_over_three_seeds():
    """Below 5,000 rows every row is judged once under each of three seeds, each time by models that never saw it."""
    ts = flat_set(load_diabetes(as_frame=True).frame, "target", "regression")
    labels = ts.frame["label"].to_numpy().copy()
    labels[7] = labels[7] * 3.0 + 500.0
    honest = train(ts, table_spec("regression", "rmse", done=50.0))
    perturbed = train(_with_labels(ts, labels), table_spec("regression", "rmse", done=50.0))
    assert honest.seed_spread["averaged"] and len(honest.blend) == 3 * len(
        bl.blend_members("regression", len(ts.frame), [])
    )
    row = list(honest.validation.rows).index(7)
    assert honest.validation.predictions[row] == perturbed.validation.predictions[row]
    assert not np.array_equal(honest.validation.predictions, perturbed.validation.predictions)


def test_judged_labels_of_one_fold_do_not_change_that_folds_blended_predictions():
    """The blend of a small regression with a many-valued category (defaults, smoothing, small leaves): each member's
    rounds chosen inside the fold."""
    rng = np.random.default_rng(6)
    n = 900
    region = rng.integers(0, 10, n)
    amount = rng.normal(size=n)
    frame = pd.DataFrame({"region": [f"r{r}" for r in region], "amount": amount})
    frame["y"] = 0.3 * region - amount + rng.normal(size=n)
    ts = flat_set(frame, "y", "regression")  # plain k-fold: the folds do not depend on the labels
    plan = plan_validation(ts, seed=0)
    _, judged = plan.folds[0]
    labels = ts.frame["label"].to_numpy().copy()
    labels[judged] = labels[judged][::-1] * 3.0
    honest = train(ts, table_spec("regression", "rmse", done=5.0), spread=False)
    perturbed = train(_with_labels(ts, labels), table_spec("regression", "rmse", done=5.0), spread=False)
    assert len(honest.blend) == 3
    position = {row: i for i, row in enumerate(honest.validation.rows)}
    at = [position[r] for r in judged]
    np.testing.assert_allclose(honest.validation.predictions[at], perturbed.validation.predictions[at])
