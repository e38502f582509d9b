"""Modeling: LightGBM against honest baselines, judged in business units, with a done verdict."""

from soloml.modeling.estimator import SolomlClassifier, SolomlRegressor
from soloml.modeling.result import TrainResult
from soloml.modeling.signature import FeatureSignature
from soloml.modeling.train import train
from soloml.modeling.verdict import Verdict, decide
from soloml.modeling.workflow import TrainReport, train_project, train_table

__all__ = [
    "FeatureSignature",
    "SolomlClassifier",
    "SolomlRegressor",
    "TrainReport",
    "TrainResult",
    "Verdict",
    "decide",
    "train",
    "train_project",
    "train_table",
]
