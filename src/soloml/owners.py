"""Who made a piece of scratch: a token naming this machine and process, and whether that process is gone.

    token = owner_token()      # "1a2b_48213_9f3c0d11": this machine, this process, a random part
    owner_gone(token)          # True once that process no longer runs on this machine

Scratch that can outlive a killed run (a scoring table in the warehouse, a features file or a Dask partitions
folder in staging/) carries the token in its name, so the next command's recovery step (deploy/scratch.py)
removes what a dead process left and leaves a live one's alone. The machine part keeps one machine from judging
another's processes in a shared warehouse or folder; a token it cannot read is never called gone. Below every
stage, so an engine can name its folders and deploy can clean them up.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket


def owner_token() -> str:
    """`<machine>_<pid>_<random>` for this process."""
    return f"{_machine()}_{os.getpid()}_{secrets.token_hex(4)}"


def owner_gone(token: str) -> bool:
    """Whether the process a token names ran on this machine and is no longer running (False when it cannot tell)."""
    parts = token.split("_")
    if len(parts) != 3 or parts[0] != _machine() or not parts[1].isdigit():
        return False
    return not running(int(parts[1]))


def running(pid: int) -> bool:
    """Whether process `pid` exists on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OverflowError:
        return False
    return True


def _machine() -> str:
    return hashlib.blake2s(socket.gethostname().encode(), digest_size=2).hexdigest()


__all__ = ["owner_gone", "owner_token", "running"]
