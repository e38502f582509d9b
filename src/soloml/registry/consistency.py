"""A saved version's metadata checked against its own booster before anything uses it.

`store.verify` (SHA-256) catches files that changed after they were saved; this check catches metadata
that does not describe the booster it sits beside (hand-edited or forged, with checksums re-sealed): a
threshold that is not a number, an unknown task, a signature with other features than the booster reads,
a feature typed as a number that the booster splits as a category. Such a version is refused with one
RegistryError naming the field, so a service refuses that version only and keeps serving the rest.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from soloml.errors import RegistryError

TASKS = ("binary", "regression", "multiclass")
KINDS = ("float", "int", "bool", "category", "string")
CATEGORICAL = ("category", "string")


def booster_header(model_text: str) -> dict[str, str]:
    """The `key=value` lines LightGBM writes above the first tree (feature names, feature infos, classes)."""
    header: dict[str, str] = {}
    for line in model_text.splitlines()[:64]:
        if line.startswith("Tree="):
            break
        key, sep, value = line.partition("=")
        if sep:
            header[key.strip()] = value.strip()
    return header


def check_metadata(metadata: Any, model_text: str, *, where: str) -> None:
    """Raise RegistryError (naming `where`, e.g. 'churn v0002 (models/churn/v0002/metadata.json)') on the first misfit."""
    problem = misfit(metadata, booster_header(model_text))
    if problem is not None:
        raise RegistryError(
            f"Model {where} cannot be used: {problem}.",
            hint="Its metadata does not describe its booster, so soloml refuses this version. Train a new version (`soloml train PROJECT`) or promote another.",
        )


def misfit(metadata: Any, header: Mapping[str, str]) -> str | None:
    """What is wrong with `metadata` for a booster with this header, or None."""
    if not isinstance(metadata, dict):
        return f"metadata.json holds {type(metadata).__name__}, not an object"
    for check in (_task, _threshold, _signature, _stats):
        problem = check(metadata, header)
        if problem is not None:
            return problem
    return None


def _task(meta: dict[str, Any], header: Mapping[str, str]) -> str | None:
    task = meta.get("task")
    if task not in TASKS:
        return f"task is {_shown(task)}, not one of {', '.join(TASKS)}"
    classes = int(header.get("num_class", "1") or 1)
    if task == "multiclass":
        listed = meta.get("classes")
        if not isinstance(listed, list) or len(listed) != classes:
            return f"classes lists {len(listed) if isinstance(listed, list) else _shown(listed)} but the booster predicts {classes} classes"
    elif classes != 1:
        return f"task is '{task}' but the booster predicts {classes} classes"
    return None


def _threshold(meta: dict[str, Any], _: Mapping[str, str]) -> str | None:
    if "threshold" not in meta:
        return "threshold is missing"
    value = meta["threshold"]
    if value is None:
        return None  # no threshold: scoring then needs --capacity
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return f"threshold is {_shown(value)}, not a number"
    return None


def _signature(meta: dict[str, Any], header: Mapping[str, str]) -> str | None:
    sig = meta.get("signature")
    if not isinstance(sig, dict) or not isinstance(sig.get("names"), list) or not isinstance(sig.get("dtypes"), dict):
        return "signature should hold names (a list) and dtypes (an object)"
    names, dtypes = sig["names"], sig["dtypes"]
    booster_names = header.get("feature_names", "").split()
    if len(names) != len(booster_names):
        return f"signature names {len(names)} features but the model reads {len(booster_names)}"
    for name, theirs in zip(names, booster_names, strict=False):
        if not isinstance(name, str) or re.sub(r"\s", "_", name) != theirs:
            return f"signature feature {_shown(name)} is '{theirs}' in the booster (names must match in order)"
    infos = header.get("feature_infos", "").split()
    categories = sig.get("categories", {})
    if not isinstance(categories, dict):
        return "signature categories should be an object"
    for i, name in enumerate(names):
        kind = dtypes.get(name)
        if kind is None:
            return f"signature feature '{name}' has no type"
        if kind not in KINDS:
            return f"signature feature '{name}' has type {_shown(kind)}, not one of {', '.join(KINDS)}"
        info = infos[i] if i < len(infos) else "none"
        if info != "none" and (kind in CATEGORICAL) != (not info.startswith("[")):
            split = "as a category" if not info.startswith("[") else "as a number (numeric)"
            return f"signature feature '{name}' is typed {kind} but the booster splits it {split}"
        if name in categories and not (
            isinstance(categories[name], list) and all(isinstance(c, str | int | float) for c in categories[name])
        ):
            return f"signature categories of '{name}' should be a list of values"
    return None


def _stats(meta: dict[str, Any], _: Mapping[str, str]) -> str | None:
    stats = meta.get("feature_stats", {})
    if stats is not None and not (isinstance(stats, dict) and all(isinstance(v, dict) for v in stats.values())):
        return "feature_stats should map each feature to an object"
    return None


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."
