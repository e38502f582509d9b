"""The wording rules of docs/wording.md as a checker: `wording_problems(text)` lists every rule a text breaks.

    >>> [p.rule for p in wording_problems("Verdict KEEP_GOING, chance 100.0%, lift -0 points")]
    ['internal-code', 'unbounded-chance', 'minus-zero']

Tests run it over everything soloml writes for a person (the board, the weekly update, its e-mail).
It flags what a machine can spot; docs/wording.md has the rules a reviewer checks by eye.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Abbreviations a small-business reader knows; any other run of capitals needs its words in the same text.
KNOWN_ABBREVIATIONS = frozenset(
    {
        "CEO",
        "CFO",
        "CSV",
        "XLSX",
        "HTML",
        "PDF",
        "URL",
        "UTC",
        "USD",
        "EUR",
        "GBP",
        "CAD",
        "AUD",
        "NZD",
        "CHF",
        "VAT",
        "ID",
        "OK",
        "A/B",
        "SMS",
        "FAQ",
        "CRM",
        "POS",
        "API",
        "SQL",
        "AM",
        "PM",
        "YYYY",
        "MM",
        "DD",
    }
)


@dataclass(frozen=True)
class WordingProblem:
    rule: str
    excerpt: str
    advice: str

    def words(self) -> str:
        return f"{self.rule}: {self.excerpt!r} ({self.advice})"


Check = Callable[[str], Iterator[WordingProblem]]


def _find(rule: str, pattern: str, advice: str, flags: int = 0) -> Check:
    compiled = re.compile(pattern, flags)

    def check(text: str) -> Iterator[WordingProblem]:
        for match in compiled.finditer(text):
            yield WordingProblem(rule, _around(text, match), advice)

    return check


def _around(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - 20), min(len(text), match.end() + 20)
    return text[start:end].replace("\n", " ").strip()


def _abbreviations(text: str) -> Iterator[WordingProblem]:
    for match in re.finditer(r"(?<![\w/])([A-Z]{2,6})(?![\w/])", text):
        word = match.group(1)
        if word in KNOWN_ABBREVIATIONS or re.search(rf"\(\s*{word}\s*\)", text):
            continue
        yield WordingProblem(
            "unexplained-abbreviation",
            _around(text, match),
            f"write '{word}' out in words, or explain it once as 'words ({word})'",
        )


def _percentages(text: str) -> Iterator[WordingProblem]:
    for match in re.finditer(r"(?<![\d.,+\-−])(\d[\d,]*(?:\.\d+)?)\s?%", text):
        value = float(match.group(1).replace(",", ""))
        if value > 100:
            yield WordingProblem(
                "unbounded-percentage",
                _around(text, match),
                "a share is between 0% and 100%; say a change as '+150%' or '2.5 times'",
            )


CHECKS: tuple[Check, ...] = (
    _find(
        "internal-code",
        r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b",
        "use the label a person reads (e.g. 'not there yet'), not the code",
    ),
    _find(
        "internal-code",
        r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.(?:csv|tsv|txt|xlsx|xls|json|parquet|md)\b)",
        "use words, not a column or setting name (e.g. 'hit rate', not 'precision_at_capacity'); file names are fine",
    ),
    _find("internal-code", r"\b(?:ops|core|raw|features)\.[a-z_]+\b", "name what the table holds, not the table"),
    _find("code-span", r"`[^`]+`", "a person reads words, not commands; say what will be done"),
    _find(
        "placeholder",
        r"\b(?:None|nan|NaN|null|inf|undefined|TODO|TBD)\b",
        "say what is missing and what to do, never print a placeholder",
    ),
    _find(
        "unbounded-chance",
        r"(?:chance|probability|likely)\D{0,20}?\b(?:0(?:\.0+)?|100(?:\.0+)?)\s?%|\b(?:0(?:\.0+)?|100(?:\.0+)?)\s?%\s+chance",
        "a chance is never exactly 0% or 100%: say 'under 0.1%' or 'over 99.9%'",
        re.IGNORECASE,
    ),
    _percentages,
    _find("minus-zero", r"(?<![\w.])[-−]0(?:[.,]0+)?(?![\d.,]*[1-9])(?![\d])", "a rounded zero has no sign: write 0"),
    _find(
        "unit-missing",
        r"(?<![$€£\w.,])\d[\d,]*(?:\.\d+)?\s+(?:a|per|each)\s+(?:day|week|month|year)\b",
        "name the unit: '$1,000 a week', '100 customers a week'",
    ),
    _find("too-precise", r"\b\d+\.\d{4,}\b", "round for a person: at most three decimals, money to whole units"),
    _find(
        "ambiguous-date", r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", "write dates as YYYY-MM-DD, the one form no reader misreads"
    ),
    _abbreviations,
)


def wording_problems(text: str) -> list[WordingProblem]:
    """Every wording rule `text` breaks, in rule order (an empty list when it reads well)."""
    return [problem for check in CHECKS for problem in check(text)]
