"""soloml: the whole machine-learning cycle for the one data person at a small organization."""

from soloml._version import __version__
from soloml.errors import SolomlError
from soloml.experiments import ExperimentSpec, analyze_experiment
from soloml.monitoring import monitor_project
from soloml.sources import LoadResult, load_paths
from soloml.workspace import Workspace, find_workspace, init_workspace

__all__ = [
    "ExperimentSpec",
    "LoadResult",
    "SolomlError",
    "Workspace",
    "__version__",
    "analyze_experiment",
    "find_workspace",
    "init_workspace",
    "load_paths",
    "monitor_project",
]
