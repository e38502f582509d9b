"""Shared CLI plumbing: workspace option, --json printing, errors as one paragraph and exit 1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from soloml.errors import SolomlError
from soloml.workspace import Workspace, find_workspace

console = Console(stderr=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="Workspace folder (default: $SOLOML_WORKSPACE, then the current folder upward).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def workspace(explicit: Path | None) -> Workspace:
    return find_workspace(explicit)


def to_jsonable(value: Any) -> Any:
    """Dataclasses, pydantic models, dates, decimals and paths, as plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@contextmanager
def handled() -> Iterator[None]:
    """Turn a SolomlError into its one-paragraph message on stderr and exit code 1."""
    try:
        yield
    except SolomlError as exc:
        err_console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(exc.exit_code) from None


def emit(result: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    """Print `result` as JSON when asked, else through its human renderer."""
    if as_json:
        print_json(result)
    else:
        render(result)


def progress_enabled() -> bool:
    """Progress bars only on a terminal; quiet in pipes, cron and tests."""
    return sys.stderr.isatty()
