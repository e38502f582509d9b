"""Fits that do not depend on each other, run side by side on the machine's cores.

Below fit.SMALL_DATA_ROWS every booster is fit on one thread (fit.task_params: LightGBM's own threads cost
more than they save on few rows), so validation one fold after another leaves every core but one idle.
LightGBM releases Python's lock while it builds Datasets, trains and predicts, so threads, one fit each,
use the other cores. Each task keeps its own Datasets, its one thread and its own seed, so its booster is
the same as when run alone: models and every judged number do not depend on the number of workers
(tests/modeling/test_parallel.py).

LightGBM keeps the number of threads of its loops in one process-wide setting, which every call resets
from its own parameters: a prediction without `num_threads` sets "every core" while another thread's fit
runs with buffers sized for one, and the process died in lib_lightgbm.so (a general protection fault,
2026-12-08, once in a bench run). While fits run side by side LightGBM's own cap (LGBM_SetMaxThreads) is
held at one thread, so no call can change what a running fit uses.

SOLOML_WORKERS=N caps the workers (1: one task after the other); by default, one per core this process
may use, at most MAX_WORKERS.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import lightgbm as lgb

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


def single_threaded(*params: Mapping[str, Any]) -> bool:
    """Whether every fit with these LightGBM parameters runs on one thread (fit.task_params below SMALL_DATA_ROWS),
    so that fits may run side by side."""
    return all(int(p.get("num_threads", 0)) == 1 for p in params)


def run_all(task: Callable[[T], R], items: Sequence[T], *, side_by_side: bool = True) -> list[R]:
    """`task` of every item, in the items' order; side by side on `workers()` threads when `side_by_side`
    (the caller's promise that each task is single-threaded and shares nothing it writes to)."""
    n = min(workers(), len(items)) if side_by_side else 1
    if n <= 1:
        return [task(item) for item in items]
    with one_lightgbm_thread(), ThreadPoolExecutor(max_workers=n, thread_name_prefix="soloml-fit") as pool:
        return list(pool.map(task, items))


_CAP = threading.RLock()


@contextmanager
def one_lightgbm_thread() -> Iterator[None]:
    """LightGBM's process-wide cap on its threads held at one (see the module docstring), then put back."""
    with _CAP:
        before = lightgbm_max_threads()
        _lib().LGBM_SetMaxThreads(ctypes.c_int(1))
        try:
            yield
        finally:
            _lib().LGBM_SetMaxThreads(ctypes.c_int(before))


def lightgbm_max_threads() -> int:
    """LightGBM's cap on its threads now (-1: none)."""
    value = ctypes.c_int(0)
    _lib().LGBM_GetMaxThreads(ctypes.byref(value))
    return int(value.value)


def _lib() -> Any:
    """LightGBM's C library: LGBM_GetMaxThreads / LGBM_SetMaxThreads have no Python wrapper in lightgbm 4."""
    return getattr(lgb.basic, "_LIB")  # noqa: B009 (a private name of lightgbm's)
