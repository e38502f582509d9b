from pathlib import Path

import pytest
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.errors import WorkspaceError
from soloml.workspace import FOLDERS, find_workspace, init_workspace


def test_init_makes_the_documented_layout(tmp_path: Path):
    ws = init_workspace(tmp_path / "acme")
    for item in ("soloml.yaml", "warehouse.duckdb", "board.csv", *FOLDERS):
        assert (ws.root / item).exists(), item


def test_init_twice_keeps_existing_settings(tmp_path: Path):
    ws = init_workspace(tmp_path / "acme", name="Acme")
    (ws.root / "soloml.yaml").write_text("name: Renamed\n")
    init_workspace(tmp_path / "acme")
    assert find_workspace(tmp_path / "acme").settings.name == "Renamed"


def test_workspace_is_found_from_a_subfolder(tmp_path: Path):
    ws = init_workspace(tmp_path / "acme")
    found = find_workspace(cwd=ws.root / "projects", env={})
    assert found.root == ws.root


def test_env_variable_beats_the_current_folder(tmp_path: Path):
    a = init_workspace(tmp_path / "a")
    b = init_workspace(tmp_path / "b")
    assert find_workspace(cwd=a.root, env={"SOLOML_WORKSPACE": str(b.root)}).root == b.root


def test_no_workspace_says_where_it_looked_and_what_to_do(tmp_path: Path):
    with pytest.raises(WorkspaceError) as info:
        find_workspace(cwd=tmp_path, env={})
    text = str(info.value)
    assert "SOLOML_WORKSPACE" in text and str(tmp_path) in text and "soloml init" in text


def test_bad_setting_names_the_key(tmp_path: Path):
    ws = init_workspace(tmp_path / "acme")
    (ws.root / "soloml.yaml").write_text("load:\n  max_quarantine_share: 7\n")
    with pytest.raises(Exception) as info:
        find_workspace(ws.root)
    assert "load.max_quarantine_share" in str(info.value)


def test_cli_init_and_version(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(tmp_path / "shop"), "--json"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shop" / "warehouse.duckdb").exists()
    assert runner.invoke(app, ["--version"]).output.startswith("soloml ")


def test_a_workspace_whose_warehouse_is_postgres_opens_it_with_soloml_schemas(tmp_path, postgres_warehouse_url):
    from soloml.warehouse.postgres import PostgresConnection

    ws = init_workspace(tmp_path / "ws", warehouse=postgres_warehouse_url)
    assert not (tmp_path / "ws" / "warehouse.duckdb").exists()
    con = ws.connect()
    assert isinstance(con, PostgresConnection)
    assert con.execute("SELECT count(*) FROM ops.runs").fetchall() == [(0,)]
    con.close()
