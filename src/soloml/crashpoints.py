"""Named points where a crash test can stop a soloml process, to kill it exactly there.

    SOLOML_PAUSE_AT=score.published soloml score churn --to postgresql+psycopg://app@db/crm

makes the process print `soloml paused at score.published` on stderr and sleep, so the test can send
SIGKILL at that point and check what the next run finds. Only tests set the variable; otherwise
`pause_at` is one environment look-up.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "SOLOML_PAUSE_AT"


def pause_at(name: str) -> None:
    """Sleep (for a test to kill the process) when $SOLOML_PAUSE_AT is `name`; return at once otherwise."""
    if os.environ.get(ENV) == name:
        sys.stderr.write(f"soloml paused at {name}\n")
        sys.stderr.flush()
        time.sleep(600)
