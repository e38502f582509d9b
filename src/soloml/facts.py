"""One way to turn a result into facts: a plain, JSON-ready dict that `--json`, reports and the board all read.

Every stage result the CLI prints with `--json` has `to_facts()`; the CLI prints `jsonable(result.to_facts())`
and nothing else, so what a script reads is what a report or the dashboard reads. `jsonable` is the one place
that decides how a value becomes JSON (dates ISO 8601, numpy scalars and arrays as Python values, NaN and
infinities as null, Decimal as float, paths as text, dataclasses and pydantic models as their fields).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Protocol, TypeAlias, runtime_checkable

JSON: TypeAlias = "None | bool | int | float | str | list[JSON] | dict[str, JSON]"


@runtime_checkable
class Facts(Protocol):
    """A result that can say what it found as plain data."""

    def to_facts(self) -> Mapping[str, object]:
        """The result as a dict of plain values; `jsonable` makes it JSON-ready."""
        ...


def jsonable(value: object) -> JSON:
    """`value` as plain JSON values: what `json.dumps` accepts and what reads back the same."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Facts) and not isinstance(value, type):
        return jsonable(value.to_facts())
    if is_dataclass(value) and not isinstance(value, type):
        return field_facts(value)
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):  # pydantic models
        return jsonable(model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return _scalar(value)


def _scalar(value: object) -> JSON:
    """Dates, decimals, paths, enums and numpy/pandas values; anything else as its text."""
    if value.__class__.__name__ in ("NAType", "NaTType"):  # pandas' missing values (NaT is a datetime)
        return None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, PurePath):
        return str(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy arrays and scalars
        return jsonable(tolist())
    item = getattr(value, "item", None)
    if callable(item):
        return jsonable(item())
    return str(value)


def facts(result: Facts) -> dict[str, JSON]:
    """`result.to_facts()`, JSON-ready: what `--json` prints."""
    out = jsonable(result.to_facts())
    assert isinstance(out, dict)
    return out


def field_facts(value: object) -> dict[str, JSON]:
    """A dataclass result's fields as facts: the `to_facts()` of a result whose fields are already plain words and numbers."""
    if not is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"field_facts takes a dataclass instance, not {type(value).__name__}")
    return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
