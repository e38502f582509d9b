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


class ReasonWriter:
    """Turns (encoded row, contribution row) into the top-N reasons for one model."""

    def __init__(self, signature: FeatureSignature, stats: Mapping[str, Mapping[str, Any]] | None = None, top: int = 3) -> None:
        self.top = top
        self.labels = tuple(signature.describe(n) for n in signature.names)
        self.kinds = tuple(signature.dtypes.get(n, "float") for n in signature.names)
        self.categories = tuple(list(signature.categories.get(n) or []) for n in signature.names)
        stats = stats or {}
        self.typical = tuple(self._typical(j, (stats.get(n) or {}).get("typical")) for j, n in enumerate(signature.names))

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
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"

    def phrase(self, j: int, value: float) -> str:
        shown = self.value_text(j, value)
        typical = self.typical[j]
        if typical is None or typical.endswith(f": {shown}"):
            return f"{self.labels[j]}: {shown}"
        return f"{self.labels[j]}: {shown} ({typical})"

    def rows(self, X: np.ndarray, contrib: np.ndarray) -> list[list[str]]:
        """Per row, the features raising the score the most, strongest first (largest |effect| when none raise it)."""
        k = X.shape[1]
        out: list[list[str]] = []
        top = self.top
        orders = np.argsort(-contrib[:, :k], axis=1, kind="mergesort")[:, :top].tolist()
        for x, c, order in zip(X.tolist(), contrib[:, :k].tolist(), orders):
            chosen = [j for j in order if c[j] > 0]
            if not chosen:
                chosen = sorted(range(k), key=lambda j: -abs(c[j]))[:top]
            out.append([self.phrase(j, x[j]) for j in chosen])
        return out


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
