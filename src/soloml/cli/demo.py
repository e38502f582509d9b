"""`soloml demo`: build the Bluebird Coffee demo business and run the whole cycle on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from soloml.cli.output import JsonOption, console, handled, print_json, progress_enabled


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_cmd(
        directory: Annotated[
            Path, typer.Option("--dir", help="Folder for the demo workspace (made if missing; safe to reuse).")
        ] = Path("demo-workspace"),
        customers: Annotated[int, typer.Option("--customers", help="How many customers Bluebird Coffee has.")] = 5000,
        seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same files.")] = 7,
        as_json: JsonOption = False,
    ) -> None:
        """Make a demo business (Bluebird Coffee) with two years of messy exports, and run soloml on it end to end."""
        with handled():
            from soloml.demo import run_demo

            summary = run_demo(
                directory, customers=customers, seed=seed, console=console, json=as_json, progress=progress_enabled()
            )
            if as_json:
                print_json(summary)
