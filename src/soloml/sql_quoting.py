"""The one place SQL text is quoted: identifiers ("name") and string literals ('text').

Every stage builds some SQL from names and values it cannot bind as parameters (table and column names,
values inside CASE rules and CREATE statements); they all quote here, so one rule (double the quote
character) holds everywhere. Valid for DuckDB and PostgreSQL.

>>> quote_ident('my "odd" table'), quote_literal("O'Brien")
('"my ""odd"" table"', "'O''Brien'")
"""

from __future__ import annotations


def quote_ident(name: str) -> str:
    """A quoted identifier: `name` inside double quotes, inner double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A string literal: `text` inside single quotes, inner single quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


__all__ = ["quote_ident", "quote_literal"]
