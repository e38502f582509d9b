"""soloml: the whole machine-learning cycle for the one data person at a small organization.

The public API is what `__all__` lists. Names are imported on first use, so `import soloml`
(and the `soloml` command) start fast and only pay for the stages they touch.

The use cases are the commands' own (soloml.app): `soloml.load(ws, paths)`, `soloml.check(ws, project)`,
`soloml.forecast(ws, project)`, `soloml.score(ws, project)`, `soloml.monitor(ws, project)` take the workspace (a Workspace, or its folder) first, then what they act
on, then keyword options, and return a result whose `to_facts()` is what `--json` prints.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from soloml._version import __version__
from soloml.errors import SolomlError

# public name -> module that defines it ("module:attribute" when the module calls it otherwise)
_EXPORTS = {
    "load": "soloml.app.load",
    "LoadSummary": "soloml.sources",
    "check": "soloml.app.check:run_check",
    "ReadinessReport": "soloml.readiness",
    "forecast": "soloml.app.forecast",
    "ForecastOutcome": "soloml.app.forecast",
    "score": "soloml.app.score",
    "monitor": "soloml.app.monitor",
    "Facts": "soloml.facts",
    "Workspace": "soloml.workspace",
    "find_workspace": "soloml.workspace",
    "init_workspace": "soloml.workspace",
    "LoadResult": "soloml.sources",
    "load_paths": "soloml.sources",
    "identity_report": "soloml.canonical",
    "ProjectSpec": "soloml.projects",
    "load_spec": "soloml.projects",
    "spec_from_answers": "soloml.projects",
    "table_spec": "soloml.projects",
    "TrainingSet": "soloml.features",
    "audit_leakage": "soloml.features",
    "build_scoring_frame": "soloml.features",
    "build_training_set": "soloml.features",
    "SolomlClassifier": "soloml.modeling",
    "SolomlRegressor": "soloml.modeling",
    "TrainReport": "soloml.app.train",
    "TrainResult": "soloml.modeling",
    "train": "soloml.app.train",
    "load_model": "soloml.registry",
    "promote": "soloml.registry",
    "rollback": "soloml.registry",
    "save_model": "soloml.registry",
    "ScoreResult": "soloml.deploy",
    "create_app": "soloml.deploy",
    "score_project": "soloml.deploy",
    "serve": "soloml.app.serve",  # the same service as `soloml serve`: recovery first, experiments and forecasts mounted
    "ExperimentSpec": "soloml.experiments",
    "analyze_experiment": "soloml.experiments",
    "monitor_project": "soloml.monitoring",
    "generate_bluebird": "soloml.demo",
    "run_demo": "soloml.demo",
}

__all__ = sorted(["SolomlError", "__version__", *_EXPORTS])


def __getattr__(name: str) -> Any:
    where = _EXPORTS.get(name)
    if where is None:
        raise AttributeError(f"module 'soloml' has no attribute {name!r}")
    module, _, attribute = where.partition(":")
    value = getattr(importlib.import_module(module), attribute or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # for type checkers and IDEs
    from soloml.app.check import run_check as check
    from soloml.app.forecast import ForecastOutcome, forecast
    from soloml.app.load import load
    from soloml.app.monitor import monitor
    from soloml.app.score import score
    from soloml.app.serve import serve
    from soloml.app.train import TrainReport, train
    from soloml.canonical import identity_report
    from soloml.demo import generate_bluebird, run_demo
    from soloml.deploy import ScoreResult, create_app, score_project
    from soloml.experiments import ExperimentSpec, analyze_experiment
    from soloml.facts import Facts
    from soloml.features import TrainingSet, audit_leakage, build_scoring_frame, build_training_set
    from soloml.modeling import SolomlClassifier, SolomlRegressor, TrainResult
    from soloml.monitoring import monitor_project
    from soloml.projects import ProjectSpec, load_spec, spec_from_answers, table_spec
    from soloml.readiness import ReadinessReport
    from soloml.registry import load_model, promote, rollback, save_model
    from soloml.sources import LoadResult, LoadSummary, load_paths
    from soloml.workspace import Workspace, find_workspace, init_workspace
