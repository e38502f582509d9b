"""Settling what an interrupted `soloml train`, `promote` or `rollback` left in the registry.

A kill can leave, in a project's folder:

- a `.staging-<pid>-<hex>` folder (killed while writing a version): removed once its process is gone
  (a folder without a pid, from an older soloml, once it is an hour old);
- a `.aliases.json.<pid>.tmp` file (killed while replacing aliases.json): removed likewise;
- aliases.json ahead of ops.model_events (killed after the file was replaced, before its event
  committed): services already read the file, so the event is recorded (action 'recover');
- a complete version no event or alias knows (killed between the rename and its registration): it is
  registered, and made the candidate when it is newer than the current candidate.

`recover_registry` does all of it and returns what it did, in words. Without a warehouse connection it
only removes the leftovers of processes that are gone.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

from soloml.errors import RegistryError
from soloml.owners import running
from soloml.registry.aliases import ALIASES_FILE, next_time, read_aliases, set_alias
from soloml.registry.store import VERSION_RE, verify, versions
from soloml.warehouse import ops

STALE_SECONDS = 3600.0
_STAGING = re.compile(r"\.staging-(?:(\d+)-)?[0-9a-f]{32}")
_ALIAS_TMP = re.compile(re.escape(f".{ALIASES_FILE}.") + r"(\d+)\.tmp")


def recover_registry(con: Any, models_dir: Path) -> list[str]:
    """Clean and reconcile every project folder under `models_dir`; returns one sentence per thing done."""
    root = Path(models_dir)
    if not root.is_dir():
        return []
    notes: list[str] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notes += _remove_leftovers(folder)
        if con is not None and versions(root, folder.name):
            try:
                notes += _record_aliases(con, root, folder.name)
                notes += _register_orphans(con, root, folder.name)
            except RegistryError as exc:  # e.g. aliases.json is not JSON: `resolve` says so where it matters
                notes.append(f"Left {folder.name} as it is: {exc.message}")
    return notes


def _remove_leftovers(folder: Path) -> list[str]:
    notes = []
    for entry in sorted(folder.iterdir()):
        staging, alias_tmp = _STAGING.fullmatch(entry.name), _ALIAS_TMP.fullmatch(entry.name)
        match = staging or alias_tmp
        if match is None or not _abandoned(entry, match.group(1)):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        what = (
            "a model version left half-written by an interrupted `soloml train`"
            if staging
            else "a temporary aliases file of an interrupted promotion"
        )
        notes.append(f"Removed models/{folder.name}/{entry.name}: {what}.")
    return notes


def _abandoned(path: Path, pid: str | None) -> bool:
    if pid is None:
        try:
            return time.time() - path.stat().st_mtime > STALE_SECONDS
        except OSError:
            return False
    return not running(int(pid))


def _last_event(con: Any, project: str, alias: str) -> str | None:
    row = con.execute(
        "SELECT version FROM ops.model_events WHERE project = ? AND alias = ? ORDER BY happened_at DESC LIMIT 1",
        [project, alias],
    ).fetchone()
    return None if row is None else row[0]


def _record_aliases(con: Any, root: Path, project: str) -> list[str]:
    known = versions(root, project)
    notes = []
    for alias, version in sorted(read_aliases(root, project).items()):
        if not (isinstance(version, str) and VERSION_RE.fullmatch(version) and version in known):
            continue  # not a saved version: resolving the alias refuses it with the reason
        last = _last_event(con, project, alias)
        if last == version:
            continue
        ops.record_model_event(
            con,
            project=project,
            action="recover",
            alias=alias,
            version=version,
            previous_version=last,
            happened_at=next_time(con, project),
            note=f"recovered: aliases.json said {alias}={version}, no event did",
        )
        notes.append(
            f"Recorded in ops.model_events that {project} {alias} is {version}: aliases.json (what services read) said so, "
            f"but the last event said {last or 'nothing'} (a promotion interrupted before it was recorded)."
        )
    return notes


def _register_orphans(con: Any, root: Path, project: str) -> list[str]:
    recorded = {
        v
        for (v,) in con.execute("SELECT DISTINCT version FROM ops.model_events WHERE project = ?", [project]).fetchall()
    }
    aliases = read_aliases(root, project)
    orphans = [v for v in versions(root, project) if v not in recorded and v not in aliases.values()]
    notes = []
    candidate = aliases.get("candidate")
    newest = orphans[-1] if orphans else None
    for version in orphans:
        try:
            verify(root / project / version)
        except RegistryError as exc:
            notes.append(f"Left {project} {version} unregistered: {exc.message}")
            continue
        if version == newest and not (
            isinstance(candidate, str) and VERSION_RE.fullmatch(candidate) and int(candidate[1:]) > int(version[1:])
        ):
            set_alias(
                con,
                root,
                project,
                "candidate",
                version,
                action="register",
                note="recovered: saved by an interrupted train",
            )
            notes.append(
                f"Registered {project} {version} as the candidate: a `soloml train` saved it completely but was interrupted before registering it."
            )
        else:
            ops.record_model_event(
                con,
                project=project,
                action="register",
                version=version,
                happened_at=next_time(con, project),
                note="recovered: saved by an interrupted train",
            )
            notes.append(
                f"Recorded {project} {version} in ops.model_events: an interrupted `soloml train` saved it without registering it."
            )
    return notes
