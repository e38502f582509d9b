"""Is the data still arriving? The core lives in soloml.warehouse.freshness (readiness checks use it too)."""

from soloml.warehouse.freshness import (
    DEFAULT_MAX_AGE,
    SUCCESS,
    SourceFreshness,
    source_freshness,
)

__all__ = ["DEFAULT_MAX_AGE", "SUCCESS", "SourceFreshness", "source_freshness"]
