"""Jinja filters: numbers, shares, scores and times as a person reads them (the same figures `--json` gives, rounded)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment


def num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def score(value: Any) -> str:
    return "–" if value is None else f"{float(value):.3f}"


def pct(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1%}"


def when(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def sentence(value: Any) -> str:
    """The first letter upper case, the rest as written ('the data person' starts a sentence as 'The data person')."""
    text = str(value or "")
    return text[:1].upper() + text[1:]


def register_filters(env: Environment) -> None:
    env.filters.update(num=num, score=score, pct=pct, when=when, sentence=sentence)
