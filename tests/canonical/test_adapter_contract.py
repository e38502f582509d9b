"""One contract over every registered adapter: its SQL binds against its own signature, it writes only canonical
columns (plus the identity and control columns the framework reads), and its keys, checks and required columns
are columns it declares."""

from __future__ import annotations

import pytest

from soloml.canonical.adapters import ADAPTERS, Adapter
from soloml.canonical.adapters.base import CONTROL_COLUMNS, IDENTITY_COLUMNS
from soloml.canonical.ingest import create_lookups
from soloml.canonical.schema import TABLES, create_core_tables
from soloml.warehouse import connect
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_name


@pytest.fixture(scope="module")
def db():
    con = connect(":memory:")
    create_core_tables(con)
    yield con
    con.close()


def rows_table(db, a: Adapter) -> str:
    create_lookups(db, a)  # raw tables the adapter may join, empty when not loaded
    cols = ", ".join(f"NULL::VARCHAR AS {quote_ident(c)}" for c in sorted(a.signature_columns))
    db.execute(
        f"CREATE OR REPLACE TEMP TABLE contract_rows AS SELECT {cols}, 1::BIGINT AS _source_row, true AS _current LIMIT 0"
    )
    return "contract_rows"


@pytest.mark.parametrize("a", ADAPTERS, ids=lambda a: a.vendor_object)
def test_outputs_bind_against_the_signature_and_write_canonical_columns(db, a):
    for name, sql in a.outputs(rows_table(db, a)).items():
        assert name in TABLES, f"{a.vendor_object} writes unknown table {name}"
        columns = [d[0] for d in db.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]
        allowed = (
            set(TABLES[name].column_names)
            | set(IDENTITY_COLUMNS)
            | set(CONTROL_COLUMNS)
            | {"source", "name", "country", "phone", "zip", "created_at"}
        )
        assert set(columns) <= allowed, f"{a.vendor_object} -> {name}: unexpected {sorted(set(columns) - allowed)}"
        assert "_source_row" in columns, f"{a.vendor_object} -> {name} must carry _source_row"


@pytest.mark.parametrize("a", ADAPTERS, ids=lambda a: a.vendor_object)
def test_keys_checks_and_required_columns_are_declared(a):
    declared = a.signature_columns
    assert set(a.required_columns) <= declared, a.vendor_object
    assert {column_name(k) for k in a.key} <= declared, a.vendor_object
    assert {c.column for c in a.checks} <= declared, a.vendor_object
    assert {column_name(g) for g in a.group} <= declared, a.vendor_object
    assert {column_name(h) for h in a.aliases} <= declared, a.vendor_object


@pytest.mark.parametrize("a", [a for a in ADAPTERS if a.exclude], ids=lambda a: a.vendor_object)
def test_test_mode_rule_binds(db, a):
    db.execute(f"SELECT count(*) FROM {rows_table(db, a)} WHERE {a.exclude}")


@pytest.mark.parametrize("a", [a for a in ADAPTERS if a.checks], ids=lambda a: a.vendor_object)
def test_checks_bind(db, a):
    rows = rows_table(db, a)
    for check in a.checks:
        db.execute(f"SELECT {check.parse(check.column)} FROM {rows}")
