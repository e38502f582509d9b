"""Shared CLI plumbing: workspace, --json and --scheduler options, --json printing, errors as one paragraph and exit 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from soloml.errors import SolomlError
from soloml.facts import Facts, facts, jsonable
from soloml.workspace import Workspace, find_workspace

console = Console(stderr=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

WorkspaceOption = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder (default: $SOLOML_WORKSPACE, then the current folder upward).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: the scheduler's address (tcp://HOST:8786); default: local worker processes.",
    ),
]


def workspace(explicit: Path | None) -> Workspace:
    return find_workspace(explicit)


def print_json(value: object) -> None:
    """`value` as JSON on stdout (soloml.facts.jsonable decides how each value is written)."""
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@contextmanager
def handled() -> Iterator[None]:
    """Turn a SolomlError into its one-paragraph message on stderr and exit code 1."""
    try:
        yield
    except SolomlError as exc:
        err_console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(exc.exit_code) from None


def emit(result: Facts | Sequence[Facts], as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `result.to_facts()` (a list of them for a listing) as JSON when asked, else hand `result` to its renderer."""
    if as_json:
        print_json([facts(r) for r in result] if isinstance(result, Sequence) else facts(result))
    else:
        render(result)


def progress_enabled() -> bool:
    """Progress bars only on a terminal; quiet in pipes, cron and tests."""
    return sys.stderr.isatty()
