"""List functions longer than a limit (default 60 lines), longest first: candidates to split.

    python tools/long_functions.py [--limit 60] [--skip cli --skip app] [src/soloml]

Counts the lines from `def` to the function's last line, docstring included. Nested functions are listed
under their own name (outer.inner). Exits 0 whatever it finds: it informs a review, it does not gate one.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def long_functions(root: Path, limit: int, skip: set[str]) -> list[tuple[int, str, str]]:
    """(lines, 'path:line', qualified name) of every function over `limit` lines under `root`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if skip & set(path.relative_to(root).parts[:-1]):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += _walk(tree, path, limit, "")
    return sorted(found, key=lambda f: (-f[0], f[1]))


def _walk(node: ast.AST, path: Path, limit: int, prefix: str) -> list[tuple[int, str, str]]:
    out = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{child.name}"
            if not isinstance(child, ast.ClassDef):
                lines = (child.end_lineno or child.lineno) - child.lineno + 1
                if lines > limit:
                    out.append((lines, f"{path}:{child.lineno}", name))
            out += _walk(child, path, limit, name + ".")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="src/soloml")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--skip", action="append", default=None, help="a folder name to leave out (default: cli, app)")
    args = parser.parse_args(argv)
    skip = set(args.skip if args.skip is not None else ["cli", "app"])
    for lines, where, name in long_functions(Path(args.root), args.limit, skip):
        print(f"{lines:4d}  {where}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
