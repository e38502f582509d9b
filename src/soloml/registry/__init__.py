"""The model registry: a folder of versioned, checksummed models with production/candidate aliases."""

from soloml.registry.aliases import AliasChange, ModelInfo, history, list_versions, promote, resolve, rollback
from soloml.registry.store import LoadedModel, load_model, save_model

__all__ = [
    "AliasChange",
    "LoadedModel",
    "ModelInfo",
    "history",
    "list_versions",
    "load_model",
    "promote",
    "resolve",
    "rollback",
    "save_model",
]
