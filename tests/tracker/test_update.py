"""The weekly update: its sections from a fixed event log and board (golden files), the files it writes, the CLI."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.config import BOARD_PERSON_COLUMNS
from soloml.errors import TrackerError
from soloml.reports.wording import wording_problems
from soloml.tracker.board import build_board
from soloml.tracker.sheet import read_sheet
from soloml.tracker.update import compose_update, write_update
from tracker.helpers import FIXTURES, fixed_log

GOLDEN = FIXTURES / "golden"
TODAY, SINCE = date(2026, 12, 1), date(2026, 11, 24)
REGENERATE = os.environ.get("SOLOML_REGENERATE_GOLDEN") == "1"  # set it once after a deliberate wording change


@pytest.fixture(scope="module")
def update():
    """The fixed event log (fixtures/events.json) with the board a person edited (fixtures/board_before.csv)."""
    board, _ = build_board(
        read_sheet(FIXTURES / "board_before.csv"), fixed_log(), {}, today=TODAY, person=frozenset(BOARD_PERSON_COLUMNS)
    )
    return compose_update(fixed_log(), board, since=SINCE, until=TODAY, business="Bluebird Coffee")


@pytest.mark.parametrize(("name", "render"), [("update.md", "markdown"), ("update.txt", "text")])
def test_the_update_from_a_fixed_event_log_matches_its_golden_file(update, name, render):
    text = getattr(update, render)()
    if REGENERATE:
        (GOLDEN / name).write_text(text, encoding="utf-8")
    assert text == (GOLDEN / name).read_text(encoding="utf-8")


def test_each_section_says_the_weeks_facts_in_plain_lines(update):
    s = update.sections
    assert update.colours == {
        "churn": "green",
        "upsell": "amber",
        "reorder reminders": "amber",
        "leads": "red",
        "winback": "red",
    }
    assert any("Loaded 2 files (17,610 rows)" in line for line in s["happened"])
    assert not any("leads" in line for line in s["happened"])  # its events are older than the week
    assert "upsell: Add the Mailchimp opens and train again." in s["planned"]  # a person's next step
    assert "leads: was due 2026-11-15, 16 days ago; now at stage trained." in s["done_when"]
    assert s["risks"][0].startswith("leads (red)") and len(s["risks"]) == 5
    assert "leads: Lee (sales) to decide: park it or bring more data." in s["decisions"]


def test_the_update_and_its_email_body_follow_the_wording_rules(update):
    assert wording_problems(update.markdown()) == []
    assert wording_problems(update.text()) == []


def test_an_update_that_starts_after_it_ends_is_refused(update):
    board, _ = build_board(read_sheet(FIXTURES / "board_before.csv"), fixed_log(), {}, today=TODAY, person=frozenset())
    with pytest.raises(TrackerError, match="start 2026-12-05 is after its end 2026-12-01"):
        compose_update(fixed_log(), board, since=date(2026, 12, 5), until=TODAY, business="x")


def test_write_update_writes_markdown_and_text_under_reports_and_refreshes_the_board(ws):
    result = write_update(ws, log=fixed_log(), today=TODAY)
    assert result.markdown_path == ws.reports_dir / "update-2026-12-01.md"
    assert result.markdown_path.read_text(encoding="utf-8").startswith(
        "# test business: weekly update, 2026-11-24 to 2026-12-01"
    )
    assert result.text_path.read_text(encoding="utf-8") == result.text()
    assert "winback" in ws.board_path.read_text(encoding="utf-8-sig")


def test_soloml_update_json_and_a_bad_since_date(ws):
    runner = CliRunner()
    result = runner.invoke(app, ["update", "--workspace", str(ws.root), "--json", "--since", "2026-01-01"])
    assert result.exit_code == 0, result.output
    facts = json.loads(result.stdout)
    assert facts["since"] == "2026-01-01" and facts["sections"]["status"] == ["No projects yet."]
    assert facts["sent"] is None and os.path.isfile(facts["markdown_path"])
    bad = runner.invoke(app, ["update", "--workspace", str(ws.root), "--since", "last monday"])
    assert bad.exit_code == 1 and "--since 'last monday' is not a date" in bad.output
