"""Write the project report: reports/<project>.html and reports/<project>.md, from one set of facts.

    written = write_report(ws, "churn")          # ReportFiles(html=..., markdown=..., facts=...)

Both files are rendered in memory first and each replaces its old copy in one rename, so a failure
never leaves half a report. A project with a contract but no model yet still gets its report (it says
what is missing); an unknown project is refused with the projects that exist.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from soloml.errors import TrackerError
from soloml.reports.facts import ProjectFacts, project_facts
from soloml.reports.html import MAX_BYTES, render_html
from soloml.reports.markdown import render_markdown
from soloml.workspace import Workspace


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    markdown: Path
    facts: ProjectFacts
    size: int  # bytes of the HTML file

    def to_facts(self) -> dict[str, Any]:
        return {
            "html": str(self.html),
            "markdown": str(self.markdown),
            "html_bytes": self.size,
            "facts": self.facts.to_facts(),
        }


def write_report(
    ws: Workspace, project: str, *, out_dir: Path | str | None = None, now: datetime | None = None
) -> ReportFiles:
    """Compute the facts, render both files, write them to `out_dir` (default: the workspace's reports/)."""
    facts = project_facts(ws, project, now=now)
    html, markdown = render_html(facts), render_markdown(facts)
    size = len(html.encode("utf-8"))
    if size > MAX_BYTES:
        raise TrackerError(
            f"The report for {project} came to {size:,} bytes, over the {MAX_BYTES:,}-byte limit; nothing was written.",
            hint="Forecast fewer series (the chart draws the biggest four) or report an issue with the project file.",
        )
    folder = Path(out_dir) if out_dir is not None else ws.reports_dir
    folder.mkdir(parents=True, exist_ok=True)
    html_path, md_path = folder / f"{facts.project}.html", folder / f"{facts.project}.md"
    _replace(html_path, html)
    _replace(md_path, markdown)
    return ReportFiles(html_path, md_path, facts, size)


def _replace(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
