"""How a mapping draft is written out: YAML a person can read, confirm and edit."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from soloml.canonical.schema import ALLOWED_VALUES

if TYPE_CHECKING:
    from soloml.canonical.mapping_draft import MappingDraft


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def render_yaml(d: MappingDraft, file_pattern: str | None) -> str:
    """The draft as mappings/<name>.yaml text: one comment per guess saying why and how sure."""
    lines = [
        "# Draft mapping written by `soloml map`: check every guess, edit, then `soloml load` the file again.",
        f"# Each line says which column of the file fills which column of core.{d.table}, why, and how sure.",
        f"table: {d.table}    # {d.table_reason}",
        f"source: {d.name}    # recorded as `source` in core.{d.table}; ids become '{d.name}:<id>'",
        "match:",
    ]
    if file_pattern:
        lines.append(f"  file: {_q(file_pattern)}")
    lines.append("  headers: [" + ", ".join(_q(h) for h in d.match_headers) + "]")
    lines.append("columns:")
    for g in d.guesses:
        value = _q(g.source) if g.source is not None else _q(g.literal or "")
        kind = "" if g.source is not None else "literal value; "
        lines.append(f"  {g.column}: {value}    # {kind}{g.reason} (sure: {g.confidence})")
    for m in d.missing:
        lines.append(f"  # {m}: ???    # required, no column found: name the column that holds it")
    if d.formats:
        lines.append("formats:")
        for col, fmt in d.formats.items():
            lines.append(f"  {col}: {_q(fmt)}")
    if d.values:
        lines.append("values:")
        for col, mapping in d.values.items():
            allowed = ", ".join(ALLOWED_VALUES[(d.table, col)])
            lines.append(f"  {col}:    # allowed: {allowed}")
            for raw, canon in mapping.items():
                note = "    # not recognised: replace ? with an allowed value" if canon == "?" else ""
                lines.append(f"    {_q(raw)}: {_q(canon)}{note}")
    for n in d.notes:
        lines.append(f"# note: {n}")
    if d.unused:
        lines.append("# columns not used: " + ", ".join(d.unused))
    return "\n".join(lines) + "\n"
