"""docs/canonical-adapters.md lists every adapter the registry holds, and is generated, not hand-kept."""

from __future__ import annotations

from pathlib import Path

from soloml.canonical.adapters import ADAPTERS
from soloml.canonical.adapters.catalog import catalog_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "canonical-adapters.md"


def test_catalog_lists_every_registered_adapter():
    text = catalog_markdown()
    for a in ADAPTERS:
        assert f"| `{a.vendor_object}` |" in text


def test_committed_page_is_current():
    assert DOC.read_text(encoding="utf-8") == catalog_markdown(), (
        "docs/canonical-adapters.md is stale: run `python -m soloml.canonical.adapters.catalog > docs/canonical-adapters.md`"
    )
