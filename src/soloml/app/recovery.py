"""The recovery step a use case runs before its own work (soloml.deploy.recovery), told to whoever runs it.

Use cases that write (score, promote, rollback, models, serve) settle interrupted runs first. What the step
did is handed to `announce` (the CLI prints it on stderr, so `--json` on stdout stays one document).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from soloml.deploy.recovery import Recovery, recover
from soloml.workspace import Workspace

Announce = Callable[[Recovery], None]


def recover_first(
    ws: Workspace,
    con: Any = None,
    *,
    targets: Sequence[str] = (),
    lock_timeout: float = 15.0,
    announce: Announce | None = None,
) -> tuple[str, ...]:
    """Run the recovery step for `ws` (on `con`, or opening the warehouse), tell `announce`, return what it did."""
    result = recover(ws, con, targets=targets, lock_timeout=lock_timeout)
    if announce is not None:
        announce(result)
    return result.actions
