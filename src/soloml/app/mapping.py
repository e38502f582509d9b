"""`soloml map`'s use case: draft mappings/<name>.yaml for a file soloml does not recognise, in the workspace's currency."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from soloml.app.workspaces import WorkspaceLike, as_workspace

if TYPE_CHECKING:
    from soloml.canonical.mapping_draft import MappingDraft


def draft_mapping(
    workspace: WorkspaceLike, file: str | Path, *, table: str | None = None, force: bool = False
) -> MappingDraft:
    """A guess per column of `file` (onto `table`, or the canonical table it looks like), written for a person to confirm."""
    from soloml.canonical.mapping_draft import write_draft

    ws = as_workspace(workspace)
    return write_draft(Path(file), ws.mappings_dir, table=table, default_currency=ws.settings.currency, force=force)
