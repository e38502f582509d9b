"""`soloml tables [--json]`: every warehouse table with its row count, columns and last load."""

from __future__ import annotations

from typing import Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace
from soloml.warehouse.tables import TableInfo


def _describe(tables: list[TableInfo]) -> None:
    if not tables:
        console.print("The warehouse is empty. Load data with `soloml load FILE`.")
        return
    for t in tables:
        data_cols = [c for c in t.columns if not c.name.startswith("_")]
        console.print(f"{t.table}: {t.rows:,} rows, {len(data_cols)} columns")
        shown = ", ".join(
            f"{c.name} {c.type}" + (f" ('{c.header}')" if c.header and c.header != c.name else "") for c in data_cols
        )
        console.print(f"  {shown}")
        if t.last_load is not None:
            when = f"{t.last_load.finished_at:%Y-%m-%d %H:%M} UTC" if t.last_load.finished_at else "?"
            console.print(f"  last load {t.last_load.load_id} on {when} from {t.last_load.source}")


def register(app: typer.Typer) -> None:
    @app.command("tables")
    def tables_cmd(
        include_ops: Annotated[bool, typer.Option("--ops", help="Also list the ops.* journals.")] = False,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """List every table in the warehouse with its row count, columns (and original headers) and last load."""
        from soloml.app.tables import tables

        with handled():
            listing = tables(workspace(ws_dir), include_ops=include_ops)
            emit(listing, as_json, lambda r: _describe(list(r.tables)))
