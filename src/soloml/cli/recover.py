"""The recovery step a command runs before its own work (soloml.app.recovery), said on stderr.

stderr, so `--json` output on stdout stays one JSON document.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from soloml.cli.output import err_console


def announce(result: Any) -> None:
    """Print what the recovery step (a soloml.deploy.recovery.Recovery) did, one line each."""
    for action in result.actions:
        err_console.print(f"Recovered: {action}", markup=False, highlight=False)
    if result.skipped:
        err_console.print(f"Recovery skipped: {result.skipped}.", markup=False, highlight=False)


def recovered(ws: Any, con: Any = None, *, targets: Sequence[str] = (), lock_timeout: float = 15.0) -> tuple[str, ...]:
    """Run the recovery step for `ws`, print what it did, and return those sentences."""
    from soloml.app.recovery import recover_first

    return recover_first(ws, con, targets=targets, lock_timeout=lock_timeout, announce=announce)
