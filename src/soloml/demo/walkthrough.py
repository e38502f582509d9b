"""`soloml demo`: the whole cycle on a made-up business, Bluebird Coffee, in one command.

It makes a workspace, writes two years of Bluebird's exports into `<dir>/exports/` (the files an
owner downloads from Stripe, Shopify, HubSpot and Mailchimp), then runs the steps in STEP_MODULES
in order, each a module `soloml/demo/step_<area>.py` with `run(ctx: DemoContext) -> StepResult`.
To add a step, add its module name to STEP_MODULES (one line) after the steps it builds on.
Step modules import from soloml's subpackages (`soloml.modeling...`), never `from soloml import ...`:
`soloml/__init__.py` imports this module, so that would be a circular import.

>>> summary = run_demo("demo-workspace", customers=300)      # doctest: +SKIP
>>> summary.steps[0].lines[0]                                # doctest: +SKIP
'Loaded 5 export file(s), 12,345 rows, into the warehouse.'
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console

from soloml.demo.context import DemoContext, Step, StepResult
from soloml.demo.generator import END_DATE, generate_bluebird
from soloml.errors import SolomlError, WorkspaceError
from soloml.workspace import Workspace, init_workspace

BUSINESS = "Bluebird Coffee"
EXPORTS_DIR = "exports"

# The steps, in order; each is soloml/demo/<name>.py exposing run(ctx) -> StepResult.
STEP_MODULES: tuple[str, ...] = (
    "step_load",
    "step_project",
    "step_check",
    "step_train",
    "step_deploy",
    "step_forecast",  # the second project (a revenue forecast); the proof of the first closes the tour
    "step_impact",
)


def _resolve(module: str) -> Step:
    return importlib.import_module(f"soloml.demo.{module}").run


STEPS: tuple[Step, ...] = tuple(_resolve(m) for m in STEP_MODULES)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo did and where everything is."""

    business: str
    workspace: Path
    warehouse: str
    exports: dict[str, Path]
    truth: Path
    customers: int
    seed: int
    end_date: date
    steps: tuple[StepResult, ...]
    lines: tuple[str, ...]  # the closing summary, in plain words
    seconds: float


def run_demo(
    directory: Path | str,
    *,
    customers: int = 5000,
    seed: int = 7,
    console: Console | None = None,
    json: bool = False,
    progress: bool = False,
    steps: tuple[Step, ...] | None = None,
    end_date: date = END_DATE,
) -> DemoSummary:
    """Build Bluebird Coffee in `directory` and run every demo step; prints as it goes unless `json` or no console.

    Running it again into the same folder is safe: the workspace and its settings are kept and the
    identical exports load as no-ops.
    """
    started = time.perf_counter()
    out = None if json else console
    if Path(directory).exists() and not Path(directory).is_dir():
        raise WorkspaceError(
            f"{directory} is a file, not a folder; the demo needs a folder for its workspace.",
            hint="Pick another place with --dir.",
        )
    ws = init_workspace(directory, name=BUSINESS)
    _say(
        out,
        f"[bold]{BUSINESS}[/]: a subscription coffee roaster with {customers:,} customers and two years of history.",
    )
    exports = generate_bluebird(ws.path(EXPORTS_DIR), customers=customers, seed=seed, end_date=end_date)
    _say(out, f"Wrote its exports (Stripe, Shopify, HubSpot, Mailchimp) to {exports.directory}.")
    ctx = DemoContext(workspace=ws, exports=exports, seed=seed, console=out, progress=progress and not json)
    chosen = STEPS if steps is None else steps
    for number, step in enumerate(chosen, start=1):
        _say(out, f"[bold]Step {number} of {len(chosen)}[/] ({_step_name(step)})...")
        t0 = time.perf_counter()
        try:
            result = step(ctx)
        except SolomlError as exc:
            raise _stopped(exc, f"The demo stopped at step {number} ({_step_name(step)}): ", ws.root) from exc
        ctx.results[result.name] = result
        for line in result.lines:
            _say(out, f"   {line}")
        _say(out, f"   [dim]({time.perf_counter() - t0:.1f} s)[/]")
    summary = DemoSummary(
        business=BUSINESS,
        workspace=ws.root,
        warehouse=ws.warehouse_url,
        exports=dict(exports.files),
        truth=exports.truth,
        customers=customers,
        seed=seed,
        end_date=end_date,
        steps=tuple(ctx.results.values()),
        lines=_closing(ws.root, ws.warehouse_url, exports.directory, tuple(ctx.results.values()))
        + _board_and_update(ws)
        + _reports(ws),
        seconds=round(time.perf_counter() - started, 2),
    )
    if out is not None:
        out.print()
        for line in summary.lines:
            out.print(line, highlight=False)
    return summary


def _closing(root: Path, warehouse: str, exports: Path, results: tuple[StepResult, ...]) -> tuple[str, ...]:
    lines = [
        f"Done. {BUSINESS}'s workspace is {root}.",
        f"The files its owner downloaded are in {exports} (a truth file for testing sits in {exports / '_truth'}; it is never loaded).",
        f"Everything loaded lives in one warehouse file: {warehouse}.",
    ]
    for result in results:
        if result.lines:
            lines.append(f"- {result.name}: {result.lines[0]}")
        for path in result.outputs:
            lines.append(f"  wrote {path}")
    lines.append(f"Next: `cd {root}` and try `soloml tables`, or read docs/demo.md for the tour.")
    lines.append(
        f"Show it to the team: `soloml ui --dir {root}`, then open http://127.0.0.1:8050/ (the dashboard; Ctrl+C stops it)."
    )
    return tuple(lines)


def _board_and_update(ws: Workspace) -> tuple[str, ...]:
    """The people layer closes the demo: the board and the weekly update, and where they are."""
    from soloml.tracker import write_update

    try:
        update = write_update(ws)
    except SolomlError as exc:
        return (f"The board and the weekly update could not be written: {exc.message}",)
    return (
        f"The project board: {update.board_path} (open it in a spreadsheet; `soloml board` refreshes it).",
        f"This week's update: {update.markdown_path} (the e-mail text: {update.text_path}; `soloml update --send` mails it).",
    )


def _reports(ws: Workspace) -> tuple[str, ...]:
    """And the project report for each of the demo's projects: the file a CEO opens."""
    from soloml.reports.project_report import write_report

    lines = []
    for path in sorted(ws.projects_dir.glob("*.yaml")):
        try:
            written = write_report(ws, path.stem)
        except SolomlError as exc:
            lines.append(f"The {path.stem} report could not be written: {exc.message}")
            continue
        lines.append(
            f"The {path.stem} report for the CEO: {written.html} (self-contained, opens in any browser; "
            f"the same in Markdown: {written.markdown}; `soloml report {path.stem}` rewrites it)."
        )
    return tuple(lines)


def _stopped(exc: SolomlError, prefix: str, root: Path) -> SolomlError:
    """The step's own error, same type, saying which step stopped the demo and that earlier work is kept."""
    hint = exc.hint or f"Everything before it is in {root}; fix the problem and run `soloml demo` again."
    try:
        return type(exc)(prefix + exc.message, hint=hint)
    except TypeError:  # a subclass with its own constructor
        return SolomlError(prefix + exc.message, hint=hint)


def _step_name(step: Step) -> str:
    module = (getattr(step, "__module__", "") or "").rsplit(".", 1)[-1]
    if module.startswith("step_"):
        return module.removeprefix("step_")
    return getattr(step, "__name__", "step")


def _say(console: Console | None, text: str) -> None:
    if console is not None:
        console.print(text, highlight=False)
