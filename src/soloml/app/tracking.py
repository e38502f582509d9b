"""`soloml board` and `soloml update`'s use cases: the project board and the weekly update, from the workspace's events.

Both read what the stages recorded (soloml.tracker gathers it); the board keeps every cell a person owns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.errors import ConfigError

if TYPE_CHECKING:
    from soloml.tracker.board import Board
    from soloml.tracker.update import WeeklyUpdate


def board(workspace: WorkspaceLike, *, xlsx: bool = False) -> Board:
    """Rebuild board.csv (and board.xlsx with `xlsx`): each project's stage, status and why, next step, priority."""
    from soloml.tracker import refresh_board

    return refresh_board(as_workspace(workspace), xlsx=xlsx)


def parse_since(text: str | None) -> date | None:
    """`--since` as a date (YYYY-MM-DD), or a clear error."""
    if text is None:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise ConfigError(
            f"--since {text!r} is not a date.", hint="Write it as YYYY-MM-DD, e.g. --since 2026-11-23."
        ) from None


def update(workspace: WorkspaceLike, *, since: date | str | None = None, send: bool = False) -> WeeklyUpdate:
    """Write the weekly update under reports/ (covering `since` on; default 7 days ago), e-mailed with `send`."""
    from soloml.tracker import write_update

    day = parse_since(since) if isinstance(since, str) else since
    return write_update(as_workspace(workspace), since=day, send=send)
