"""The `soloml` command. Each command group lives in its own module and registers itself here."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from soloml._version import __version__

# One module per command group, in the order `soloml --help` lists them.
COMMAND_MODULES = (
    "init",
    "demo",
    "load",
    "tables",
    "schema",
    "map",
    "identities",
    "check",
    "experiment",
    "monitor",
    "score",
    "serve",
    "interview",
    "features",
    "train",
    "forecast",
    "models",
    "board",
    "update",
    "report",
    "ui",
)

app = typer.Typer(
    name="soloml",
    help="The whole machine-learning cycle for the one data person at a small organization.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"soloml {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """soloml: bring your data together, build a model that pays for itself, ship it, prove it."""


for _module in COMMAND_MODULES:
    importlib.import_module(f"soloml.cli.{_module}").register(app)


def main() -> None:
    app()
