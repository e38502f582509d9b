"""The second implementations of DuckDB constructs a target lacks, applied on the parsed statement before it is written.

`REWRITES` maps a target dialect to one transform over the statement's nodes (Postgres: arg_max / arg_min, hash(),
date_diff in days as BIGINT, GROUP BY ALL as named groups, strip_accents as a translate() over a fixed table
(`accent_table`), contains() as strpos(), approx_count_distinct as an exact count; BigQuery and Snowflake:
regexp_replace's 'g'). `for_target` applies it and the Postgres-only statement forms (CREATE OR REPLACE TABLE as a
drop and a create, a bare subquery in FROM given a name), so the DuckDB text keeps DuckDB's own form.
warehouse/dialect.py calls it from `transpile`; warehouse/postgres_sql.py calls it for the Postgres warehouse.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.errors import UnsupportedError


def _postgres_arg_extreme(node: exp.Expr) -> exp.Expr:
    """arg_max(x, y) / arg_min(x, y) [FILTER (WHERE c)], which Postgres lacks, as the x of the row with the largest /
    smallest y: `(array_agg(x ORDER BY y DESC) FILTER (WHERE x IS NOT NULL AND y IS NOT NULL [AND c]))[1]`.

    DuckDB skips rows where x or y is NULL, and so does the filter; ties are as arbitrary on both."""
    inner = node.this if isinstance(node, exp.Filter) else node
    if not isinstance(inner, exp.ArgMax | exp.ArgMin):
        return node
    if inner.args.get("count") is not None:
        raise UnsupportedError(f"{inner.sql('duckdb')}: arg_max/arg_min with a count has no Postgres form here")
    if isinstance(node.parent, exp.Window):
        raise UnsupportedError(f"{inner.sql('duckdb')} OVER (...): an ordered array_agg cannot be a window in Postgres")
    x, y = inner.this.sql("postgres"), inner.expression.sql("postgres")
    where = f"({x}) IS NOT NULL AND ({y}) IS NOT NULL"
    if isinstance(node, exp.Filter):
        where += f" AND ({node.expression.this.sql('postgres')})"
    order = "DESC" if isinstance(inner, exp.ArgMax) else "ASC"
    return sqlglot.parse_one(f"(ARRAY_AGG({x} ORDER BY {y} {order}) FILTER (WHERE {where}))[1]", read="postgres")


def _named_groups(node: exp.Expr) -> exp.Expr:
    """GROUP BY ALL, which Postgres reads as a syntax error, as the select expressions that hold a column and no
    aggregate or window (what DuckDB groups by; a constant is left out: Postgres refuses one, and it changes no group)."""
    if not isinstance(node, exp.Select):
        return node
    group = node.args.get("group")
    if group is None or not group.args.get("all"):
        return node
    keys = [
        (e.this if isinstance(e, exp.Alias) else e).copy()
        for e in node.selects
        if e.find(exp.Column) and not e.find(exp.AggFunc, exp.Window, exp.Star)
    ]
    node.set("group", exp.Group(expressions=keys) if keys else None)
    return node


def _exact_distinct(node: exp.Expr) -> exp.Expr:
    """approx_count_distinct(x), which Postgres lacks, as the exact count(DISTINCT x) (slower, never wrong).

    No module uses it today (the readiness profile counts exactly on both warehouses, so its numbers agree);
    kept so a new use cannot fail on Postgres."""
    if isinstance(node, exp.ApproxDistinct):
        return exp.Count(this=exp.Distinct(expressions=[node.this.copy()]))
    return node


@lru_cache(maxsize=1)
def accent_table() -> tuple[str, str, str]:
    """strip_accents as translate(): (the accented letters, their plain ASCII letters, the marks dropped outright).

    DuckDB's strip_accents decomposes a character and drops its marks (every Unicode category M). Postgres has
    that only in the `unaccent` extension, which may not be installed, so here it is from Python's own Unicode
    tables: every character that becomes one ASCII letter (é -> e, Å -> A, ǆ's parts are not letters and stay), and
    every mark, which becomes nothing. Other characters are left as they are (ø, æ, ß have no decomposition on
    either engine). Characters newer than Python's Unicode version are not in it (tests/warehouse/test_dialect.py
    compares it with DuckDB's strip_accents on every character Python knows).
    """
    letters, plain, marks = [], [], []
    for code in range(0x80, sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char).startswith("M"):
            marks.append(char)
            continue
        if not unicodedata.decomposition(char):
            continue
        bare = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.category(c).startswith("M"))
        if bare != char and len(bare) == 1 and bare.isascii() and bare.isalpha():
            letters.append(char)
            plain.append(bare)
    return "".join(letters), "".join(plain), "".join(marks)


def strip_accents_portable(expr: exp.Expr) -> exp.Expr:
    """`translate(expr, accented + marks, plain)`: strip_accents where the engine has no such function."""
    letters, plain, marks = accent_table()
    args = [expr, exp.Literal.string(letters + marks), exp.Literal.string(plain)]
    return exp.Anonymous(this="translate", expressions=args)


def _postgres_functions(node: exp.Expr) -> exp.Expr:
    """strip_accents (only with the `unaccent` extension on Postgres) as a translate() over a fixed table, and
    contains(a, b), which sqlglot leaves as a function Postgres lacks, as strpos(a, b) > 0."""
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "strip_accents" and len(node.expressions) == 1:
        return strip_accents_portable(node.expressions[0].copy())
    if isinstance(node, exp.Contains) and node.args.get("expression") is not None:
        strpos = exp.Anonymous(this="strpos", expressions=[node.this.copy(), node.expression.copy()])
        return exp.GT(this=strpos, expression=exp.Literal.number(0))
    return node


def _row_hash(node: exp.Expr) -> exp.Expr:
    """hash(x), DuckDB's 64-bit hash of a value or of a whole row (`hash(t)`, t a table alias), which Postgres lacks,
    as `hashtextextended(CAST(x AS TEXT), 0)`: a 64-bit hash of the value's text (a row's text is its columns'). The
    numbers differ from DuckDB's, so a fingerprint built on it (features/cache.py) is per warehouse."""
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "hash" and len(node.expressions) == 1:
        text = exp.Cast(this=node.expressions[0].copy(), to=exp.DataType.build("TEXT"))
        return exp.func("hashtextextended", text, exp.Literal.number(0))
    return node


def _bigint_days(node: exp.Expr) -> exp.Expr:
    """date_diff('day', a, b), a BIGINT on DuckDB, which sqlglot writes for Postgres as a date subtraction (an
    INTEGER), cast to BIGINT: the same values either way, and the same column type in a training set."""
    if not isinstance(node, exp.DateDiff) or node.meta.get("soloml_bigint"):
        return node
    unit = node.args.get("unit")
    if unit is not None and unit.name.upper() not in ("DAY", "DAYS", "D"):
        return node
    node.meta["soloml_bigint"] = True  # seen: the transform below rewrites its arguments, not it again
    return exp.Cast(this=node.transform(_postgres), to=exp.DataType.build("BIGINT"))


def _postgres(node: exp.Expr) -> exp.Expr:
    return _bigint_days(_row_hash(_named_groups(_postgres_arg_extreme(_exact_distinct(_postgres_functions(node))))))


def _every_match(node: exp.RegexpReplace) -> bool | None:
    """True for DuckDB's regexp_replace(..., 'g') (every match), False for its default (the first match only),
    None for other options (left to sqlglot)."""
    modifiers = node.args.get("modifiers")
    if modifiers is None:
        return False
    if isinstance(modifiers, exp.Literal) and modifiers.is_string and modifiers.this == "g":
        return True
    return None


def _bigquery(node: exp.Expr) -> exp.Expr:
    """regexp_replace(s, re, r, 'g') as REGEXP_REPLACE(s, re, r): BigQuery takes no options and replaces every
    match. (Without 'g' DuckDB replaces the first match only, which BigQuery cannot say; soloml's patterns there
    are anchored, so the two agree.)"""
    if isinstance(node, exp.RegexpReplace) and _every_match(node):
        node = node.copy()
        node.set("modifiers", None)
    return node


def _snowflake(node: exp.Expr) -> exp.Expr:
    """regexp_replace as Snowflake's REGEXP_REPLACE(s, re, r, position, occurrence): occurrence 0 is every match
    (DuckDB's 'g'), 1 the first (DuckDB's default). sqlglot would pass 'g' on as the position, and drop
    the default's first-only meaning (Snowflake replaces every match unless told)."""
    if isinstance(node, exp.RegexpReplace):
        every = _every_match(node)
        if every is not None:
            args = [node.this.copy(), node.expression.copy(), node.args["replacement"].copy()]
            args += [exp.Literal.number(1), exp.Literal.number(0 if every else 1)]
            return exp.Anonymous(this="REGEXP_REPLACE", expressions=args)
    return node


# Second implementations, in one place: constructs a target lacks, rewritten on the parsed statement before it
# is written for that target (the DuckDB text keeps DuckDB's faster form).
REWRITES: dict[str, Callable[[exp.Expr], exp.Expr]] = {
    "postgres": _postgres,
    "bigquery": _bigquery,
    "snowflake": _snowflake,
}


def for_target(tree: exp.Expr, to: str) -> list[exp.Expr]:
    """One parsed statement as the statements `to` runs: REWRITES applied; on Postgres, which has no
    CREATE OR REPLACE TABLE, that is DROP TABLE IF EXISTS then CREATE TABLE (atomic only inside a transaction)."""
    if to in REWRITES:
        tree = tree.transform(REWRITES[to])
    if to == "postgres":  # before 16 Postgres wants a name on every subquery in FROM; DuckDB does not
        unnamed = [q for q in tree.find_all(exp.Subquery) if not q.alias and isinstance(q.parent, exp.From | exp.Join)]
        for i, q in enumerate(unnamed):
            q.set("alias", exp.TableAlias(this=exp.to_identifier(f"_soloml_q{i}")))
    kind = str(tree.args.get("kind") or "").upper()
    if to == "postgres" and isinstance(tree, exp.Create) and tree.args.get("replace") and kind == "TABLE":
        table = tree.this.this if isinstance(tree.this, exp.Schema) else tree.this
        tree.set("replace", False)
        return [exp.Drop(tables=[table.copy()], kind="TABLE", exists=True), tree]
    return [tree]
