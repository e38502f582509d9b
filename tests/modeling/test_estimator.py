"""SolomlClassifier / SolomlRegressor follow the scikit-learn estimator contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks

from soloml.modeling import SolomlClassifier, SolomlRegressor

# every check applies and passes: LightGBM handles NaN natively (allow_nan tag), and fit takes no sample_weight (those checks skip)
EXPECTED_FAILED: dict[str, str] = {}


# a higher learning rate only to keep the ~50 checks quick; the code path is the default one
@parametrize_with_checks(
    [SolomlClassifier(params={"learning_rate": 0.15}), SolomlRegressor(params={"learning_rate": 0.15})],
    expected_failed_checks=lambda est: EXPECTED_FAILED,
)
def test_scikit_learn_contract(estimator, check):
    check(estimator)


def test_classifier_keeps_the_full_training_result():
    X, y = load_breast_cancer(return_X_y=True)
    clf = SolomlClassifier().fit(X, y)
    assert clf.result_.validation.kind == "kfold"
    assert clf.result_.model_score > 0.97
    assert clf.result_.verdict.decision in ("DONE", "KEEP_GOING")
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_classifier_works_inside_scikit_learn_tools():
    X, y = load_breast_cancer(return_X_y=True)
    scores = cross_val_score(SolomlClassifier(), X, y, cv=3, scoring="roc_auc")
    assert scores.mean() > 0.97


def test_dataframes_with_text_columns_are_native_categories():
    rng = np.random.default_rng(0)
    n = 400
    X = pd.DataFrame({"city": rng.choice(["Boston", "Austin"], n), "x": rng.normal(size=n)})
    y = np.where(X["city"] == "Boston", 3.0, 0.0) + X["x"] + rng.normal(scale=0.1, size=n)
    reg = SolomlRegressor().fit(X, y)
    assert reg.signature_.dtypes["city"] == "category"
    assert reg.score(X, y) > 0.9
