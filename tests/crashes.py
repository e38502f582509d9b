"""Stop a real `soloml` process at one of its crash points (soloml/crashpoints.py): to kill it there, for the
"nothing half-written" tests, or to run another command while it is half done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SOLOML = str(Path(sys.executable).with_name("soloml"))


def paused_at(point: str, *args: str) -> subprocess.Popen:
    """`soloml ARGS` in its own process, stopped (asleep) at crash point `point`; stop it with `kill`."""
    proc = subprocess.Popen(
        [SOLOML, *args],
        env={**os.environ, "SOLOML_PAUSE_AT": point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    if line.strip() != f"soloml paused at {point}":
        rest = proc.stderr.read()[-1500:]
        kill(proc)
        raise AssertionError(f"soloml {args[0]} never paused at {point}: {line}{rest}")
    return proc


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL, as a crash would; waits for it to be gone."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stderr.close()


def killed_at(point: str, *args: str) -> None:
    """Run `soloml ARGS` in its own process, stop it at crash point `point` and SIGKILL it there."""
    proc = paused_at(point, *args)
    try:
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(30) == -signal.SIGKILL
    finally:
        proc.kill()
        proc.stderr.close()
