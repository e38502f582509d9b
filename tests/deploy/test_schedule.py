"""`soloml score --cron`: the crontab line and a systemd timer that fire exactly when cron would."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from soloml.deploy.schedule import on_calendar, schedule
from soloml.errors import DeployError

# cron expression -> its first firings after 2026-01-01 00:00 UTC (a Thursday), worked out by hand
FIRINGS = [
    ("0 6 * * 1", ["2026-01-05 06:00", "2026-01-12 06:00", "2026-01-19 06:00"]),
    ("*/20 9 * * *", ["2026-01-01 09:00", "2026-01-01 09:20", "2026-01-01 09:40", "2026-01-02 09:00"]),
    ("30 5 1 * *", ["2026-01-01 05:30", "2026-02-01 05:30", "2026-03-01 05:30"]),
    ("0 0 * * 1-5", ["2026-01-01 00:00", "2026-01-02 00:00", "2026-01-05 00:00"]),
    ("15 8 * feb sun", ["2026-02-01 08:15", "2026-02-08 08:15"]),
    ("0 7 * * 7", ["2026-01-04 07:00", "2026-01-11 07:00"]),
    # both day fields restricted: cron fires on the 10th OR on Fridays
    ("0 12 10 * fri", ["2026-01-02 12:00", "2026-01-09 12:00", "2026-01-10 12:00", "2026-01-16 12:00"]),
    ("@weekly", ["2026-01-04 00:00", "2026-01-11 00:00"]),
]


def systemd_firings(calendars: tuple[str, ...], count: int) -> list[str]:
    out = subprocess.run(
        ["systemd-analyze", "calendar", f"--iterations={count}", "--base-time=2025-12-31 23:59:59 UTC", *calendars],
        capture_output=True,
        text=True,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout
    found = sorted(set(re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d):00 UTC", out)))
    return found[:count]


@pytest.mark.parametrize(("cron", "expected"), FIRINGS)
def test_systemd_timer_fires_when_cron_would(cron: str, expected: list[str]):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed on this machine")
    assert systemd_firings(on_calendar(cron), len(expected)) == expected


def test_schedule_renders_a_crontab_line_and_a_service_timer_pair(tmp_path):
    s = schedule("churn", "0 6 * * 1", workspace=tmp_path, executable="/opt/venv/bin/soloml")
    assert s.crontab.startswith("0 6 * * 1 cd ")
    assert f"/opt/venv/bin/soloml score churn --workspace {tmp_path}" in s.crontab
    assert s.crontab.endswith("score-churn.log 2>&1")
    assert "ExecStart=/opt/venv/bin/soloml score churn" in s.service_unit and "Type=oneshot" in s.service_unit
    assert "OnCalendar=Mon *-*-* 06:00:00" in s.timer_unit and "Unit=soloml-score-churn.service" in s.timer_unit


def test_paths_with_spaces_are_quoted(tmp_path):
    folder = tmp_path / "Acme Coffee"
    s = schedule("churn", "0 6 * * *", workspace=folder)
    assert f"'{folder}'" in s.crontab


@pytest.mark.parametrize(
    ("cron", "message"),
    [
        ("0 6 * *", "has 4 field"),
        ("61 6 * * *", "minute field has '61'"),
        ("0 24 * * *", "hour field has '24'"),
        ("0 6 0 * *", "day of month field has '0'"),
        ("0 6 * 13 *", "month field has '13'"),
        ("0 6 * * funday", "day of week field has 'funday'"),
        ("0 6 * * 5-1", "day of week field has '5-1'"),
        ("*/0 6 * * *", "minute field has '\\*/0'"),
    ],
)
def test_bad_cron_is_refused_naming_the_field(cron: str, message: str):
    with pytest.raises(DeployError, match=message):
        on_calendar(cron)
