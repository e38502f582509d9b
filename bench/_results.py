"""One section of bench/RESULTS.md rewritten in place: every bench writes its own `## Title` section this way."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(title: str, section: str, results: Path = RESULTS) -> None:
    """`section` (starting with its `## title` line) in place of that section of `results`, or at its end.

    A section runs to the next `## ` heading; the new one is followed by one blank line before it.
    """
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    body = section.rstrip("\n") + "\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    results.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
