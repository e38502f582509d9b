"""The warehouse: DuckDB by default, Postgres when the business outgrows one machine."""

from soloml.warehouse.connection import SCHEMAS, connect, table_exists, quote_ident

__all__ = ["SCHEMAS", "connect", "table_exists", "quote_ident"]
