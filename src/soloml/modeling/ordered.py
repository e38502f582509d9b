"""Which category columns are ordered, and their order: grades, levels, numbers with units.

A category column is ordered when every value it holds reads as a step of one scale (the values alone decide,
never a score):

- letter grades: one letter, then one digit or a sign ("A1" .. "G5", "A" .. "G", "B+"), the letters a run from A
  with no gap but a missing E (school grades A-D, F), at most one case;
- numbers with a unit or a bound: a number with the same unit word after it ("1 year", "10+ years", "< 1 year",
  "30 days", "5 km"), or numbers where some carry a bound ("0", "1", "2", "3+"; "<1", "1-2"... are not read);
- level words of one known scale ("low" < "medium" < "high", "poor" < "fair" < "good" < "excellent", ...).

Anything else is not ordered: state names, product names, codes ("area_code_408"), free text, plain numbers
written as text (zip codes, ids), a scale with an "unknown" level. Three values at least: with two, a split
one against the other is the same as a split in order.

    >>> natural_order(["B2", "A1", "C", "A10"]) is None     # "A10": two digits is not a grade
    True
    >>> natural_order(["< 1 year", "10+ years", "2 years", "1 year"])
    ['< 1 year', '1 year', '2 years', '10+ years']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MIN_LEVELS = 3

_GRADE = re.compile(r"^([A-Za-z])([1-9]|[+-])?$")
_SIGNS = {"+": 0, None: 1, "-": 2}  # A+ above A above A-: listed best first, like the letters
# a number, a bound before or after it, then a unit word (or none)
_MEASURE = re.compile(
    r"^(?P<lower>(?:<|<=|>|>=|less than|under|over|more than|up to|at least)\s*)?"
    r"(?P<number>\d+(?:[.,]\d+)?)\s*(?P<upper>\+|or more|or less|and over|and up|plus)?\s*(?P<unit>[a-z% ]*)$"
)
UNITS = frozenset(
    ("second", "minute", "hour", "day", "night", "week", "month", "quarter", "year", "decade")  # time
    + ("time", "visit", "child", "kid", "person", "people", "room", "bed", "floor", "star")  # counts
    + ("km", "mile", "mi", "m", "cm", "mm", "kg", "g", "lb", "pound", "%", "percent")  # measures
)
_BELOW = ("<", "<=", "less than", "under", "up to")
_ABOVE = (">", ">=", "over", "more than", "at least")
SCALES: tuple[tuple[str, ...], ...] = (
    ("very low", "low", "medium", "high", "very high"),
    ("very low", "low", "moderate", "high", "very high"),
    ("very small", "small", "medium", "large", "very large"),
    ("very poor", "poor", "fair", "good", "very good", "excellent"),
    ("never", "rarely", "sometimes", "often", "always"),
    ("strongly disagree", "disagree", "neutral", "agree", "strongly agree"),
    ("none", "mild", "moderate", "severe"),
    ("beginner", "intermediate", "advanced", "expert"),
)


def natural_order(values: Iterable[str]) -> list[str] | None:
    """`values` (a category column's distinct text values) in their natural order, or None when they are not
    ordered (see the module's rules)."""
    levels = list(dict.fromkeys(str(v) for v in values))
    if len(levels) < MIN_LEVELS:
        return None
    for reading in (_grades, _measures, _scale):
        order = reading(levels)
        if order is not None:
            return order
    return None


def _grades(levels: list[str]) -> list[str] | None:
    matches = [_GRADE.match(v.strip()) for v in levels]
    if not all(matches):
        return None
    letters = {m.group(1) for m in matches if m}
    if not (all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
        return None
    marks = {m.group(2) for m in matches if m and m.group(2)}
    if any(c.isdigit() for c in marks) and any(not c.isdigit() for c in marks):
        return None  # "A1" and "A+" are two scales
    run = sorted(c.upper() for c in letters)
    expected = [chr(ord("A") + i) for i in range(ord(run[-1]) - ord("A") + 1)]
    if run != expected and run != [c for c in expected if c != "E"]:
        return None

    def key(v: str) -> tuple[str, int]:
        m = _GRADE.match(v.strip())
        assert m is not None
        mark = m.group(2)
        return (m.group(1).upper(), int(mark) if mark and mark.isdigit() else _SIGNS[mark])

    return sorted(levels, key=key)


def _measures(levels: list[str]) -> list[str] | None:
    keys, units, bounded = {}, set(), False
    for v in levels:
        m = _MEASURE.match(v.strip().lower())
        if m is None:
            return None
        unit = m.group("unit").strip()
        unit = unit[:-1] if unit.endswith("s") and unit[:-1] in UNITS else unit
        if unit and unit not in UNITS:
            return None
        units.add(unit)
        lower, upper = (m.group("lower") or "").strip(), m.group("upper")
        bounded = bounded or bool(lower or upper)
        shift = -0.5 if lower in _BELOW or upper == "or less" else 0.5 if lower in _ABOVE or upper else 0.0
        keys[v] = float(m.group("number").replace(",", ".")) + shift * 1e-6
    if len(units) != 1 or (units == {""} and not bounded) or len(set(keys.values())) != len(keys):
        return None  # one unit for all; plain numbers as text (codes, zip codes) are not a scale
    return sorted(levels, key=keys.__getitem__)


def _scale(levels: list[str]) -> list[str] | None:
    words = {v: " ".join(v.strip().lower().replace("_", " ").replace("-", " ").split()) for v in levels}
    for scale in SCALES:
        if all(w in scale for w in words.values()) and len(set(words.values())) == len(levels):
            return sorted(levels, key=lambda v: scale.index(words[v]))
    return None
