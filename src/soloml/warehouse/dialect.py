"""soloml writes its SQL in one dialect, DuckDB's; this is where it is translated and where its DuckDB-only parts are listed.

`transpile(sql, to=...)` hands a statement to sqlglot (read as DuckDB, written as Postgres, BigQuery,
Snowflake...), raising on anything sqlglot knows it cannot express. `CONSTRUCTS` is the one list of the
DuckDB-specific SQL soloml uses: what it is, a pattern that finds it, the modules that use it and its portable form,
so whoever builds the Postgres warehouse (issue 18) starts from a list and not from a grep. `fails` names the
target dialects where sqlglot raises on it (tests/warehouse/test_dialect.py keeps that exact: every statement
of a demo-sized cycle that fails to transpile is explained by a construct here, and every `fails` entry still
fails). A construct with no `fails` transpiles without error; that is not proof the result runs or means the same
(e.g. `hash()` gives different numbers elsewhere), which is what `portable` is for.

Where a construct has no one form that runs on both, the second implementation lives here: `_for_target` changes
the parsed statement for a target before it is written (`REWRITES` per node; Postgres: arg_max / arg_min,
hash(), date_diff in days as BIGINT, CREATE OR REPLACE TABLE as a drop and a create, GROUP BY ALL as named groups,
a bare subquery in FROM given a name, strip_accents as a translate() over a fixed table, contains() as strpos()),
so DuckDB keeps its own form. Small portable pieces the modules share are functions here too (`first_non_null`).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError

SOURCE = "duckdb"
TARGETS = ("postgres", "bigquery", "snowflake")


def transpile(sql: str, to: str, *, read: str = SOURCE) -> list[str]:
    """`sql` (DuckDB's dialect) written in dialect `to`; raises a sqlglot error where it cannot be expressed.

    sqlglot itself sometimes crashes on valid SQL (an AttributeError deep in a generator): that is reported as
    an UnsupportedError too, so a caller has one error to handle.
    """
    try:
        out = []
        for tree in sqlglot.parse(sql, read=read, error_level=ErrorLevel.RAISE):
            if tree is None:
                out.append("")
                continue
            out += [t.sql(dialect=to, unsupported_level=ErrorLevel.RAISE) for t in for_target(tree, to)]
        return out
    except SqlglotError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug inside sqlglot is still "cannot transpile"
        raise UnsupportedError(f"sqlglot could not write this for {to}: {type(exc).__name__}: {exc}") from exc


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


@dataclass(frozen=True)
class Construct:
    name: str
    pattern: str  # a regular expression that finds it in SQL text (and in the modules listed)
    where: tuple[str, ...]  # modules under src/soloml/ that use it
    portable: str  # how to write it for Postgres / BigQuery / Snowflake
    fails: tuple[str, ...] = ()  # target dialects where sqlglot raises on it
    flags: int = 0
    local_only: bool = False  # issued only to the local DuckDB engine that reads and types files, never a warehouse

    def found_in(self, text: str) -> bool:
        return re.search(self.pattern, text, self.flags) is not None


CONSTRUCTS: tuple[Construct, ...] = (
    Construct(
        "read_csv / read_parquet / read_json table functions",
        r"\bread_(csv|csv_auto|parquet|json|json_auto|json_objects)\s*\(",
        (
            "canonical/column_profile.py",
            "deploy/models.py",
            "deploy/publishing.py",
            "deploy/staging.py",
            "experiments/assignment.py",
            "experiments/imported.py",
            "experiments/metrics.py",
            "forecasting/store.py",
            "monitoring/gather.py",
            "projects/recipes/table.py",
            "sources/csvfile.py",
            "sources/files.py",
            "sources/jsonfile.py",
        ),
        "Read the file in Python (pyarrow/pandas) and write it with Warehouse.write_frame; Postgres COPY FROM STDIN for bulk.",
    ),
    Construct(
        "QUALIFY",
        r"\bQUALIFY\b",
        ("canonical/adapters/salesforce.py", "canonical/adapters/stripe_synced.py"),
        "A subquery computing the window function, filtered in the outer WHERE (BigQuery and Snowflake have QUALIFY). "
        "sqlglot writes that subquery for Postgres and it runs, but a `SELECT *` then also returns its `_w` column.",
    ),
    Construct(
        ":: casts",
        r"::\s*(JSON|VARCHAR|DOUBLE|BIGINT|INTEGER|INT|DATE|TIMESTAMP|BOOLEAN|FLOAT|HUGEINT|TEXT|DECIMAL)\b",
        (
            "canonical/adapters/mapping.py",
            "canonical/adapters/shopify.py",
            "canonical/identity.py",
            "canonical/identity_graph.py",
            "canonical/ingest.py",
            "canonical/writer.py",
            "deploy/logger.py",
            "deploy/publishing.py",
            "sources/csvfile.py",
            "warehouse/ops.py",
            "warehouse/types.py",
        ),
        "CAST(x AS type); sqlglot rewrites it, but DuckDB type names (HUGEINT, JSON) need a mapping (NUMERIC, JSONB).",
        flags=re.I,
    ),
    Construct(
        "strftime / strptime / try_strptime",
        r"\b(strftime|strptime|try_strptime)\s*\(",
        (
            "canonical/adapters/crm.py",
            "canonical/adapters/mailchimp.py",
            "canonical/adapters/mapping.py",
            "canonical/adapters/values.py",
            "canonical/ingest.py",
            "warehouse/types.py",
        ),
        "Postgres to_char / to_timestamp (no try_: wrap in a CASE on a regex); BigQuery FORMAT_/SAFE.PARSE_TIMESTAMP; Snowflake TRY_TO_TIMESTAMP.",
    ),
    Construct(
        "epoch() / epoch_ms()",
        r"\bepoch(_ms|_us|_ns)?\s*\(",
        (
            "canonical/adapters/stripe_api.py",
            "canonical/adapters/values.py",
            "canonical/identity_people.py",
            "features/library.py",
        ),
        "EXTRACT(EPOCH FROM ts) (Postgres), UNIX_SECONDS (BigQuery), DATE_PART(epoch_second, ts) (Snowflake).",
    ),
    Construct(
        "arg_max / arg_min",
        r"\barg_(max|min)\s*\(",
        (
            "canonical/adapters/shopify.py",
            "canonical/identity_people.py",
            "experiments/assignment.py",
            "experiments/metrics.py",
            "features/library.py",
            "forecasting/recipes.py",
            "readiness/freshness.py",
            "warehouse/freshness.py",
        ),
        "Postgres: transpile() rewrites it (REWRITES) as (array_agg(x ORDER BY y DESC) FILTER (WHERE x, y not NULL))[1]; "
        "BigQuery/Snowflake: MAX_BY / MIN_BY (sqlglot writes them).",
    ),
    Construct(
        "CREATE OR REPLACE TABLE / VIEW",
        r"CREATE OR REPLACE (TEMP |TEMPORARY )?(TABLE|VIEW)\b",
        (
            "canonical/history.py",
            "canonical/identity.py",
            "canonical/identity_graph.py",
            "canonical/identity_people.py",
            "canonical/identity_suggest.py",
            "canonical/ingest.py",
            "features/cache.py",
            "features/sql.py",
            "warehouse/duckdb.py",
        ),
        "Postgres: transpile() writes DROP TABLE IF EXISTS + CREATE TABLE (atomic inside the caller's transaction; "
        "CREATE OR REPLACE VIEW exists); BigQuery and Snowflake have it.",
    ),
    Construct(
        "INSERT INTO ... BY NAME",
        r"\bBY NAME\b",
        ("warehouse/duckdb.py",),
        "An explicit column list (warehouse/ops.py writes every ops table that way).",
    ),
    Construct(
        "json_extract / json_extract_string",
        r"\bjson_extract(_string)?\s*\(",
        (
            "canonical/adapters/stripe_api.py",
            "canonical/adapters/values.py",
            "monitoring/gather.py",
            "tracker/events.py",
            "warehouse/journal.py",
        ),
        "Postgres col->>'key' / jsonb_path_query; BigQuery JSON_VALUE; Snowflake GET_PATH / col:key::string.",
    ),
    Construct(
        "USING SAMPLE",
        r"USING SAMPLE\b",
        ("warehouse/types.py",),
        "TABLESAMPLE SYSTEM (n PERCENT) / ORDER BY random() LIMIT n; where the same rows must come out on every "
        "warehouse, ORDER BY md5(text) LIMIT n (readiness/profile.py's sample).",
    ),
    Construct(
        "TRY_CAST",
        r"\bTRY_CAST\s*\(",
        (
            "canonical/adapters/stripe_api.py",
            "canonical/adapters/values.py",
            "experiments/metrics.py",
            "forecasting/tables.py",
            "warehouse/types.py",
        ),
        "Postgres has none: a CASE on a regex before CAST, or a small SQL function; BigQuery SAFE_CAST; Snowflake TRY_CAST.",
        flags=re.I,
    ),
    Construct(
        "regexp_matches / regexp_full_match / regexp_extract",
        r"\bregexp_(matches|full_match|extract)\s*\(",
        (
            "canonical/adapters/crm.py",
            "canonical/adapters/hubspot.py",
            "canonical/adapters/values.py",
            "canonical/identity_keys.py",
            "readiness/columns.py",
            "readiness/profile.py",
            "warehouse/types.py",
        ),
        "Postgres ~ and substring(x from re); BigQuery REGEXP_CONTAINS / REGEXP_EXTRACT; Snowflake REGEXP_LIKE / REGEXP_SUBSTR.",
    ),
    Construct(
        "list_* / struct_* functions",
        r"\b(list_[a-z_]+|struct_pack|struct_extract)\s*\(",
        (
            "cli/models.py",
            "experiments/metrics.py",
            "registry/aliases.py",
            "warehouse/tables.py",
        ),
        "Arrays and JSON: array_agg / unnest / jsonb_build_object (Postgres), ARRAY/STRUCT (BigQuery), ARRAY_AGG/OBJECT_CONSTRUCT (Snowflake).",
    ),
    Construct(
        "DESCRIBE",
        r"\bDESCRIBE\s",
        ("canonical/ingest.py", "sources/relation.py", "warehouse/tables.py", "warehouse/types.py"),
        "warehouse.tables.describe (features, ids and the table recipe call it): DESCRIBE on DuckDB; on Postgres "
        "PostgresConnection.describe runs the query with LIMIT 0 and names the result's types as DuckDB does. "
        "The rest run on the local DuckDB engine (files being read and typed).",
    ),
    Construct(
        "to_json / json_object",
        r"\b(to_json|json_object)\s*\(",
        (
            "canonical/adapters/crm.py",
            "canonical/ingest.py",
            "canonical/quarantine.py",
            "forecasting/lightgbm_global.py",
            "forecasting/store.py",
            "sources/csvfile.py",
            "warehouse/stage.py",
            "warehouse/types.py",
        ),
        "Postgres to_jsonb / json_build_object; BigQuery TO_JSON / JSON_OBJECT; Snowflake OBJECT_CONSTRUCT.",
    ),
    Construct(
        "COLUMNS(...) star expressions",
        r"\bCOLUMNS\s*\(",
        ("warehouse/types.py",),
        "Generate the column list in Python from the table's columns.",
    ),
    Construct(
        "count_if",
        r"\bcount_if\s*\(",
        ("readiness/profile.py", "warehouse/stage.py", "warehouse/types.py"),
        "count(*) FILTER (WHERE ...) (Postgres), COUNTIF (BigQuery), COUNT_IF (Snowflake).",
    ),
    Construct(
        "rowid",
        r"\browid\b",
        ("sources/csvfile.py", "sources/loader.py", "sources/units.py", "warehouse/names.py", "warehouse/stage.py"),
        "A row-number column written when the rows are staged (soloml's _source_row); no warehouse keeps a stable row id.",
    ),
    Construct(
        "hash() of a row",
        r"\bhash\s*\(",
        ("canonical/adapters/mailchimp.py", "features/cache.py"),
        "Postgres: transpile() rewrites it (REWRITES) as hashtextextended(CAST(x AS TEXT), 0); FARM_FINGERPRINT (BigQuery), "
        "HASH (Snowflake): the numbers differ, so a fingerprint is per warehouse.",
    ),
    Construct(
        "a Python frame queried by name (con.register)",
        r"\.register\(\s*[\"'fA-Za-z_]",
        (
            "canonical/identity_people.py",
            "deploy/staging.py",
            "experiments/assignment.py",
            "experiments/metrics.py",
            "modeling/baselines.py",
            "temp_names.py",
            "warehouse/duckdb.py",
            "warehouse/ops.py",
        ),
        "Write the frame to a temporary table (Warehouse.write_frame) and query that.",
    ),
    Construct(
        "regexp_replace(..., 'g') options",
        r"regexp_replace\([^;]*?'g'\)",
        ("canonical/adapters/values.py",),
        "Postgres keeps the 'g' flag; BigQuery REGEXP_REPLACE replaces every match and takes no options; Snowflake: REGEXP_REPLACE(s, re, r, 1, 0) "
        "(REWRITES: both written so, and DuckDB's first-match default as Snowflake's occurrence 1).",
    ),
    Construct(
        "GROUP BY ALL",
        r"\bGROUP BY ALL\b",
        (
            "canonical/identity_graph.py",
            "canonical/identity_people.py",
            "canonical/identity_report.py",
            "features/sql.py",
            "forecasting/recipes.py",
            "forecasting/tables.py",
        ),
        "Name the grouped expressions; transpile() does that for Postgres (which reads GROUP BY ALL as a syntax error).",
    ),
    Construct(
        "strip_accents",
        r"\bstrip_accents\s*\(",
        ("canonical/identity_keys.py",),
        "Postgres: transpile() rewrites it (REWRITES) as translate(x, accented letters and marks, plain letters) over "
        "a fixed table built from Unicode (accent_table), since `unaccent` is an extension that may not be installed; "
        "BigQuery/Snowflake: NORMALIZE(x, NFD) then REGEXP_REPLACE of the marks.",
    ),
    Construct(
        "contains(text, text)",
        r"(?<![.\w])contains\s*\(",
        (
            "canonical/adapters/values.py",
            "canonical/identity_keys.py",
            "canonical/identity_suggest.py",
            "sources/csvfile.py",
        ),
        "Postgres: transpile() rewrites it (REWRITES) as strpos(a, b) > 0; BigQuery CONTAINS_SUBSTR / STRPOS; "
        "Snowflake CONTAINS.",
    ),
    Construct(
        "UNPIVOT ... ON COLUMNS(*)",
        r"\bUNPIVOT\b",
        ("warehouse/types.py",),
        "One SELECT per column joined by UNION ALL (Postgres has no UNPIVOT); BigQuery and Snowflake have UNPIVOT with named columns. "
        "Left as is: warehouse/types.py types files on the local DuckDB engine (try_strptime, TRY_CAST, regexp_full_match), "
        "which stays the file reader when the warehouse is Postgres (issue 18).",
        fails=("postgres",),
        local_only=True,
    ),
)


# information_schema.columns.data_type on Postgres, as DuckDB names the same type (what soloml's checks read)
_DUCKDB_TYPE_NAMES = {
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "character": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "double precision": "DOUBLE",
    "real": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp without time zone": "TIMESTAMP",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "time without time zone": "TIME",
    "interval": "INTERVAL",
    "bytea": "BLOB",
    "json": "JSON",
    "jsonb": "JSON",
    "uuid": "UUID",
}


def duckdb_type_name(data_type: str, precision: int | None = None, scale: int | None = None) -> str:
    """A column's type as DuckDB's information_schema names it, from either warehouse's `data_type` (and, for
    Postgres NUMERIC, its `numeric_precision` / `numeric_scale`), so a report says VARCHAR on both, not text."""
    name = str(data_type)
    if name.lower() == "numeric":
        return f"DECIMAL({precision},{scale})" if precision is not None and scale is not None else "DECIMAL"
    return _DUCKDB_TYPE_NAMES.get(name.lower(), name)


def numbered_params(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """`$name` parameters (DuckDB binds them; the Postgres warehouse binds only `?` and `$n`) as `$1`, `$2`... in
    the order the names first appear, with their values as a list. A `$name` not in `params` is left as it is
    (the engine then says which value is missing); a name given but not used is dropped. Text, not a parse: a
    `$name` of `params` inside a string literal is numbered too."""
    used: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            return match.group(0)
        if name not in used:
            used.append(name)
        return f"${used.index(name) + 1}"

    text = re.sub(r"\$([A-Za-z_][A-Za-z0-9_]*)\b", number, sql)
    return text, [params[name] for name in used]


def first_non_null(expr: str, partition: str, order: str) -> str:
    """Window: the first non-NULL `expr` by `order` within `partition`, on every row of it (NULL if none is).

    DuckDB's `first_value(expr IGNORE NULLS)` over the whole partition, written so Postgres runs it too: the
    NULLs are ordered last instead of skipped. Costs a sort of its own (a named window cannot be shared).
    """
    return (
        f"first_value({expr}) OVER (PARTITION BY {partition} ORDER BY ({expr}) IS NULL, {order} "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
    )


def constructs_in(sql: str) -> list[Construct]:
    """The DuckDB-only constructs a statement uses."""
    return [c for c in CONSTRUCTS if c.found_in(sql)]
