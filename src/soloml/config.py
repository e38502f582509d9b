"""Typed settings, read from a workspace's soloml.yaml and overridden by SOLOML_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from soloml.errors import ConfigError, SolomlError, did_you_mean

ModelT = TypeVar("ModelT", bound=BaseModel)

DateOrder = Literal["auto", "ymd", "mdy", "dmy"]


class LoadSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_quarantine_share: float = Field(
        0.05, ge=0.0, le=1.0, description="A load fails whole above this share of bad rows."
    )
    date_order: DateOrder = Field("auto", description="How to read ambiguous dates like 03/04/2024.")


# --- the board and the weekly update's e-mail (soloml.tracker) ---
SmtpSecurity = Literal["starttls", "tls", "none"]
BOARD_PERSON_COLUMNS = ("owner", "stakeholder", "next_step", "due", "effort_days", "notes")


class SmtpSettings(BaseModel):
    """Where `soloml update --send` delivers; the password is read only from $SOLOML_SMTP_PASSWORD."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    host: str | None = Field(None, description="Mail server, e.g. smtp.example.com.")
    port: int = Field(587, ge=1, le=65535)
    security: SmtpSecurity = Field(
        "starttls", description="starttls (port 587), tls (port 465) or none (a local relay only)."
    )
    user: str | None = Field(None, description="Login name; leave out for a server that needs none.")
    sender: str | None = Field(None, alias="from", description="The From address.")
    to: list[str] = Field(default_factory=list, description="Who gets the weekly update.")


class BoardSettings(BaseModel):
    """Columns of board.csv a person owns: soloml fills a blank cell, and never overwrites one a person typed."""

    model_config = ConfigDict(extra="forbid")

    person_columns: list[str] = Field(default_factory=lambda: list(BOARD_PERSON_COLUMNS))


class SourceSettings(BaseModel):
    """One entry of `sources:`: a file, a folder of exports or a glob (relative to the workspace), or database tables."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    path: str | None = Field(None, description="A file, a folder (every export in it) or a glob like exports/*.csv.")
    url: str | None = Field(None, description="A database URL; ${VAR} is read from the environment (for passwords).")
    table: str | None = Field(None, description="The table to read (for a database URL or a .db file).")
    tables: list[str] = Field(default_factory=list, description="Several tables of the same database.")
    as_name: str | None = Field(
        None, alias="as", description="Raw table name or vendor object, like `soloml load --as`."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> SourceSettings:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of 'path' or 'url'")
        if self.url is not None and not (self.table or self.tables):
            raise ValueError("a database source needs 'table' or 'tables'")
        return self


class CrmSettings(BaseModel):
    """The CRM's own time zone: HubSpot and Salesforce exports write times in the portal's / org's zone, without an
    offset. Asked once, on the first CRM export `soloml load` meets on a terminal, and remembered here."""

    model_config = ConfigDict(extra="forbid")

    timezone: str | None = Field(
        None, description="IANA zone of HubSpot/Salesforce export times, e.g. America/Chicago; unset: UTC."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"'{value}' is not a time-zone name; use an IANA name such as 'America/Chicago'"
                ) from None
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
    sources: list[SourceSettings] = Field(
        default_factory=list, description="What `soloml load` with no arguments loads."
    )
    smtp: SmtpSettings = SmtpSettings()
    board: BoardSettings = BoardSettings()
    crm: CrmSettings = CrmSettings()


def load_settings(path: Path, env: dict[str, str] | None = None) -> Settings:
    """Read `path` (soloml.yaml) and apply SOLOML_WAREHOUSE_URL (or SOLOML_WAREHOUSE) / SOLOML_MAX_QUARANTINE_SHARE /
    SOLOML_DATE_ORDER."""
    env = dict(os.environ) if env is None else env
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path} is not valid YAML: {exc}.", hint="Fix the file or re-create it with `soloml init`."
        ) from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a mapping of settings, got {type(raw).__name__}.")
    for name in ("SOLOML_WAREHOUSE", "SOLOML_WAREHOUSE_URL"):  # the second wins when both are set
        if env.get(name):
            raw["warehouse"] = env[name]
    load = dict(raw.get("load") or {})
    if "SOLOML_MAX_QUARANTINE_SHARE" in env:
        load["max_quarantine_share"] = float(env["SOLOML_MAX_QUARANTINE_SHARE"])
    if "SOLOML_DATE_ORDER" in env:
        load["date_order"] = env["SOLOML_DATE_ORDER"]
    if load:
        raw["load"] = load
    _apply_smtp_env(raw, env, path)
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {format_validation_error(exc)}") from exc


SMTP_ENV = {
    "SOLOML_SMTP_HOST": "host",
    "SOLOML_SMTP_PORT": "port",
    "SOLOML_SMTP_SECURITY": "security",
    "SOLOML_SMTP_USER": "user",
    "SOLOML_SMTP_FROM": "from",
    "SOLOML_SMTP_TO": "to",
}


def _apply_smtp_env(raw: dict[str, Any], env: dict[str, str], path: Path) -> None:
    """SOLOML_SMTP_* override soloml.yaml's smtp block; a password in the file is refused (env only)."""
    smtp = dict(raw.get("smtp") or {})
    if "password" in smtp:
        raise ConfigError(
            f"{path}: key 'smtp.password' is not allowed: a password never goes in soloml.yaml.",
            hint="Remove it and set the SOLOML_SMTP_PASSWORD environment variable instead.",
        )
    for var, key in SMTP_ENV.items():
        if env.get(var):
            smtp[key] = [a.strip() for a in env[var].split(",") if a.strip()] if key == "to" else env[var]
    if smtp:
        raw["smtp"] = smtp


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
        raise ConfigError(
            f"{path}: {format_validation_error(exc)}", hint=f"See {docs} for every key and its allowed values."
        ) from exc


def format_validation_error(exc: ValidationError) -> str:
    """One line per problem: the YAML key path, what was given, and what is allowed."""
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        given = err.get("input")
        given_text = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"key '{key}': {err['msg']}{given_text}")
    return "; ".join(lines) + "."
