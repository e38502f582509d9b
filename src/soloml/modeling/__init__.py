"""Modeling: LightGBM against honest baselines, judged in business units, with a done verdict."""

from soloml.modeling.estimator import SolomlClassifier, SolomlRegressor
from soloml.modeling.result import TrainResult
from soloml.modeling.signature import FeatureSignature
from soloml.modeling.train import train
from soloml.modeling.verdict import Verdict, decide

__all__ = [
    "FeatureSignature",
    "SolomlClassifier",
    "SolomlRegressor",
    "TrainResult",
    "Verdict",
    "decide",
    "train",
]
