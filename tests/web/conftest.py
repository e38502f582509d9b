"""A small trained Bluebird workspace for the dashboard tests (the real `soloml demo`, 300 customers), built once.

After the demo, churn is trained a second time (v0002, not promoted) so promote and rollback have somewhere to go.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from soloml.app.train import train_project
from soloml.demo import run_demo
from soloml.demo.walkthrough import DemoSummary
from soloml.deploy.runner import running
from soloml.web import create_ui
from soloml.workspace import Workspace, open_workspace

CUSTOMERS = 300


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Workspace, DemoSummary]:
    folder = tmp_path_factory.mktemp("web") / "bluebird"
    summary = run_demo(folder, customers=CUSTOMERS, seed=7)
    ws = open_workspace(folder)
    train_project(ws, "churn", seed=8)  # v0002: a candidate beside production v0001
    return ws, summary


@pytest.fixture(scope="session")
def demo_ws(demo_run) -> Workspace:
    return demo_run[0]


@pytest.fixture(scope="session")
def ui_url(demo_ws: Workspace) -> Iterator[str]:
    """The dashboard under a real uvicorn on 127.0.0.1 (a free port)."""
    with running(create_ui(demo_ws)) as service:
        yield service.url


def production(ws: Workspace, project: str = "churn") -> str:
    from soloml.registry.aliases import resolve

    return resolve(ws.models_dir, project, "production")


def assert_no_machine_paths(html: str, ws: Workspace) -> None:
    """No page shows where the workspace lives, nor any other folder of the machine."""
    assert str(ws.root) not in html
    assert str(Path.home()) + "/" not in html
    assert "/tmp/" not in html
