"""The package map, enforced: a stage never imports a later stage, the application layer or the CLI.

Every `import soloml.x` / `from soloml.x import ...` under src/soloml is read with `ast` (imports inside
functions and under TYPE_CHECKING count too: a lazy import is still a dependency). The order below is the
one in docs/architecture.md; change both together.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "soloml"

# rank -> packages (top-level modules or folders under src/soloml). A package may import its own rank only
# when the rank is the foundation; otherwise only lower ranks. Same-rank stages are siblings that never
# import each other (the caller hands one's result to the other).
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "foundation",
        frozenset(
            {
                "_version",
                "errors",
                "config",
                "crashpoints",
                "facts",
                "owners",
                "sql_quoting",
                "temp_names",
                "warehouse",
                "workspace",
            }
        ),
    ),
    ("sources", frozenset({"sources"})),
    ("canonical", frozenset({"canonical"})),
    ("projects", frozenset({"projects"})),
    ("features", frozenset({"features"})),
    ("readiness", frozenset({"readiness"})),
    ("modeling", frozenset({"modeling"})),
    ("engines", frozenset({"engines"})),
    ("registry", frozenset({"registry"})),
    ("deploy", frozenset({"deploy"})),
    ("analysis", frozenset({"experiments", "forecasting"})),
    ("monitoring", frozenset({"monitoring"})),
    ("tracker", frozenset({"tracker"})),
    ("reports", frozenset({"reports"})),
    ("app", frozenset({"app"})),
    ("demo", frozenset({"demo"})),
    ("web", frozenset({"web"})),
    ("cli", frozenset({"cli"})),
)
FOUNDATION = LAYERS[0][1]
RANK = {package: rank for rank, (_, packages) in enumerate(LAYERS) for package in packages}
FACADE = "__init__"  # soloml/__init__.py: the public API, may import anything but the CLI

# (importing package, imported package) -> why it is allowed anyway. Each is debt to pay, not a design.
ALLOWED: dict[tuple[str, str], str] = {}


def _package_of(path: Path, src: Path = SRC) -> str:
    rel = path.relative_to(src)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imported_packages(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[1]) for alias in node.names if alias.name.startswith("soloml.")]
            out += [(node.lineno, FACADE) for alias in node.names if alias.name == "soloml"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("soloml."):
                out.append((node.lineno, node.module.split(".")[1]))
            elif node.module == "soloml":
                out += [(node.lineno, alias.name if alias.name in RANK else FACADE) for alias in node.names]
    return out


def violations(src: Path = SRC) -> list[str]:
    """Every import that breaks the package map, as 'file:line: a -> b (why)'."""
    found = []
    for path in sorted(src.rglob("*.py")):
        package = _package_of(path, src)
        for line, target in _imported_packages(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if target == package or (package, target) in ALLOWED:
                continue
            where = f"{path.relative_to(src.parent)}:{line}: {package} -> {target}"
            if package == FACADE:
                if target == "cli":
                    found.append(f"{where} (the public API never imports the CLI)")
                continue
            if target == FACADE:
                found.append(f"{where} (import the module that defines the name, not the soloml facade)")
                continue
            assert package in RANK, (
                f"{path}: package {package!r} is not in the package map (LAYERS); add it there and to docs/architecture.md"
            )
            assert target in RANK, f"{path}:{line}: imports unknown package {target!r}"
            if package in FOUNDATION and target in FOUNDATION:
                continue
            if RANK[target] >= RANK[package]:
                found.append(f"{where} ({LAYERS[RANK[package]][0]} may not import {LAYERS[RANK[target]][0]})")
    return found


def test_no_module_imports_a_later_stage_the_app_layer_or_the_cli():
    assert violations() == []


def test_every_package_under_src_is_in_the_map():
    packages = {_package_of(p) for p in SRC.rglob("*.py")} - {FACADE}
    assert packages <= set(RANK), sorted(packages - set(RANK))
    assert {"app", "facts"} <= packages


def test_the_rule_catches_a_backward_import(tmp_path):
    """A modeling module that imports the registry (the old workflow <-> registry cycle) is reported."""
    for rel, text in {
        "modeling/workflow.py": "def f():\n    from soloml.registry import save_model\n",
        "registry/store.py": "from soloml.modeling.result import TrainResult\n",
        "readiness/x.py": "import soloml.app.check\n",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    found = violations(tmp_path)
    assert [f.split(": ", 1)[1].split(" (")[0] for f in found] == ["modeling -> registry", "readiness -> app"]


def test_the_map_in_the_docs_is_the_one_enforced():
    doc = (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = [line for line in doc.splitlines() if line.startswith("|")]
    for name, packages in LAYERS:
        row = next((line for line in rows if f"| {name} |" in line), None)
        assert row is not None, f"docs/architecture.md has no row for layer {name!r}"
        for package in packages:
            assert f"`{package}`" in row, f"docs/architecture.md's row for {name!r} does not name `{package}`"
