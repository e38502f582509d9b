"""A cheap fingerprint of a DuckDB warehouse file that every committed write changes, and a memo keyed on it.

Why: the dashboard redraws the same facts (identity match rates, experiment analyses) on every view, and
most views come between two loads. DuckDB writes every commit to `<file>.wal` (and a checkpoint rewrites the
file itself), so the size, mtime and ctime (ns) of the file and of its WAL change with every write from any
process; reads, and an up-to-date read-write open, change neither (checked in tests/web/test_fresh_numbers.py).
A result kept under that stamp is therefore shown only while the warehouse is byte-for-byte what it was.
A warehouse that is not a local DuckDB file has no stamp (None): then nothing is memoised.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

from soloml.warehouse.base import Connection

T = TypeVar("T")


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime ns, ctime ns) of `path`, None when it does not exist."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def warehouse_stamp(warehouse: str) -> tuple[Any, ...] | None:
    """The stamp of the DuckDB file at `warehouse` (a path or duckdb:// URL); None for a server or in-memory one."""
    if "://" in warehouse and not warehouse.startswith("duckdb://"):
        return None
    file = Path(warehouse.removeprefix("duckdb:///").removeprefix("duckdb://"))
    if str(file) in ("", ":memory:", ".") or not file.is_file():
        return None
    return (str(file.resolve()), file_stamp(file), file_stamp(Path(f"{file}.wal")))


def connection_stamp(con: Connection) -> tuple[Any, ...] | None:
    """The stamp of the file behind `con` (its current database), None when it has none."""
    try:
        rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    except Exception:  # noqa: BLE001 - not DuckDB, or too old to say: no stamp, so no memo
        return None
    path = rows[0][0] if rows else None
    return warehouse_stamp(str(path)) if path else None


class Memo:
    """A small, thread-safe, least-recently-used map from a key (which must include a stamp) to a result."""

    def __init__(self, max_entries: int = 64) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: Hashable | None, compute: Callable[[], T]) -> T:
        """The result kept under `key`, else `compute()` kept under it; a None key always computes."""
        if key is None:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._max:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
