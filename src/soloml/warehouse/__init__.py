"""The warehouse: DuckDB today (warehouse/duckdb.py); a Postgres one (issue 18) will be warehouse/postgres.py behind base.Warehouse."""

from soloml.warehouse.base import Connection, Warehouse
from soloml.warehouse.connection import SCHEMAS, connect, open_warehouse, quote_ident, table_exists

__all__ = ["SCHEMAS", "Connection", "Warehouse", "connect", "open_warehouse", "table_exists", "quote_ident"]
