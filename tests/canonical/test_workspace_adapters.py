"""Issue 13, per-workspace state: each workspace's mappings live in its own `AdapterCatalog`, never process-wide.

A long-lived process (the service, the dashboard) holds two workspaces at once; a mapping with the same
name ('pos.payments') but different columns in each must route each workspace's files its own way.
"""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import soloml.canonical.adapters as adapters_package
from soloml.canonical.adapters.adapter_catalog import BUILT_IN, AdapterCatalog
from soloml.canonical.ingest import detect, route
from soloml.cli.app import app
from soloml.errors import AdapterError
from soloml.sources import LoadResult, load_paths
from soloml.workspace import Workspace, init_workspace

# Same vendor object 'pos.payments' and the same file pattern in both workspaces, but different columns:
# the shop in A exports Ref/Total/When in dollars, the shop in B exports Id/Amount/Date in pounds.
MAPPING_A = {
    "table": "payments",
    "source": "pos",
    "match": {"file": "till_*.csv", "headers": ["Ref", "Total", "When"]},
    "columns": {
        "payment_id": "Ref",
        "amount": "Total",
        "paid_at": "When",
        "kind": "charge",
        "status": "succeeded",
        "currency": "USD",
    },
}
MAPPING_B = {
    "table": "payments",
    "source": "pos",
    "match": {"file": "till_*.csv", "headers": ["Id", "Amount", "Date"]},
    "columns": {
        "payment_id": "Id",
        "amount": "Amount",
        "paid_at": "Date",
        "kind": "charge",
        "status": "succeeded",
        "currency": "GBP",
    },
}
FILE_A = "Ref,Total,When\nA-1,10.00,2024-03-01 10:00:00\nA-2,20.00,2024-03-02 11:00:00\n"
FILE_A_LATER = "Ref,Total,When\nA-3,30.00,2024-03-03 12:00:00\n"
FILE_B = "Id,Amount,Date\nB-1,5.50,2024-04-01\n"


def _workspace(root: Path, mapping: dict) -> Workspace:
    ws = init_workspace(root, name=root.name)
    ws.mappings_dir.mkdir(parents=True, exist_ok=True)
    (ws.mappings_dir / "pos.yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    return ws


def _load(ws: Workspace, catalog: AdapterCatalog, path: Path) -> LoadResult:
    """Load one file into `ws` the way `soloml load` does, with the catalog the process holds for that workspace."""
    with ws.connect() as con:
        (result,) = load_paths(
            con,
            [path],
            detector=partial(detect, catalog=catalog),
            router=partial(route, catalog=catalog),
            max_quarantine_share=0.0,
        )
    assert result.status == "loaded", result.message
    return result


def _payments(ws: Workspace) -> list[tuple]:
    with ws.connect() as con:
        return con.execute(
            "SELECT payment_id, amount, currency, paid_at::DATE::VARCHAR FROM core.payments ORDER BY payment_id"
        ).fetchall()


@pytest.fixture
def two_workspaces(tmp_path: Path) -> tuple[Workspace, Workspace]:
    return _workspace(tmp_path / "shop_a", MAPPING_A), _workspace(tmp_path / "shop_b", MAPPING_B)


def test_two_workspaces_with_a_same_named_mapping_each_route_their_own_way_in_one_process(two_workspaces, tmp_path):
    ws_a, ws_b = two_workspaces
    catalog_a = AdapterCatalog.from_folder(ws_a.mappings_dir)  # both held at once, as a service holds them
    catalog_b = AdapterCatalog.from_folder(ws_b.mappings_dir)
    file_a, file_a_later, file_b = tmp_path / "till_a1.csv", tmp_path / "till_a2.csv", tmp_path / "till_b1.csv"
    file_a.write_text(FILE_A, encoding="utf-8")
    file_a_later.write_text(FILE_A_LATER, encoding="utf-8")
    file_b.write_text(FILE_B, encoding="utf-8")

    first = _load(ws_a, catalog_a, file_a)
    second = _load(ws_b, catalog_b, file_b)
    third = _load(ws_a, catalog_a, file_a_later)  # after B's catalog was built and used

    assert [r.detection.vendor_object for r in (first, second, third)] == ["pos.payments"] * 3
    assert _payments(ws_a) == [
        ("pos:A-1", Decimal("10.00"), "USD", "2024-03-01"),
        ("pos:A-2", Decimal("20.00"), "USD", "2024-03-02"),
        ("pos:A-3", Decimal("30.00"), "USD", "2024-03-03"),
    ]
    assert _payments(ws_b) == [("pos:B-1", Decimal("5.50"), "GBP", "2024-04-01")]


def test_a_workspaces_mapping_is_unknown_to_the_other_workspace_and_to_built_ins(two_workspaces):
    ws_a, ws_b = two_workspaces
    catalog_a = AdapterCatalog.from_folder(ws_a.mappings_dir)
    catalog_b = AdapterCatalog.from_folder(ws_b.mappings_dir)
    frame = pd.read_csv(pd.io.common.StringIO(FILE_A), dtype=str)
    assert detect(list(frame.columns), frame, None, catalog=catalog_a).vendor_object == "pos.payments"
    assert detect(list(frame.columns), frame, None, catalog=catalog_b).vendor_object is None
    assert detect(list(frame.columns), frame, None).vendor_object is None  # outside any workspace: built-ins only
    with pytest.raises(AdapterError, match="missing required column"):
        detect(list(frame.columns), frame, "pos.payments", catalog=catalog_b)
    with pytest.raises(AdapterError, match="no adapter called 'pos.payments'"):
        BUILT_IN.adapter("pos.payments")
    assert set(catalog_a.adapter("pos.payments").required) == {"Ref", "Total", "When"}
    assert set(catalog_b.adapter("pos.payments").required) == {"Id", "Amount", "Date"}


def test_soloml_load_in_two_workspaces_interleaved_in_one_process_routes_each_by_its_own_mapping(
    two_workspaces, tmp_path
):
    ws_a, ws_b = two_workspaces
    runner = CliRunner()
    for ws, name, text in [
        (ws_a, "till_a1.csv", FILE_A),
        (ws_b, "till_b1.csv", FILE_B),
        (ws_a, "till_a2.csv", FILE_A_LATER),
    ]:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["load", str(path), "--workspace", str(ws.root), "--json"])
        assert result.exit_code == 0, result.output
        (loaded,) = json.loads(result.stdout)["loads"]
        assert loaded["detection"]["vendor_object"] == "pos.payments", loaded
    assert [row[0] for row in _payments(ws_a)] == ["pos:A-1", "pos:A-2", "pos:A-3"]
    assert _payments(ws_b) == [("pos:B-1", Decimal("5.50"), "GBP", "2024-04-01")]


def test_catalog_is_an_immutable_value():
    catalog = AdapterCatalog()
    with pytest.raises(TypeError):
        catalog.by_name["pos.payments"] = catalog.adapter("stripe.payments")  # type: ignore[index]
    with pytest.raises(AttributeError):
        catalog.mappings = ()  # type: ignore[misc]


MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "clear", "remove", "discard"}


def _is_module(package: str | None, name: str) -> bool:
    import importlib.util

    try:
        return bool(package) and importlib.util.find_spec(f"{package}.{name}") is not None
    except (ImportError, ValueError):
        return False


def _module_state_changes(path: Path) -> list[str]:
    """Places where a function changes a module-level object: `global`, `NAME[k] = ...`, `del NAME[k]`, NAME.update(...)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_names = {
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    }
    # a warehouse/stamp.Memo is a cache whose keys hold the workspace root and the warehouse stamp, so two
    # workspaces (or a changed warehouse) never see each other's entries: clearing it is not shared state
    module_names -= {
        t.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", getattr(node.value.func, "attr", None)) == "Memo"
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    module_names |= {
        a.asname or a.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for a in node.names
        if not _is_module(node.module, a.name)  # `from soloml.warehouse import ops`: ops.insert(...) calls a function
    }
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        local = {a.arg for a in func.args.args + func.args.kwonlyargs}
        local |= {
            t.id for n in ast.walk(func) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)
        }
        shared = module_names - local
        for node in ast.walk(func):
            where = f"{path.name}:{getattr(node, 'lineno', '?')} in {func.name}"
            if isinstance(node, ast.Global):
                found.append(f"{where}: global {', '.join(node.names)}")
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else []
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in shared:
                    found.append(f"{where}: {t.value.id}[...] changed")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in shared
            ):
                found.append(f"{where}: {node.func.value.id}.{node.func.attr}(...)")
    return found


def test_no_function_in_soloml_changes_module_level_state():
    """What made two workspaces mix: register_mappings wrote BY_NAME and _MAPPINGS, shared by the whole process."""
    root = Path(adapters_package.__file__).parents[2]  # src/soloml
    files = sorted(root.rglob("*.py"))
    assert len(files) > 100
    assert [change for path in files for change in _module_state_changes(path)] == []


def test_the_built_in_adapter_table_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        adapters_package.BY_NAME["pos.payments"] = adapters_package.adapter("stripe.payments")  # type: ignore[index]
    assert not [
        name
        for name, value in vars(adapters_package).items()
        if not name.startswith("__") and type(value) in (dict, list, set, bytearray)
    ]


def test_soloml_map_knows_the_files_this_workspace_already_maps_and_only_those(two_workspaces, tmp_path):
    from soloml.canonical.mapping_draft import write_draft

    ws_a, ws_b = two_workspaces
    path = tmp_path / "till_a1.csv"
    path.write_text(FILE_A, encoding="utf-8")
    with pytest.raises(AdapterError, match="already recognised as pos.payments"):
        write_draft(path, ws_a.mappings_dir)
    assert write_draft(path, ws_b.mappings_dir).table == "payments"  # B's pos mapping has other columns: a draft is due
