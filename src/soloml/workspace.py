"""The workspace: one folder holding settings, the warehouse, projects, models, reports and the board.

acme/
  soloml.yaml   warehouse.duckdb   projects/   features/   mappings/
  experiments/  models/            reports/    board.csv
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import yaml

from soloml.config import Settings, load_settings
from soloml.errors import WorkspaceError

CONFIG_FILE = "soloml.yaml"
FOLDERS = ("projects", "features", "mappings", "experiments", "models", "reports")
# board.csv's columns: (key used in --json and soloml.yaml, the header a person reads). soloml.tracker fills them.
BOARD_COLUMNS = (
    ("id", "Id"),
    ("project", "Project"),
    ("stage", "Stage"),
    ("status", "Status"),
    ("status_reason", "Why"),
    ("owner", "Owner"),
    ("stakeholder", "Stakeholder"),
    ("metric", "Metric"),
    ("done_line", "Done line"),
    ("latest_result", "Latest result"),
    ("next_step", "Next step"),
    ("due", "Due"),
    ("effort_days", "Effort (days)"),
    ("priority", "Priority"),
    ("priority_reason", "Why this priority"),
    ("notes", "Notes"),
    ("last_event", "Last event"),
)
BOARD_HEADER = ",".join(label for _, label in BOARD_COLUMNS) + "\r\n"


@dataclass(frozen=True)
class Workspace:
    """A located workspace. Cheap to build; opens nothing until asked."""

    root: Path
    settings: Settings

    @property
    def warehouse_url(self) -> str:
        """A database URL, or the absolute path of the DuckDB file."""
        target = self.settings.warehouse
        if "://" in target:
            return target
        return str((self.root / target).resolve())

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    @property
    def projects_dir(self) -> Path:
        return self.root / "projects"

    @property
    def features_dir(self) -> Path:
        return self.root / "features"

    @property
    def mappings_dir(self) -> Path:
        return self.root / "mappings"

    @property
    def experiments_dir(self) -> Path:
        return self.root / "experiments"

    @property
    def models_dir(self) -> Path:
        return self.root / "models"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def board_path(self) -> Path:
        return self.root / "board.csv"

    def connect(self, *, read_only: bool = False):
        """Open the warehouse (DuckDB by default) with every soloml schema present."""
        from soloml.warehouse import connect

        return connect(self.warehouse_url, read_only=read_only)


def init_workspace(directory: Path | str, *, name: str | None = None, warehouse: str | None = None) -> Workspace:
    """Create the workspace layout in `directory` (idempotent: existing files are kept)."""
    root = Path(directory).resolve()
    root.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        (root / folder).mkdir(exist_ok=True)
    config = root / CONFIG_FILE
    if not config.exists():
        settings = {
            "name": name or root.name,
            "warehouse": warehouse or "warehouse.duckdb",
            "timezone": "UTC",
            "currency": "USD",
            "load": {"max_quarantine_share": 0.05, "date_order": "auto"},
        }
        config.write_text(
            "# soloml workspace settings. SOLOML_* environment variables override these.\n"
            + yaml.safe_dump(settings, sort_keys=False),
            encoding="utf-8",
        )
    board = root / "board.csv"
    if not board.exists():
        board.write_text("\ufeff" + BOARD_HEADER, encoding="utf-8", newline="")
    ws = open_workspace(root)
    ws.connect().close()  # creates warehouse.duckdb with its schemas
    return ws


def open_workspace(root: Path | str) -> Workspace:
    root = Path(root).resolve()
    config = root / CONFIG_FILE
    if not config.is_file():
        raise WorkspaceError(
            f"{root} is not a soloml workspace: {CONFIG_FILE} is missing.", hint=f"Run `soloml init {root}`."
        )
    return Workspace(root=root, settings=load_settings(config))


def find_workspace(
    explicit: Path | str | None = None, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Workspace:
    """Find the workspace: `explicit` (--workspace), then $SOLOML_WORKSPACE, then the current folder upward."""
    env = dict(os.environ) if env is None else env
    looked: list[str] = []
    if explicit is not None:
        return open_workspace(explicit)
    if env.get("SOLOML_WORKSPACE"):
        return open_workspace(env["SOLOML_WORKSPACE"])
    looked.append("--workspace (not given)")
    looked.append("$SOLOML_WORKSPACE (not set)")
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return open_workspace(folder)
    looked.append(f"{here} and every folder above it (no {CONFIG_FILE})")
    raise WorkspaceError(
        "No soloml workspace found. Looked at: " + "; ".join(looked) + ".",
        hint="Run `soloml init DIR` to create one, then run commands inside it or pass --workspace DIR.",
    )


WorkspaceLike: TypeAlias = Workspace | str | Path


def as_workspace(workspace: WorkspaceLike | None) -> Workspace:
    """The workspace itself, or the one found at the folder given; None: $SOLOML_WORKSPACE, then the current folder upward.

    Every public entry point that takes a workspace accepts all three, so `soloml.score_project("shop/", "churn")`
    and `soloml.score_project(ws, "churn")` are the same call.
    """
    if isinstance(workspace, Workspace):
        return workspace
    return find_workspace(None if workspace is None else Path(workspace))
