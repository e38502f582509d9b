"""Kill a real `soloml` process at one of its crash points (soloml/crashpoints.py), for the "nothing half-written" tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SOLOML = str(Path(sys.executable).with_name("soloml"))


def killed_at(point: str, *args: str) -> None:
    """Run `soloml ARGS` in its own process, stop it at crash point `point` (soloml/crashpoints.py) and SIGKILL it there."""
    proc = subprocess.Popen(
        [SOLOML, *args],
        env={**os.environ, "SOLOML_PAUSE_AT": point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        assert line.strip() == f"soloml paused at {point}", (
            f"soloml {args[0]} never paused at {point}: {line}{proc.stderr.read()[-1500:]}"
        )
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        proc.kill()
        proc.stderr.close()
