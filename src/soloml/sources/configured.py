"""The `sources:` of soloml.yaml as load requests, so `soloml load` alone keeps the warehouse fresh from cron.

    sources:
      - path: exports/stripe_payments.csv     # a file
      - path: exports/shopify                 # a folder: every export in it
      - path: "exports/hubspot/*.csv"         # a glob
        as: hubspot.contacts
      - url: postgresql://app:${SHOP_DB_PASSWORD}@db:5432/shop
        tables: [public.orders, public.customers]

Paths are relative to the workspace; `${VAR}` in a URL is read from the environment. Each file becomes its
own load, so one that fails (or a glob that matches nothing) fails alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from soloml.config import SourceSettings
from soloml.errors import ConfigError
from soloml.sources.batch import LoadRequest

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand(url: str, env: Mapping[str, str]) -> str:
    missing = [name for name in _VAR.findall(url) if name not in env]
    if missing:
        raise ConfigError(
            f"soloml.yaml source '{url}' uses ${{{missing[0]}}}, which is not set in the environment.",
            hint=f"Set {missing[0]} where `soloml load` runs (the cron job's environment), or write the value in soloml.yaml.",
        )
    return _VAR.sub(lambda m: env[m.group(1)], url)


def _path(text: str, root: Path) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else root / path


def requests_for(sources: Sequence[SourceSettings], *, root: Path, env: Mapping[str, str]) -> list[LoadRequest]:
    """One load request per file, folder or table the settings list, in their order."""
    out: list[LoadRequest] = []
    for source in sources:
        tables = [t for t in [source.table, *source.tables] if t]
        if source.url is not None:
            url = _expand(source.url, env)
            out += [LoadRequest(url, source.as_name, t) for t in tables]
            continue
        path = str(_path(source.path or "", root))  # a glob is expanded when it is loaded
        out += [LoadRequest(path, source.as_name, t) for t in tables] or [LoadRequest(path, source.as_name)]
    return out
