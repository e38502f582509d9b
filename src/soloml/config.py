"""Typed settings, read from a workspace's soloml.yaml and overridden by SOLOML_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from soloml.errors import ConfigError, SolomlError, did_you_mean

ModelT = TypeVar("ModelT", bound=BaseModel)

DateOrder = Literal["auto", "ymd", "mdy", "dmy"]


class LoadSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_quarantine_share: float = Field(0.05, ge=0.0, le=1.0, description="A load fails whole above this share of bad rows.")
    date_order: DateOrder = Field("auto", description="How to read ambiguous dates like 03/04/2024.")


class CrmSettings(BaseModel):
    """The CRM's own time zone: HubSpot and Salesforce exports write times in the portal's / org's zone, without an
    offset. Asked once, on the first CRM export `soloml load` meets on a terminal, and remembered here."""

    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(None, description="IANA zone of HubSpot/Salesforce export times, e.g. America/Chicago; unset: UTC.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"'{value}' is not a time-zone name; use an IANA name such as 'America/Chicago'") from None
        return value


def remember_crm_timezone(config: Path, zone: str) -> None:
    """Write `crm: {timezone: zone}` into soloml.yaml, keeping every other setting (and the header comment)."""
    CrmSettings(timezone=zone)  # refuses unknown zones before anything is written
    text = config.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    data = yaml.safe_load(text) or {}
    data.setdefault("crm", {})["timezone"] = zone
    config.write_text(header + yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


class Settings(BaseModel):
    """Everything soloml.yaml may hold."""

    model_config = ConfigDict(extra="forbid")

    name: str = "soloml workspace"
    warehouse: str = Field("warehouse.duckdb", description="DuckDB file (relative to the workspace) or a database URL.")
    timezone: str = Field("UTC", description="The business's home time zone, for reports.")
    currency: str = Field("USD", description="The business's home currency.")
    load: LoadSettings = LoadSettings()
    crm: CrmSettings = CrmSettings()
    sources: list[dict[str, Any]] = Field(default_factory=list, description="Files or databases to load, for re-runs.")


def load_settings(path: Path, env: dict[str, str] | None = None) -> Settings:
    """Read `path` (soloml.yaml) and apply SOLOML_WAREHOUSE / SOLOML_MAX_QUARANTINE_SHARE / SOLOML_DATE_ORDER."""
    env = dict(os.environ) if env is None else env
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}.", hint="Fix the file or re-create it with `soloml init`.") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of settings, got {type(raw).__name__}.")
    if "SOLOML_WAREHOUSE" in env:
        raw["warehouse"] = env["SOLOML_WAREHOUSE"]
    load = dict(raw.get("load") or {})
    if "SOLOML_MAX_QUARANTINE_SHARE" in env:
        load["max_quarantine_share"] = float(env["SOLOML_MAX_QUARANTINE_SHARE"])
    if "SOLOML_DATE_ORDER" in env:
        load["date_order"] = env["SOLOML_DATE_ORDER"]
    if load:
        raw["load"] = load
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {format_validation_error(exc)}") from exc


def find_named_yaml(folder: Path, name: str, *, kind: str, plural: str, error: type[SolomlError], hint: str) -> Path:
    """`folder/<name>.yaml`, or `error` with 'did you mean' and the list of what exists."""
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.yaml"))
        listing = f" {plural.capitalize()} here: {', '.join(known)}." if known else f" There are no {plural} yet."
        raise error(f"No {kind} '{name}' in {folder}.{did_you_mean(name, known)}{listing}", hint=hint)
    return path


def load_yaml_model(
    path: Path | str,
    model: type[ModelT],
    *,
    kind: str,
    missing: type[SolomlError] = ConfigError,
    missing_hint: str | None = None,
    docs: str,
) -> ModelT:
    """Read a YAML file of settings (a project, an experiment) into `model`; name defaults to the file stem.

    Every problem is a ConfigError naming the file and key (a missing file raises `missing`).
    """
    path = Path(path)
    if not path.is_file():
        raise missing(f"{kind.capitalize()} file {path} does not exist.", hint=missing_hint)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}.") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of {kind} settings.")
    raw.setdefault("name", path.stem)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {format_validation_error(exc)}", hint=f"See {docs} for every key and its allowed values.") from exc


def format_validation_error(exc: ValidationError) -> str:
    """One line per problem: the YAML key path, what was given, and what is allowed."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        given = err.get("input")
        given_text = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"key '{key}': {err['msg']}{given_text}")
    return "; ".join(lines) + "."
