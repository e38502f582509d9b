"""The project report's Markdown twin: the same facts, the same sentences, the same numbers as the HTML."""

from __future__ import annotations

from typing import Any

from soloml.reports.html import environment, facts_dict, section_list


def render_markdown(facts: Any) -> str:
    f = facts_dict(facts)
    env = environment().overlay(autoescape=False)
    return env.get_template("report.md.j2").render(f=f, sections=section_list(f))
