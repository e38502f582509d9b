"""A small workspace with a real trained, saved and promoted churn model (table recipe over raw.accounts).

Training happens once per test session; each test gets its own copy of the workspace folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from deploy_helpers import accounts, churn_spec, train_version

from soloml.projects.spec import save_spec
from soloml.workspace import Workspace, init_workspace, open_workspace


@pytest.fixture(scope="session")
def trained_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = init_workspace(tmp_path_factory.mktemp("deploy") / "acme", name="Acme")
    save_spec(churn_spec(), ws.projects_dir)
    con = ws.connect()
    try:
        con.register("accounts_df", accounts())
        con.execute("CREATE TABLE raw.accounts AS SELECT * FROM accounts_df")
    finally:
        con.close()
    train_version(ws, params={"num_threads": 1})
    return ws.root


@pytest.fixture
def trained_ws(trained_template: Path, tmp_path: Path) -> Workspace:
    """A private copy of a workspace whose 'churn' project has a production model (v0001)."""
    target = tmp_path / "acme"
    shutil.copytree(trained_template, target)
    return open_workspace(target)
