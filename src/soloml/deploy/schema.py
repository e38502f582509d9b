"""HTTP request models generated from a model's feature signature, and the fast payload -> numpy row encoder.

The service validates a JSON body with the pydantic model built here (every feature required but nullable,
unknown fields refused, values strictly of the JSON type the schema publishes: an integer feature takes
3, not "3", 3.0 or true; a number takes 3 or 3.5; a boolean only true/false; a category only text), then `RowEncoder` turns the validated records into the float matrix LightGBM reads:
numbers as they are, booleans as 0/1, categories as their index in the training categories (unknown -> NaN,
which LightGBM treats as missing). No pandas on this path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, create_model

# JSON integers beyond this lose precision as float64, and bigger ones overflow: refuse them at the edge.
MAX_SAFE_INT = 2**53


class FeatureSignatureLike(Protocol):
    """What the registry's FeatureSignature provides (names in model order, dtypes, categories, descriptions)."""

    names: Sequence[str]
    dtypes: Mapping[str, str]
    categories: Mapping[str, Sequence[str]]
    descriptions: Mapping[str, str]


_TYPES: dict[str, Any] = {
    "float": float,
    "int": int,
    "bool": bool,
    "category": str,
    "string": str,
}
_EXPECTED = {
    "float": "a number",
    "int": "an integer",
    "bool": "true or false",
    "category": "a text value",
    "string": "a text value",
}


def field_key(index: int) -> str:
    """Internal attribute name of feature `index`; the JSON key is the feature's own name (an alias)."""
    return f"f{index}"


def expected_type(dtype: str) -> str:
    return _EXPECTED.get(dtype, "a value")


def request_model(project: str, signature: FeatureSignatureLike) -> type[BaseModel]:
    """A pydantic model with one required, nullable field per feature; unknown fields are refused.

    Feature names become JSON keys through aliases, so any column name works (even 'json' or 'model_config').
    """
    fields: dict[str, Any] = {}
    for i, name in enumerate(signature.names):
        dtype = signature.dtypes.get(name, "float")
        py_type = _TYPES.get(dtype, float)
        description = signature.descriptions.get(name) or name
        extra: dict[str, Any] = {
            "strict": True
        }  # as the schema says: no "12" or true for an integer, no 1 for a boolean
        if dtype == "int":
            extra.update(ge=-MAX_SAFE_INT, le=MAX_SAFE_INT)
        elif dtype == "float":
            extra.update(allow_inf_nan=False)
        cats = list(signature.categories.get(name) or [])
        if cats:
            description += f" (known values: {', '.join(map(str, cats[:20]))}{', ...' if len(cats) > 20 else ''}; others count as missing)"
        fields[field_key(i)] = (
            py_type | None,
            Field(..., alias=name, description=f"{description}; {expected_type(dtype)} or null.", **extra),
        )
    title = "".join(part.capitalize() for part in project.replace("-", "_").split("_")) + "Features"
    return create_model(  # type: ignore[call-overload, no-any-return]
        title,
        __config__=ConfigDict(extra="forbid", populate_by_name=False, title=title),
        **fields,
    )


class RowEncoder:
    """Validated records (or a DataFrame) -> float64 matrix in the model's feature order."""

    def __init__(self, signature: FeatureSignatureLike) -> None:
        self.names = tuple(signature.names)
        self.keys = tuple(field_key(i) for i in range(len(self.names)))
        self.kinds = tuple(signature.dtypes.get(n, "float") for n in self.names)
        self.codes: dict[int, dict[str, float]] = {}
        for i, name in enumerate(self.names):
            cats = signature.categories.get(name)
            if cats is not None or self.kinds[i] in ("category", "string"):
                self.codes[i] = {str(c): float(j) for j, c in enumerate(cats or [])}

    def encode(self, records: Sequence[BaseModel]) -> np.ndarray:
        """One row per validated record; None -> NaN; an unknown category -> NaN."""
        out = np.empty((len(records), len(self.names)), dtype=np.float64)
        nan = math.nan
        codes = self.codes
        for r, record in enumerate(records):
            row = out[r]
            values = record.__dict__
            for j, key in enumerate(self.keys):
                value = values[key]
                if value is None:
                    row[j] = nan
                elif j in codes:
                    row[j] = codes[j].get(str(value), nan)
                else:
                    row[j] = float(value)
        return out

    def values(self, record: BaseModel) -> dict[str, Any]:
        """The record as {feature name: value}, for the plain-words reasons."""
        data = record.__dict__
        return {name: data[key] for name, key in zip(self.names, self.keys, strict=True)}
