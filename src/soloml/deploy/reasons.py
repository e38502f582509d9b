"""Per-prediction reasons in plain words, from LightGBM's `pred_contrib` on the encoded rows (no pandas).

The service uses this on its hot path; it names the features that pushed the score up the most,
with their values: "failed payments in the last 30 days: 2".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from soloml.modeling.signature import FeatureSignature

LARGE = 1e15  # from here on values are worded in scientific notation (3 significant digits)


class ReasonWriter:
    """Turns (encoded row, contribution row) into the top-N reasons for one model."""

    def __init__(
        self, signature: FeatureSignature, stats: Mapping[str, Mapping[str, Any]] | None = None, top: int = 3
    ) -> None:
        self.top = top
        self.labels = tuple(signature.describe(n) for n in signature.names)
        self.kinds = tuple(signature.dtypes.get(n, "float") for n in signature.names)
        self.categories = tuple(list(signature.categories.get(n) or []) for n in signature.names)
        stats = stats or {}
        self._cache: dict[tuple[int, float], str] = {}
        self.typical = tuple(
            self._typical(j, (stats.get(n) or {}).get("typical")) for j, n in enumerate(signature.names)
        )

    def _typical(self, j: int, value: Any) -> str | None:
        """'(typical: 4)' / '(most common: monthly)' suffix, as the training explanations word it."""
        if value is None:
            return None
        if self.kinds[j] in ("category", "string"):
            return f"most common: {value}"
        try:
            return f"typical: {self.value_text(j, float(value))}"
        except (TypeError, ValueError):
            return None

    def value_text(self, j: int, value: float) -> str:
        if math.isnan(value):
            return "missing"
        kind = self.kinds[j]
        if kind in ("category", "string"):
            cats = self.categories[j]
            code = int(value)
            return cats[code] if 0 <= code < len(cats) else "other"
        if kind == "bool":
            return "yes" if value else "no"
        if abs(value) >= LARGE:
            return f"{value:.3g}"  # 1e+308, not 309 digits
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    def cached_phrase(self, j: int, value: float) -> str:
        key = (j, value)
        text = self._cache.get(key)
        if text is None:
            if len(self._cache) > 100_000:
                self._cache.clear()
            text = self._cache[key] = self.phrase(j, value)
        return text

    def phrase(self, j: int, value: float) -> str:
        shown = self.value_text(j, value)
        typical = self.typical[j]
        if typical is None or typical.endswith(f": {shown}"):
            return f"{self.labels[j]}: {shown}"
        return f"{self.labels[j]}: {shown} ({typical})"

    def one(self, x: np.ndarray, c: np.ndarray) -> list[str]:
        """`rows` for a single row (x: k values, c: k contributions): the service's hot path, fewer numpy calls."""
        order = np.argsort(-c, kind="stable")[: self.top].tolist()
        values = c.tolist()
        chosen = [j for j in order if values[j] > 0]
        if not chosen:
            chosen = sorted(range(len(values)), key=lambda j: -abs(values[j]))[: self.top]
        return [self.cached_phrase(j, float(x[j])) for j in chosen]

    def rows(self, X: np.ndarray, contrib: np.ndarray) -> list[list[str]]:
        """Per row, the features raising the score the most, strongest first (largest |effect| when none raise it)."""
        k = X.shape[1]
        top = min(self.top, k)
        if len(X) == 0 or top == 0:
            return [[] for _ in range(len(X))]
        C = contrib[:, :k]
        order = np.argsort(-C, axis=1, kind="stable")[:, :top]
        chosen_c = np.take_along_axis(C, order, axis=1)
        weak = ~(chosen_c[:, 0] > 0)  # nothing raises the score: show the largest effects either way
        if weak.any():
            order[weak] = np.argsort(-np.abs(C[weak]), axis=1, kind="stable")[:, :top]
            chosen_c[weak] = np.inf
        values = np.take_along_axis(X, order, axis=1).tolist()
        keep = (chosen_c > 0).tolist()
        phrase = self.cached_phrase
        return [
            [phrase(j, v) for j, v, ok in zip(js, vs, oks, strict=False) if ok]
            for js, vs, oks in zip(order.tolist(), values, keep, strict=False)
        ]


def model_stats(model: Any) -> dict[str, Any]:
    """Training 'typical' values per feature, wherever the registry keeps them in metadata."""
    meta = getattr(model, "metadata", None) or {}
    for key in ("feature_stats", "stats"):
        if isinstance(meta.get(key), dict):
            return meta[key]
    reference = meta.get("reference")
    if isinstance(reference, dict) and isinstance(reference.get("feature_stats"), dict):
        return reference["feature_stats"]
    return {}


def as_json_list(reasons: Sequence[str]) -> str:
    import json

    return json.dumps(list(reasons), ensure_ascii=False)
