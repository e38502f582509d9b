"""soloml: the whole machine-learning cycle for the one data person at a small organization."""

from soloml._version import __version__
from soloml.errors import SolomlError
from soloml.sources import LoadResult, load_paths
from soloml.workspace import Workspace, find_workspace, init_workspace

__all__ = [
    "LoadResult",
    "SolomlError",
    "Workspace",
    "__version__",
    "find_workspace",
    "init_workspace",
    "load_paths",
]
