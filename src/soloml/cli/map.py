"""`soloml map FILE`: draft a mapping for a file soloml does not recognise, for you to confirm and edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from soloml.canonical.schema import MAPPABLE_TABLES
from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, handled, workspace


def _render(r: dict[str, Any]) -> None:
    console.print(
        f"Draft mapping written to {r['mapping']}: the file looks like core.{r['table']} ({r['table_reason']})."
    )
    for c in r["columns"]:
        what = f"'{c['from']}'" if c["from"] is not None else f"the value {c['literal']!r}"
        console.print(f"  {c['column']:<18} <- {what}  [{c['confidence']}] {c['reason']}", markup=False)
    for m in r["missing_required"]:
        console.print(f"  {m:<18} <- ??? required, no column found: fill it in", markup=False)
    for n in r["notes"]:
        console.print(f"  Note: {n}", markup=False)
    if r["unused_file_columns"]:
        console.print(f"  Not used: {', '.join(r['unused_file_columns'])}", markup=False)
    console.print(
        "Next: check every guess in the file (values: maps your statuses), then `soloml load` the file again."
    )


def register(app: typer.Typer) -> None:
    @app.command("map")
    def map_cmd(
        file: Annotated[Path, typer.Argument(help="The file to map (CSV, TSV, XLSX, Parquet, JSON).")],
        table: Annotated[
            str | None,
            typer.Option(
                "--table", help=f"Canonical table to map onto: {', '.join(MAPPABLE_TABLES)}. Guessed when omitted."
            ),
        ] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing mappings/<name>.yaml.")] = False,
        ws_path: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Draft mappings/<name>.yaml for a file soloml does not recognise: a guess per column, with why and how sure."""
        with handled():
            from soloml.app.mapping import draft_mapping

            draft = draft_mapping(workspace(ws_path), file, table=table, force=force)
            emit(draft, as_json, lambda d: _render(d.to_facts()))
