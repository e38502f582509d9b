"""What the loader and the canonical stage agree on.

The loader (sources/) reads a file or table and lands it in `raw.*`; before landing it asks a
`Detector` which raw table and primary key the data belongs to, and after landing, inside the
same transaction, it hands a `LandedTable` to a `Router`, which updates `core.*`. The CLI wires
the canonical stage's detector and router in; sources/ never imports canonical/.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from soloml.warehouse.base import Connection


@dataclass(frozen=True)
class Detection:
    """What a file is. `name` is the raw table to land in (without 'raw.')."""

    name: str
    key: tuple[str, ...] = ()  # raw (snake_case) primary-key columns for upserts; () = append
    vendor_object: str | None = None  # e.g. 'stripe.payments'; None when unrecognised
    confidence: float = 0.0  # 0..1
    reason: str = ""  # e.g. "header matches 14 of 15 Stripe payments export columns"
    suggestion: str | None = None  # for an unrecognised file: what to do (e.g. run `soloml map`)


@dataclass(frozen=True)
class LandedTable:
    """A raw table just written by a load; rows of this load carry `_load_id = load_id`."""

    load_id: str
    source: str
    raw_table: str  # 'raw.stripe_payments'
    detection: Detection | None
    headers: tuple[str, ...]  # as in the file
    columns: tuple[str, ...]  # as in raw (snake_case), same order as headers
    rows_loaded: int


# headers as in the file, a sample of up to 1,000 rows as strings (columns = original headers), the --as value
Detector = Callable[[list[str], pd.DataFrame, "str | None"], Detection | None]
# runs inside the load's transaction; returns core table -> rows written (a dict that may carry `.notes`, sentences
# for the load report); raises SolomlError to abort the load
Router = Callable[[Connection, LandedTable], dict[str, int]]
