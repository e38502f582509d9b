"""Should this training set move to Dask? An estimate of its size against this machine's memory.

The estimate is rows x columns x 8 bytes (every value as a float64, as LightGBM's input holds it);
LightGBM's own binned copy comes on top, so a set past a third of the memory is already a squeeze.
On one machine Dask was measured about 4x slower than plain LightGBM (the figure issue 18 quotes;
bench/scale.py's run on a loaded machine could not check it), so the switch pays only past memory.
"""

from __future__ import annotations

import os

import pandas as pd

SHARE_OF_MEMORY = 1 / 3  # past this share of RAM, local training risks running out of memory
DASK_SLOWER = (
    "about 4x"  # issue 18's measurement on one machine; see bench/RESULTS.md "## Scale" for this project's run
)


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
            f"(on one machine Dask was measured {DASK_SLOWER} slower than plain LightGBM); --engine local is the better choice.",
        )
    return ()


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"
