"""Should this training set move to Dask? An estimate of its size against this machine's memory.

The estimate is rows x columns x 8 bytes (every value as a float64, as LightGBM's input holds it);
LightGBM's own copy comes on top, and bench/scale.py (2026-12-03) measured the training process's peak at
about 3.5x the set's size, so a 24 GB machine holds a set of about 6.8 GB: past a quarter of the memory is
already a squeeze. On one machine Dask took about 2x the CPU time of plain LightGBM for the same model
(1.7x-2.3x at 1M and 5M rows, bench/RESULTS.md "## Scale"), so the switch pays only past memory.
"""

from __future__ import annotations

import os

import pandas as pd

SHARE_OF_MEMORY = 1 / 4  # past this share of RAM, local training risks running out of memory (peak ~3.5x the set)
DASK_SLOWER = "about 2x"  # CPU time on one machine, bench/scale.py 2026-12-03 (1.7x-2.3x at 1M and 5M rows)


def estimated_bytes(rows: int, columns: int) -> int:
    """rows x columns x 8 bytes: the set as float64 values."""
    return int(rows) * int(columns) * 8


def machine_memory() -> int | None:
    """This machine's physical memory in bytes (psutil when installed, else os.sysconf), None when unknown."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def memory_advice(frame: pd.DataFrame, engine: str, *, memory: int | None = None) -> tuple[str, ...]:
    """A note for the train result: switch to dask when the set is large, or why dask only slows a set that fits."""
    memory = machine_memory() if memory is None else memory
    if not memory:
        return ()
    size = estimated_bytes(len(frame), len(frame.columns))
    share = size / memory
    words = f"{len(frame):,} rows x {len(frame.columns)} columns ≈ {_gb(size)} against {_gb(memory)} of memory here"
    if engine == "local" and share > SHARE_OF_MEMORY:
        return (
            f"The training set is large for this machine ({words}, over {SHARE_OF_MEMORY:.0%}): "
            "train with --engine dask (on a Dask cluster with --scheduler ADDRESS) before it runs out of memory; see docs/scale.md.",
        )
    if engine == "dask" and share <= SHARE_OF_MEMORY:
        return (
            f"The training set fits in this machine's memory ({words}): --engine dask will only be slower here "
            f"(on one machine Dask took {DASK_SLOWER} the CPU time of plain LightGBM); --engine local is the better choice.",
        )
    return ()


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"
