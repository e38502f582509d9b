"""The warehouse: DuckDB by default, Postgres when the business outgrows one machine."""

from soloml.warehouse.base import Connection, Warehouse
from soloml.warehouse.connection import SCHEMAS, connect, open_warehouse, table_exists, quote_ident

__all__ = ["SCHEMAS", "Connection", "Warehouse", "connect", "open_warehouse", "table_exists", "quote_ident"]
