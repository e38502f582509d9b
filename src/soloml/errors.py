"""The one exception tree. Every message says what is wrong, the value at fault, and what to do.

SolomlError
├── WorkspaceError        no workspace / bad soloml.yaml
├── ConfigError           invalid settings or spec (names the YAML key)
├── WarehouseError        connection / SQL failures
├── LoadError             a file or table could not be loaded (names file, row, column, value)
│   └── QuarantineLimitError  too many rows could not be parsed
├── AdapterError          a vendor file is missing columns / has values an adapter cannot map
│   └── IdentityError     an unknown or already decided identity suggestion
├── FeatureError          training-set building, user SQL features, leakage
├── ModelError            training, evaluation, verdict
│   └── ForecastError     series, backtests, forecasts (names the table, column, period, value)
├── RegistryError         model store: missing versions, tampered files
├── DeployError           scoring and serving
├── ExperimentError       design, assignment, analysis
├── MonitorError          drift, freshness, live performance
└── TrackerError          the board, the weekly update and its e-mail (names the file, row, column, value)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class SolomlError(Exception):
    """Base of every error soloml raises on purpose; the CLI prints its message and exits 1."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if not hint else f"{message} {hint}")


class WorkspaceError(SolomlError):
    pass


class ConfigError(SolomlError):
    pass


class WarehouseError(SolomlError):
    pass


class LoadError(SolomlError):
    pass


class QuarantineLimitError(LoadError):
    pass


class AdapterError(SolomlError):
    pass


class IdentityError(AdapterError):
    pass


class FeatureError(SolomlError):
    pass


class ModelError(SolomlError):
    pass


class ForecastError(ModelError):
    pass


class RegistryError(SolomlError):
    pass


class DeployError(SolomlError):
    pass


class ExperimentError(SolomlError):
    pass


class MonitorError(SolomlError):
    pass


class TrackerError(SolomlError):
    pass


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """' Did you mean 'x'?' when a close match exists, else ''. Append to an 'unknown name' message."""
    matches = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{matches[0]}'?" if matches else ""
