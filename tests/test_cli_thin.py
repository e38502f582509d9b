"""The commands moved to the application layer stay thin: their cli/ module imports soloml.app, never a stage.

A stage call written back into one of these modules (e.g. `from soloml.deploy import score_project` in
cli/score.py) would let the command and `soloml.score(...)` / the dashboard drift apart again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import soloml

CLI = Path(soloml.__file__).parent / "cli"
MOVED = ("score", "serve", "models", "monitor", "map", "board", "update", "recover")
# what a thin command may still import: the CLI's own plumbing, the app layer, errors, and names for its --help text
ALLOWED = ("soloml.cli", "soloml.app", "soloml.errors", "soloml.canonical.schema")


def soloml_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("soloml"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("soloml")]
    return found


def test_moved_commands_call_the_app_layer_only():
    offending = [
        f"cli/{name}.py:{line} imports {module}"
        for name in MOVED
        for line, module in soloml_imports(CLI / f"{name}.py")
        if not module.startswith(ALLOWED)
    ]
    assert offending == []


def test_the_rule_catches_a_stage_call_in_a_command(tmp_path):
    thin = tmp_path / "score.py"
    thin.write_text("def f():\n    from soloml.deploy import score_project\n    from soloml.app.score import score\n")

    assert [m for _, m in soloml_imports(thin) if not m.startswith(ALLOWED)] == ["soloml.deploy"]
