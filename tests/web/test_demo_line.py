"""`soloml demo` (and so `make demo`) ends by saying how to open the dashboard on the demo workspace."""

from __future__ import annotations


def test_the_demo_summary_prints_the_command_that_opens_the_dashboard(demo_run):
    ws, summary = demo_run
    [line] = [line for line in summary.lines if "soloml ui" in line]
    assert f"`soloml ui --dir {ws.root}`" in line and "http://127.0.0.1:8050/" in line
