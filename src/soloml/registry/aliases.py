"""Aliases ('production', 'candidate') per project, and their history.

The current aliases live in `models/<project>/aliases.json` — a plain {alias: version} mapping
replaced atomically, so a running service notices a promotion by the file's mtime. Every change is
also an event in `ops.model_events`; rollback replays those events (a promotion pushes a version,
a rollback pops one), so rolling back twice goes two promotions back.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from soloml.crashpoints import pause_at
from soloml.errors import RegistryError, did_you_mean
from soloml.facts import JSON, field_facts
from soloml.modeling.verdict import VERDICT_WORDS
from soloml.registry.store import VERSION_RE, kind_of, project_dir, projects, read_metadata, verify, versions
from soloml.warehouse import ops

ALIASES_FILE = "aliases.json"
SPECIAL_REFS = ("latest",)


@dataclass(frozen=True)
class AliasChange:
    project: str
    action: str
    alias: str
    version: str
    previous_version: str | None

    def to_facts(self) -> dict[str, JSON]:
        """Which version an alias moved from and to (`soloml promote/rollback --json`)."""
        return field_facts(self)


@dataclass(frozen=True)
class ModelInfo:
    project: str
    version: str
    created_at: str | None
    metric: str | None
    model_score: float | None
    verdict: str | None
    threshold: float | None
    aliases: tuple[str, ...]
    path: Path
    kind: str = "lightgbm"  # or "forecaster"; an entry without the field is a LightGBM model

    def to_facts(self) -> dict[str, JSON]:
        """One saved version as listed by `soloml models --json`."""
        return {
            "project": self.project,
            "version": self.version,
            "kind": self.kind,
            "aliases": list(self.aliases),
            "verdict": self.verdict,
            "verdict_words": VERDICT_WORDS.get(str(self.verdict), "not judged"),
            "metric": self.metric,
            "model_score": self.model_score,
            "threshold": self.threshold,
            "created_at": self.created_at,
            "path": str(self.path),
        }


def read_aliases(models_dir: Path, project: str) -> dict[str, Any]:
    """aliases.json as written; values are checked when an alias is resolved (`version_of`)."""
    path = project_dir(models_dir, project) / ALIASES_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(
            f"{path} is not valid JSON.", hint="Fix it by hand or re-run `soloml promote PROJECT VERSION`."
        ) from exc
    if not isinstance(data, dict):
        raise RegistryError(
            f'{path} should map aliases to versions ({{"production": "v0002"}}), got {type(data).__name__}.',
            hint="Fix it by hand or re-run `soloml promote PROJECT VERSION`.",
        )
    return {str(k): v for k, v in data.items()}


def version_of(models_dir: Path, project: str, alias: str, value: Any, known: list[str]) -> str:
    """The version an alias names, refused unless it is a version name ('v0003') saved in the project's folder."""
    path = project_dir(models_dir, project) / ALIASES_FILE
    listing = ", ".join(known) or "none"
    if not isinstance(value, str) or not VERSION_RE.fullmatch(value):
        raise RegistryError(
            f"{path} maps '{alias}' to {json.dumps(value)}, which is not a version name like v0003 (versions of '{project}': {listing}); "
            "soloml only loads models from the project's own folder.",
            hint=f"Point it at a version with `soloml promote {project} VERSION`.",
        )
    if value not in known:
        raise RegistryError(
            f"'{alias}' of project '{project}' names version {value}, which is not found in {path.parent} (versions: {listing}).",
            hint=f"Point it at a saved version with `soloml promote {project} VERSION`.",
        )
    return value


def _write_aliases(models_dir: Path, project: str, aliases: dict[str, str]) -> None:
    path = project_dir(models_dir, project) / ALIASES_FILE
    tmp = path.with_name(f".{ALIASES_FILE}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(dict(sorted(aliases.items())), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def resolve(models_dir: Path, project: str, ref: str = "production") -> str:
    """The version `ref` names: a version ('v0003'), an alias ('production', 'candidate') or 'latest'."""
    known = versions(models_dir, project)
    if not known:
        others = projects(models_dir)
        listing = f" Projects with models: {', '.join(others)}." if others else " No model has been saved yet."
        raise RegistryError(
            f"No saved models for project '{project}' in {models_dir}.{did_you_mean(project, others)}{listing}",
            hint=f"Run `soloml train {project}` first.",
        )
    if VERSION_RE.fullmatch(ref):
        if ref not in known:
            raise RegistryError(
                f"Project '{project}' has no version {ref}; it has {', '.join(known)}.",
                hint=f"See `soloml models {project}`.",
            )
        return ref
    if ref == "latest":
        return known[-1]
    aliases = read_aliases(models_dir, project)
    if ref not in aliases:
        names = [*aliases, *SPECIAL_REFS]
        if ref == "production":
            raise RegistryError(
                f"Project '{project}' has no production model yet (versions: {', '.join(known)}).",
                hint=f"Promote one: `soloml promote {project} {known[-1]}`.",
            )
        raise RegistryError(
            f"Project '{project}' has no version or alias '{ref}'.{did_you_mean(ref, names)} Aliases: {', '.join(names)}."
        )
    return version_of(models_dir, project, ref, aliases[ref], known)


def list_versions(models_dir: Path, project: str) -> list[ModelInfo]:
    """Every saved version of `project`, oldest first, with its headline numbers and aliases."""
    resolve(models_dir, project, "latest")  # raises a clear error for an unknown project
    aliases = read_aliases(models_dir, project)
    out = []
    for version in versions(models_dir, project):
        meta = read_metadata(models_dir, project, version)
        out.append(
            ModelInfo(
                project=project,
                version=version,
                created_at=meta.get("created_at"),
                metric=meta.get("metric"),
                model_score=meta.get("model_score"),
                verdict=meta.get("verdict"),
                threshold=meta.get("threshold"),
                aliases=tuple(sorted(a for a, v in aliases.items() if v == version)),
                path=project_dir(models_dir, project) / version,
                kind=kind_of(meta),
            )
        )
    return out


def set_alias(
    con: Any, models_dir: Path, project: str, alias: str, version: str, *, action: str, note: str | None = None
) -> AliasChange:
    """Point `alias` at `version`, recording the event in ops.model_events (when a connection is given)."""
    aliases = read_aliases(models_dir, project)
    previous = aliases.get(alias)
    change = AliasChange(project, action, alias, version, previous)
    if con is None:
        _write_aliases(models_dir, project, {**aliases, alias: version})
        return change
    con.execute("BEGIN TRANSACTION")
    try:
        ops.record_model_event(
            con,
            project=project,
            action=action,
            alias=alias,
            version=version,
            previous_version=previous,
            happened_at=next_time(con, project),
            note=note,
        )
        _write_aliases(models_dir, project, {**aliases, alias: version})
        pause_at("registry.aliases_written")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return change


def next_time(con: Any, project: str) -> datetime:
    """Now (UTC), nudged past the project's last event so the history has a strict order."""
    now = datetime.now(UTC).replace(tzinfo=None)
    last = con.execute("SELECT max(happened_at) FROM ops.model_events WHERE project = ?", [project]).fetchone()[0]
    if last is not None and now <= last:
        now = last + timedelta(microseconds=1)
    return now


def promote(
    con: Any, models_dir: Path, project: str, version: str, alias: str = "production", *, note: str | None = None
) -> AliasChange:
    """Make `version` (a version or an alias such as 'candidate') the `alias` model, after verifying its files."""
    resolved = resolve(models_dir, project, version)
    verify(project_dir(models_dir, project) / resolved)
    return set_alias(con, models_dir, project, alias, resolved, action="promote", note=note)


def history(con: Any, project: str, alias: str = "production") -> list[dict[str, Any]]:
    """The alias's events, oldest first."""
    rows = con.execute(
        "SELECT action, alias, version, previous_version, happened_at, note FROM ops.model_events "
        "WHERE project = ? AND alias = ? ORDER BY happened_at",
        [project, alias],
    ).fetchall()
    return [
        dict(zip(("action", "alias", "version", "previous_version", "happened_at", "note"), r, strict=True))
        for r in rows
    ]


def rollback(
    con: Any, models_dir: Path, project: str, alias: str = "production", *, note: str | None = None
) -> AliasChange:
    """Put back the version that was `alias` before the current one."""
    resolve(models_dir, project, "latest")  # a clear error for an unknown project
    stack: list[str] = []
    for event in history(con, project, alias):
        if event["action"] == "rollback":
            if stack:
                stack.pop()
        elif not stack or stack[-1] != event["version"]:
            stack.append(event["version"])
    current = read_aliases(models_dir, project).get(alias)
    if len(stack) < 2 or stack[-1] != current:
        raise RegistryError(
            f"There is no earlier '{alias}' model of '{project}' to roll back to (current: {current or 'none'}).",
            hint=f"Promote a specific version instead: `soloml promote {project} VERSION` (see `soloml models {project}`).",
        )
    target = stack[-2]
    verify(project_dir(models_dir, project) / target)
    return set_alias(con, models_dir, project, alias, target, action="rollback", note=note)
