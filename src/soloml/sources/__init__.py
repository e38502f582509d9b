"""Sources: read files and databases and land them in raw.* (atomic, idempotent, typed)."""

from soloml.sources.loader import LoadResult, load_paths

__all__ = ["LoadResult", "load_paths"]
