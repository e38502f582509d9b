"""soloml: the whole machine-learning cycle for the one data person at a small organization."""

from soloml._version import __version__
from soloml.canonical import identity_report
from soloml.demo import generate_bluebird, run_demo
from soloml.deploy import ScoreResult, create_app, score_project, serve
from soloml.errors import SolomlError
from soloml.experiments import ExperimentSpec, analyze_experiment
from soloml.features import TrainingSet, audit_leakage, build_scoring_frame, build_training_set
from soloml.modeling import SolomlClassifier, SolomlRegressor, TrainReport, TrainResult
from soloml.modeling.workflow import train
from soloml.monitoring import monitor_project
from soloml.projects import ProjectSpec, load_spec, spec_from_answers, table_spec
from soloml.registry import load_model, promote, rollback, save_model
from soloml.sources import LoadResult, load_paths
from soloml.workspace import Workspace, find_workspace, init_workspace

__all__ = [
    "ExperimentSpec",
    "LoadResult",
    "ProjectSpec",
    "ScoreResult",
    "SolomlClassifier",
    "SolomlError",
    "SolomlRegressor",
    "TrainReport",
    "TrainResult",
    "TrainingSet",
    "Workspace",
    "__version__",
    "analyze_experiment",
    "audit_leakage",
    "build_scoring_frame",
    "build_training_set",
    "create_app",
    "find_workspace",
    "generate_bluebird",
    "identity_report",
    "init_workspace",
    "load_model",
    "load_paths",
    "load_spec",
    "monitor_project",
    "promote",
    "rollback",
    "run_demo",
    "save_model",
    "score_project",
    "serve",
    "spec_from_answers",
    "table_spec",
    "train",
]
