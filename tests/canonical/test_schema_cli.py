"""`soloml schema` shows the canonical model exactly as schema.py defines it; the committed doc is its output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soloml.canonical.schema import TABLES
from soloml.cli.app import app

runner = CliRunner()
DOC = Path(__file__).resolve().parents[2] / "docs" / "canonical-model.md"


def test_json_lists_every_table_with_its_columns_types_and_keys():
    result = runner.invoke(app, ["schema", "--json"])
    assert result.exit_code == 0, result.output
    model = json.loads(result.stdout)
    by_name = {t["name"]: t for t in model["tables"]}
    assert list(by_name) == list(TABLES)
    for name, table in TABLES.items():
        got = by_name[name]
        assert got["key"] == list(table.key)
        assert got["history"] == table.history
        assert [(c["name"], c["type"], c["required"]) for c in got["columns"]] == [
            (c.name, c.type, c.required) for c in table.all_columns
        ]


@pytest.mark.parametrize(
    ("table", "column", "type_"),
    [("payments", "amount", "DECIMAL(18,2)"), ("contacts", "valid_from", "TIMESTAMP"), ("deals", "won", "BOOLEAN")],
)
def test_json_gives_the_sql_type_of_each_column(table: str, column: str, type_: str):
    model = json.loads(runner.invoke(app, ["schema", "--json"]).stdout)
    columns = {c["name"]: c for t in model["tables"] if t["name"] == table for c in t["columns"]}
    assert columns[column]["type"] == type_


def test_text_output_names_every_core_table_and_marks_required_columns():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    for name in TABLES:
        assert f"core.{name}" in result.output
    assert "* payment_id" in result.output
    assert "* email" not in result.output.split("core.customer_identities")[0]  # customers.email is optional


def test_markdown_has_a_section_and_a_row_per_column():
    result = runner.invoke(app, ["schema", "--markdown"])
    assert result.exit_code == 0
    for table in TABLES.values():
        assert f"\n## {table.name}\n" in result.output
        for col in table.all_columns:
            assert f"| `{col.name}` | {col.type} |" in result.output


def test_committed_doc_equals_the_generated_markdown():
    result = runner.invoke(app, ["schema", "--markdown"])
    assert DOC.read_text(encoding="utf-8") == result.stdout, "docs/canonical-model.md is stale: run `make docs`"
