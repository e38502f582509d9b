"""A trained demo workspace shared by the report tests: `soloml demo` on 300 customers, run once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from soloml.demo import run_demo
from soloml.workspace import Workspace, open_workspace


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory) -> Workspace:
    """Bluebird Coffee after the whole demo: loaded, checked, churn trained and live, scored, an experiment, monitoring."""
    folder: Path = tmp_path_factory.mktemp("report_demo") / "bluebird"
    run_demo(folder, customers=300, seed=7)
    return open_workspace(folder)
