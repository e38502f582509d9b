import ast
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import soloml
from soloml.cli.app import app
from soloml.workspace import init_workspace

EXPECTED = {
    "identity_report",
    "LoadResult",
    "load_paths",
    "SolomlError",
    "Workspace",
    "__version__",
    "find_workspace",
    "init_workspace",
    "ExperimentSpec",
    "analyze_experiment",
    "monitor_project",
    "ProjectSpec",
    "TrainingSet",
    "audit_leakage",
    "build_scoring_frame",
    "build_training_set",
    "load_spec",
    "spec_from_answers",
    "table_spec",
    "train",
    "TrainReport",
    "TrainResult",
    "SolomlClassifier",
    "SolomlRegressor",
    "load_model",
    "save_model",
    "promote",
    "rollback",
    "ScoreResult",
    "create_app",
    "score_project",
    "serve",
    "run_demo",
    "generate_bluebird",
    # the application layer's use cases and their results
    "load",
    "LoadSummary",
    "check",
    "ReadinessReport",
    "forecast",
    "ForecastOutcome",
    "score",
    "monitor",
    "Facts",
}
INIT = Path(soloml.__file__)


def test_public_api_is_exactly_what_all_lists():
    assert set(soloml.__all__) == EXPECTED
    for name in soloml.__all__:
        assert hasattr(soloml, name), name


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError):
        soloml.not_a_public_name  # noqa: B018


def _type_checking_names() -> set[str]:
    """The names soloml/__init__.py imports for type checkers (its `if TYPE_CHECKING:` block)."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    return {
        alias.asname or alias.name for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names
    }


def test_what_type_checkers_see_is_what_the_package_exports_and_every_name_is_the_defining_object():
    """`__all__`, the lazy table and the TYPE_CHECKING imports list the same names, and each resolves to what its module defines."""
    import importlib

    lazy = set(soloml.__all__) - {"SolomlError", "__version__"}
    assert _type_checking_names() == lazy
    for name in lazy:
        module, _, attribute = soloml._EXPORTS[name].partition(":")
        assert getattr(soloml, name) is getattr(importlib.import_module(module), attribute or name), name
    assert set(dir(soloml)) >= set(soloml.__all__)


POS = "Txn #,Customer E-mail,Total,When,Result\nT-1,ann@example.com,12.50,15/01/2024 09:30,OK\nT-2,bob@example.com,8.00,16/01/2024 10:05,DECLINED\n"
MAPPING = {
    "table": "payments",
    "source": "legacy_pos",
    "match": {"file": "pos_*.csv"},
    "columns": {
        "payment_id": "Txn #",
        "email": "Customer E-mail",
        "amount": "Total",
        "paid_at": "When",
        "status": "Result",
        "currency": "USD",
        "kind": "charge",
    },
    "formats": {"paid_at": "%d/%m/%Y %H:%M"},
    "values": {"status": {"OK": "succeeded", "DECLINED": "failed"}},
}


def _workspace_with_mapping(folder: Path):
    ws = init_workspace(folder, name="shop")
    ws.mappings_dir.mkdir(parents=True, exist_ok=True)
    (ws.mappings_dir / "legacy_pos.yaml").write_text(yaml.safe_dump(MAPPING, sort_keys=False), encoding="utf-8")
    return ws


def _without_ids(facts: dict) -> dict:
    return {**facts, "loads": [{k: v for k, v in load.items() if k != "load_id"} for load in facts["loads"]]}


def test_soloml_load_does_what_soloml_load_does(tmp_path):
    """The workspace's mapping is used, the file routed into core.*, and the facts are the command's --json."""
    from soloml.facts import facts

    export = tmp_path / "pos_2024.csv"
    export.write_text(POS, encoding="utf-8")
    by_python, by_cli = _workspace_with_mapping(tmp_path / "a"), _workspace_with_mapping(tmp_path / "b")
    summary = soloml.load(str(by_python.root), [export])
    cli = CliRunner().invoke(app, ["load", str(export), "--workspace", str(by_cli.root), "--json"])
    assert cli.exit_code == 0, cli.output
    assert summary.results[0].detection.vendor_object == "legacy_pos.payments"
    assert summary.results[0].core_rows["payments"] == 2
    assert _without_ids(facts(summary)) == _without_ids(json.loads(cli.stdout))


def test_soloml_load_raises_the_commands_error_for_a_failed_file_and_changes_nothing(ws, tmp_path):
    from soloml.errors import SolomlError

    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    cli = CliRunner().invoke(app, ["load", str(bad), "--workspace", str(ws.root)])
    with pytest.raises(SolomlError) as raised:
        soloml.load(ws, [bad])
    assert cli.exit_code == 1
    assert " ".join(str(raised.value).split()) in " ".join(cli.stderr.split())


def test_soloml_load_with_no_paths_and_no_sources_refuses_like_the_command(ws):
    from soloml.errors import ConfigError

    with pytest.raises(ConfigError, match="Nothing to load"):
        soloml.load(ws)


def test_the_public_use_cases_take_the_workspace_first_as_a_workspace_or_its_folder(ws):
    """One calling convention: fn(workspace, what, *, options); a folder (str or Path) works as well as a Workspace."""
    import inspect
    import typing

    for name in ("load", "check", "forecast", "score_project", "monitor_project", "serve"):
        fn = getattr(soloml, name)
        first = next(iter(inspect.signature(fn).parameters.values()))
        assert first.name == "workspace", (name, first.name)
        hints = typing.get_type_hints(fn)
        allowed = set(typing.get_args(hints["workspace"])) - {type(None)}
        assert allowed == {soloml.Workspace, str, Path}, (name, hints["workspace"])
    by_folder = soloml.check(str(ws.root), record=False)
    by_path = soloml.check(ws.root, record=False)
    assert by_folder.outcome == by_path.outcome == soloml.check(ws, record=False).outcome
