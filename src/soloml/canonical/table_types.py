"""What a canonical table definition holds: its columns, key and history, and the DDL that creates it.

The definitions themselves are in canonical/schema.py (the business tables) and canonical/identity_tables.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from soloml.errors import AdapterError, did_you_mean


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    default: str | None = None  # SQL over the row's other columns, used when the source gives no value


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    history: bool = False
    time_column: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def qualified(self) -> str:
        return f"core.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.all_columns)

    @property
    def all_columns(self) -> tuple[Column, ...]:
        cols = list(self.columns)
        if self.history:
            cols += list(HISTORY_COLUMNS)
        cols += list(LINEAGE_COLUMNS)
        return tuple(cols)

    def column(self, name: str) -> Column:
        for col in self.all_columns:
            if col.name == name:
                return col
        raise AdapterError(f"core.{self.name} has no column '{name}'.{did_you_mean(name, self.column_names)}")

    def ddl(self) -> str:
        cols = ",\n    ".join(f"{c.name} {c.type}" for c in self.all_columns)
        return f"CREATE TABLE IF NOT EXISTS core.{self.name} (\n    {cols}\n)"


HISTORY_COLUMNS = (
    Column("valid_from", "TIMESTAMP", "When this version became true (UTC).", required=True),
    Column("valid_to", "TIMESTAMP", "When it stopped being true; NULL while current."),
    Column("is_current", "BOOLEAN", "True for the latest version of the record.", required=True),
)
LINEAGE_COLUMNS = (Column("_load_id", "VARCHAR", "The load (ops.loads) that last wrote this row."),)

MONEY = "DECIMAL(18,2)"
