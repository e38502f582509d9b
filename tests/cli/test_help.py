"""`soloml --help` describes every command, and every command has its own help page."""

import pytest
import typer
from typer.testing import CliRunner

from soloml.cli.app import app

runner = CliRunner()


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_help_lists_every_command_with_a_description():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in _commands():
        assert name in result.output
        command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
        assert (command.help or "").strip(), f"command {name} has no description"


@pytest.mark.parametrize("name", _commands())
def test_each_command_has_a_help_page(name: str):
    result = runner.invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
