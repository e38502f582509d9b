"""What every demo step receives and returns.

A step is a plain function `run(ctx: DemoContext) -> StepResult` in `soloml/demo/step_<area>.py`.
It reads what earlier steps found in `ctx.results` (keyed by step name), does one stage of the
cycle against the demo workspace, and says what it did in a few sentences a CEO follows.

    def run(ctx: DemoContext) -> StepResult:
        con = ctx.connect()
        try:
            n = con.execute("SELECT count(*) FROM core.customers").fetchone()[0]
        finally:
            con.close()
        return StepResult("count", (f"Bluebird has {n:,} customers.",), {"customers": n})
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from soloml.demo.generator import DemoExports
from soloml.warehouse.base import Connection
from soloml.workspace import Workspace


@dataclass(frozen=True)
class StepResult:
    """What a step did: `lines` in plain words, `data` for --json and later steps, `outputs` = files it wrote."""

    name: str
    lines: tuple[str, ...]
    data: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[Path, ...] = ()


@dataclass(frozen=True)
class DemoContext:
    """The demo workspace, its exports, and what the steps so far have produced (`results`, by step name)."""

    workspace: Workspace
    exports: DemoExports
    seed: int
    console: Console | None = None
    progress: bool = False
    results: dict[str, StepResult] = field(default_factory=dict)

    def connect(self) -> Connection:
        """A fresh warehouse connection; the step closes it (the demo never holds one across steps)."""
        return self.workspace.connect()

    def say(self, text: str) -> None:
        """A progress line while a step works (shown only when the demo prints for a person)."""
        if self.console is not None:
            self.console.print(f"   {text}", highlight=False)


Step = Callable[[DemoContext], StepResult]
