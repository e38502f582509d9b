"""Fits that do not depend on each other, run side by side on the machine's cores.

Below fit.SMALL_DATA_ROWS every booster is fit on one thread (fit.task_params: LightGBM's own threads cost
more than they save on few rows), so validation one fold after another leaves every core but one idle.
LightGBM releases Python's lock while it builds Datasets, trains and predicts, so threads, one fit each,
use the other cores. Each task keeps its own Datasets, its one thread and its own seed, so its booster is
the same as when run alone: models and every judged number do not depend on the number of workers
(tests/modeling/test_parallel.py).

SOLOML_WORKERS=N caps the workers (1: one task after the other); by default, one per core this process
may use, at most MAX_WORKERS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from soloml.errors import ModelError

T = TypeVar("T")
R = TypeVar("R")

MAX_WORKERS = 8
ENVIRONMENT = "SOLOML_WORKERS"


def workers() -> int:
    """How many fits may run at once: $SOLOML_WORKERS, else the cores this process may use (at most MAX_WORKERS)."""
    typed = os.environ.get(ENVIRONMENT, "").strip()
    if typed:
        if not typed.isdigit() or int(typed) < 1:
            raise ModelError(
                f"{ENVIRONMENT}={typed!r} is not a number of workers.",
                hint=f"Set {ENVIRONMENT} to a whole number from 1 (one fit at a time), or unset it to use every core.",
            )
        return int(typed)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(MAX_WORKERS, cores))


def run_all(task: Callable[[T], R], items: Sequence[T], *, side_by_side: bool = True) -> list[R]:
    """`task` of every item, in the items' order; side by side on `workers()` threads when `side_by_side`
    (the caller's promise that each task is single-threaded and shares nothing it writes to)."""
    n = min(workers(), len(items)) if side_by_side else 1
    if n <= 1:
        return [task(item) for item in items]
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="soloml-fit") as pool:
        return list(pool.map(task, items))
