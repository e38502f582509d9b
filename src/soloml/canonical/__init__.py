"""The constants: one canonical business model that every vendor maps onto."""

from soloml.canonical.schema import TABLES, Table, table

__all__ = ["TABLES", "Table", "table"]
