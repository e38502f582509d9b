"""What every dashboard page's facts share: the 404 they raise, workspace-relative paths, JSON read back from ops.

Each page gathers its facts in its own module, from the stage APIs, as plain JSON-ready dicts: the Board
(web/board_facts.py), a Project (web/project_facts.py), Data (web/data_facts.py), Models (web/model_facts.py)
and Experiments (web/experiment_facts.py). The Project page can later be switched to
`reports.facts.project_facts(ws, project).to_facts()` block by block. Every function takes an open
connection (the page opens one per request and closes it, so a CLI command in another process can
still write the warehouse) and returns dicts the templates only format: no query lives in a template.

Paths shown on a page are relative to the workspace root; absolute paths never leave these modules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from soloml.workspace import Workspace


class NotFound(LookupError):
    """A project, version or experiment the workspace does not hold (the page answers 404)."""


def relative(ws: Workspace, path: Path | str | None) -> str | None:
    """`path` relative to the workspace root; a path outside it is shown by its file name only."""
    if path is None:
        return None
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ws.root))
    except ValueError:
        return p.name


def json_value(value: Any) -> Any:
    """A JSON text column read back as Python (None when it does not parse); other values as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value
