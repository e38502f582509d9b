"""The report files: self-contained HTML under 500 KB, a Markdown twin with the same numbers, the wording rules, the command."""

from __future__ import annotations

import json

import pytest
from report_helpers import numbers, read_html, visible_text
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.reports.project_report import write_report
from soloml.reports.wording import wording_problems


@pytest.fixture(scope="module")
def written(demo_ws, tmp_path_factory):
    return write_report(demo_ws, "churn", out_dir=tmp_path_factory.mktemp("report_out"))


def test_the_html_names_no_outside_address_and_needs_no_script(written):
    html = written.html.read_text(encoding="utf-8")
    page = read_html(html)
    assert page.addresses, "the SVG charts refer to their own parts by #id"
    outside = [a for a in page.addresses if not a.startswith("#")]
    assert outside == []
    assert (
        "script" not in page.tags and "link" not in page.tags and "img" not in page.tags and "iframe" not in page.tags
    )
    without_namespaces = html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )
    assert (
        "http:" not in without_namespaces
        and "https:" not in without_namespaces
        and "//" not in without_namespaces.replace("<!DOCTYPE html>", "")
    )


def test_the_html_holds_its_chart_inline_and_stays_under_500_kb(written):
    html = written.html.read_text(encoding="utf-8")
    assert written.size == len(html.encode("utf-8")) < 500_000
    assert html.count("<svg") == 1  # the model against today's rule and doing nothing


def test_the_markdown_twin_says_the_same_numbers(written):
    html_numbers = numbers(visible_text(written.html.read_text(encoding="utf-8")))
    md_numbers = numbers(written.markdown.read_text(encoding="utf-8"))
    assert len(html_numbers) > 20
    assert html_numbers == md_numbers


def test_every_section_a_stakeholder_needs_is_there_in_both(written):
    html_text = visible_text(written.html.read_text(encoding="utf-8"))
    md = written.markdown.read_text(encoding="utf-8")
    for heading in (
        "How to read this",
        "The question",
        "What we agreed",
        "The data and its readiness",
        "The model against today's way",
        "The verdict",
        "What drives the predictions",
        "How it is used",
        "The experiment that proves it",
        "What monitoring says",
        "Limitations and what it must not be used for",
    ):
        assert heading in html_text and heading in md
    for term in ("Baseline", "Interval", "Chance to beat"):
        assert term in html_text and f"**{term}**" in md


@pytest.mark.parametrize("kind", ["html", "markdown"])
def test_the_report_follows_the_wording_rules(written, kind):
    text = (
        visible_text(written.html.read_text(encoding="utf-8"))
        if kind == "html"
        else written.markdown.read_text(encoding="utf-8")
    )
    assert [p.words() for p in wording_problems(text)] == []


def test_soloml_report_writes_both_files_in_the_workspace_and_says_where(demo_ws):
    result = CliRunner().invoke(app, ["report", "churn", "--workspace", str(demo_ws.root)])
    assert result.exit_code == 0, result.output
    html, md = demo_ws.reports_dir / "churn.html", demo_ws.reports_dir / "churn.md"
    assert html.is_file() and md.is_file()
    assert str(html) in " ".join(result.output.split()) or html.name in result.output


def test_soloml_report_json_prints_the_facts_and_out_picks_the_folder(demo_ws, tmp_path):
    result = CliRunner().invoke(
        app, ["report", "churn", "--workspace", str(demo_ws.root), "--out", str(tmp_path / "for-ceo"), "--json"]
    )
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["html"] == str(tmp_path / "for-ceo" / "churn.html") and (tmp_path / "for-ceo" / "churn.md").is_file()
    assert facts["facts"]["project"] == "churn" and facts["facts"]["verdict"]["lines"]


def test_soloml_report_refuses_an_unknown_project_and_writes_nothing(demo_ws, tmp_path):
    result = CliRunner().invoke(
        app, ["report", "chrun", "--workspace", str(demo_ws.root), "--out", str(tmp_path / "x")]
    )
    assert result.exit_code == 1
    assert "churn" in result.output
    assert not (tmp_path / "x").exists()


def test_soloml_report_open_hands_the_file_to_the_browser(demo_ws, tmp_path, monkeypatch):
    """--open goes through webbrowser, which honours $BROWSER: here a script that notes the address it was given."""
    import sys
    import webbrowser

    noted = tmp_path / "opened.txt"
    script = tmp_path / "browser.py"
    script.write_text(
        f"#!{sys.executable}\nimport pathlib, sys\npathlib.Path({str(noted)!r}).write_text(sys.argv[1])\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # read $BROWSER again
    result = CliRunner().invoke(
        app, ["report", "churn", "--workspace", str(demo_ws.root), "--out", str(tmp_path / "out"), "--open"]
    )
    assert result.exit_code == 0, result.output
    assert noted.read_text() == (tmp_path / "out" / "churn.html").resolve().as_uri()
