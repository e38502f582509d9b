"""Sources: read files and databases and land them in raw.* (atomic, idempotent, typed)."""

from soloml.sources.batch import LoadRequest, load_all, load_paths
from soloml.sources.results import LoadResult, LoadSummary

__all__ = ["LoadRequest", "LoadResult", "LoadSummary", "load_all", "load_paths"]
