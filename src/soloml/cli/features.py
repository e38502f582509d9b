"""`soloml features PROJECT`: build (or reuse) a project's training set and summarise it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from soloml.cli.output import JsonOption, WorkspaceOption, console, emit, err_console, handled, workspace

if TYPE_CHECKING:
    from soloml.features.summary import FeaturesReport


def _render(r: FeaturesReport) -> None:
    state = r.cache or ("reused from the cache" if r.reused else "rebuilt")
    console.print(
        f"Training set for '{r.project}' ({r.recipe}, {r.task}): {r.rows:,} rows, {r.entities:,} entities, {state}.",
        markup=False,
    )
    console.print(f"Features use {r.feature_window}; the label uses {r.label_window}.", markup=False)
    if r.population:
        console.print(f"Population: {r.population}.", markup=False)
    rate_name = "mean label" if r.task == "regression" else "base rate"
    for c in r.cutoffs:
        when = f"{c.cutoff:%Y-%m-%d}" if c.cutoff else "(no time)"
        rate = (
            ""
            if c.base_rate is None
            else (f", {rate_name} {c.base_rate:.1%}" if r.task == "binary" else f", {rate_name} {c.base_rate:,.2f}")
        )
        console.print(f"  {when}: {c.rows:,} rows{rate}", markup=False)
    console.print(f"{len(r.features)} features (share missing):", markup=False)
    for f in r.features:
        kind = " [category]" if f.categorical else ""
        console.print(f"  {f.name}{kind}: {f.description} — {f.null_share:.0%} missing", markup=False)
    if r.audit_message:
        console.print(r.audit_message, markup=False)


def register(app: typer.Typer) -> None:
    @app.command("features")
    def features_cmd(
        project: Annotated[str, typer.Argument(help="Project name (projects/NAME.yaml).")],
        audit: Annotated[
            bool, typer.Option("--audit", help="Also check that no feature reads data from after its cutoff.")
        ] = False,
        as_of: Annotated[
            datetime | None, typer.Option("--as-of", help="Treat this date as the end of the data.")
        ] = None,
        no_cache: Annotated[
            bool, typer.Option("--no-cache", help="Rebuild without reading or writing the cache.")
        ] = False,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Build the training set of PROJECT: rows and base rate per cutoff, each feature's missing share."""
        with handled():
            from soloml.app.features import features

            report = features(workspace(ws_dir), project, audit=audit, as_of=as_of, use_cache=not no_cache)
            emit(report, as_json, _render)
            if report.audit_passed is False:
                if as_json:
                    err_console.print(report.audit_message, markup=False)
                raise typer.Exit(1)
