"""One facts protocol: every result `--json` prints has `to_facts()`, and `--json` prints exactly its facts."""

from __future__ import annotations

import ast
import enum
import importlib
import json
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.facts import Facts, facts, field_facts, jsonable

CLI = Path(__file__).resolve().parents[1] / "src" / "soloml" / "cli"

# every result type a command prints with --json (module:class)
RESULT_TYPES = (
    "soloml.sources:LoadSummary",
    "soloml.app.tables:TableListing",
    "soloml.app.workspaces:CreatedWorkspace",
    "soloml.app.identities:IdentitiesResult",
    "soloml.app.interview:ProjectWritten",
    "soloml.app.train:TrainReport",
    "soloml.app.forecast:ForecastOutcome",
    "soloml.readiness:ReadinessReport",
    "soloml.canonical.mapping_draft:MappingDraft",
    "soloml.features.summary:FeaturesReport",
    "soloml.experiments.design:Design",
    "soloml.experiments.assignment:AssignmentResult",
    "soloml.experiments.analysis:ExperimentResult",
    "soloml.monitoring.monitor:MonitorReport",
    "soloml.registry.aliases:ModelInfo",
    "soloml.registry.aliases:AliasChange",
    "soloml.deploy.batch:ScoreResult",
    "soloml.deploy.schedule:Schedule",
    "soloml.tracker.board:Board",
    "soloml.tracker.update:WeeklyUpdate",
)


class Colour(enum.Enum):
    RED = "red"


class Model(BaseModel):
    when: date
    amount: Decimal


@dataclass(frozen=True)
class Inner:
    at: datetime
    share: float


def test_jsonable_makes_every_kind_of_value_json_ready():
    value = {
        "day": date(2024, 1, 31),
        "moment": datetime(2024, 1, 31, 9, 30),
        "gap": timedelta(minutes=2),
        "np_int": np.int64(3),
        "np_float": np.float32(0.5),
        "array": np.array([1, 2]),
        "nan": float("nan"),
        "np_nan": np.float64("nan"),
        "inf": math.inf,
        "money": Decimal("12.50"),
        "path": Path("/tmp/x.csv"),
        "colour": Colour.RED,
        "na": pd.NA,
        "nat": pd.NaT,
        "stamp": pd.Timestamp("2024-02-01 10:00"),
        "inner": Inner(datetime(2024, 1, 1), float("nan")),
        "model": Model(when=date(2024, 1, 2), amount=Decimal("1.5")),
        "tuple": (1, "a"),
        7: "int key",
    }
    out = jsonable(value)
    assert out == {
        "day": "2024-01-31",
        "moment": "2024-01-31T09:30:00",
        "gap": 120.0,
        "np_int": 3,
        "np_float": 0.5,
        "array": [1, 2],
        "nan": None,
        "np_nan": None,
        "inf": None,
        "money": 12.5,
        "path": "/tmp/x.csv",
        "colour": "red",
        "na": None,
        "nat": None,
        "stamp": "2024-02-01T10:00:00",
        "inner": {"at": "2024-01-01T00:00:00", "share": None},
        "model": {"when": "2024-01-02", "amount": "1.5"},
        "tuple": [1, "a"],
        "7": "int key",
    }
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert isinstance(out["np_int"], int) and not isinstance(out["np_int"], np.integer)


def test_a_nested_result_is_written_through_its_own_facts():
    @dataclass(frozen=True)
    class Outer:
        inner: object

    class Told:
        def to_facts(self) -> dict[str, object]:
            return {"said": date(2024, 5, 1)}

    assert jsonable(Outer(Told())) == {"inner": {"said": "2024-05-01"}}
    assert isinstance(Told(), Facts)
    with pytest.raises(TypeError):
        field_facts({"not": "a dataclass"})


@pytest.mark.parametrize("where", RESULT_TYPES)
def test_every_result_type_printed_with_json_has_to_facts(where):
    module, _, name = where.partition(":")
    cls = getattr(importlib.import_module(module), name)
    assert callable(getattr(cls, "to_facts", None)), f"{where} has no to_facts()"


def _emitted_values(tree: ast.AST) -> list[ast.expr]:
    return [
        node.args[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "emit" and node.args
    ]


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda p: p.name)
def test_no_cli_module_builds_the_json_itself(path):
    """`emit` gets a result (or a list of results), never a dict built in the CLI, a to_facts() already taken, or asdict."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for value in _emitted_values(tree):
        assert not isinstance(value, ast.Dict | ast.DictComp | ast.ListComp | ast.List), (
            f"{path.name}:{value.lineno} builds the JSON itself"
        )
        assert not (
            isinstance(value, ast.Call) and getattr(value.func, "attr", "") in ("to_facts", "to_dict", "summary")
        ), f"{path.name}:{value.lineno}"
    names = {
        getattr(n, "id", None) or getattr(n, "attr", None)
        for n in ast.walk(tree)
        if isinstance(n, ast.Name | ast.Attribute)
    }
    assert not names & {"asdict", "to_dict", "as_dict", "to_jsonable"}, path.name


def _cli_json(*args: str) -> object:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_experiment_design_json_is_the_designs_facts():
    from soloml.experiments.design import plan

    printed = _cli_json("experiment", "design", "--baseline-rate", "0.2", "--mde", "0.03", "--traffic", "40")
    assert printed == facts(plan("conversion", baseline_rate=0.2, mde=0.03, units_per_day=40))


def test_tables_and_init_json_are_their_results_facts(tmp_path):
    from soloml.app.tables import tables
    from soloml.app.workspaces import as_workspace

    printed = _cli_json("init", str(tmp_path / "shop"))
    ws = as_workspace(tmp_path / "shop")
    assert printed == {"workspace": str(ws.root), "warehouse": ws.warehouse_url}
    (tmp_path / "orders.csv").write_text("id,amount\n1,2.5\n2,3\n", encoding="utf-8")
    CliRunner().invoke(app, ["load", str(tmp_path / "orders.csv"), "--workspace", str(ws.root)])
    listed = _cli_json("tables", "--workspace", str(ws.root))
    assert listed == facts(tables(ws)) and [t["table"] for t in listed["tables"]] == ["raw.orders"]


def test_check_json_is_the_reports_facts(ws):
    """Same workspace state, same facts (the first check creates the core tables, so it runs once before)."""
    from soloml.app.check import run_check

    run_check(ws)
    printed = CliRunner().invoke(app, ["check", "--workspace", str(ws.root), "--json"])
    report = run_check(ws)
    got, expected = json.loads(printed.stdout), facts(report)
    assert printed.exit_code == report.exit_code
    assert {k: v for k, v in got.items() if k != "checked_at"} == {
        k: v for k, v in expected.items() if k != "checked_at"
    }
