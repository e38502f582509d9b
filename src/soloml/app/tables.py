"""`soloml tables`'s use case: every warehouse table with its rows, columns (and original headers) and last load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.facts import JSON, jsonable

if TYPE_CHECKING:
    from soloml.warehouse.tables import TableInfo


@dataclass(frozen=True)
class TableListing:
    """The tables of the data schemas (and ops.* when asked), in schema then name order."""

    tables: tuple[TableInfo, ...]

    def to_facts(self) -> dict[str, JSON]:
        """`{"tables": [...]}`, as `soloml tables --json` prints it."""
        return {"tables": jsonable(self.tables)}


def tables(workspace: WorkspaceLike, *, include_ops: bool = False) -> TableListing:
    """List the warehouse's tables (raw, core, features; with `include_ops` the ops.* journals too)."""
    from soloml.warehouse.tables import DATA_SCHEMAS, list_tables

    with as_workspace(workspace).connect() as con:
        return TableListing(tuple(list_tables(con, schemas=(*DATA_SCHEMAS, "ops") if include_ops else DATA_SCHEMAS)))
