"""The warehouse: DuckDB by default (warehouse/duckdb.py), or Postgres for a postgresql:// URL (warehouse/postgres.py), both behind base.Warehouse."""

from soloml.warehouse.base import Connection, Warehouse
from soloml.warehouse.connection import SCHEMAS, connect, open_warehouse, quote_ident, table_exists

__all__ = ["SCHEMAS", "Connection", "Warehouse", "connect", "open_warehouse", "table_exists", "quote_ident"]
