"""Reading a rendered report back the way a reader and a browser would: its visible text, its addresses, its numbers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

NUMBER = re.compile(r"[$€£]?\d[\d,]*(?:\.\d+)?%?")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.addresses: list[str] = []
        self.tags: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "svg", "script"):
            self._hidden += 1
        for name, value in attrs:
            if value is None:
                continue
            if name in ("src", "href", "xlink:href", "action", "poster", "data", "srcset") or name.endswith(":href"):
                self.addresses.append(value)
            self.addresses += re.findall(r"url\(\s*['\"]?([^'\")]*)", value)  # style="...", clip-path="url(#p1)", ...

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "script"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._hidden == 0:
            self.text.append(data)


def read_html(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    for css in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S):
        reader.addresses += re.findall(r"url\(\s*['\"]?([^'\")]*)", css)
        reader.addresses += re.findall(r"@import\s+['\"]?([^'\";]+)", css)
    return reader


def visible_text(html: str) -> str:
    return " ".join(" ".join(read_html(html).text).split())


def numbers(text: str) -> list[str]:
    """Every number a reader sees ($1,234, 38.0%, 2026-12-01 as three numbers), sorted."""
    return sorted(NUMBER.findall(text))
