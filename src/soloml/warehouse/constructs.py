"""The one list of the DuckDB-specific SQL soloml uses (`CONSTRUCTS`), and `constructs_in(sql)` to find them.

Each `Construct` says what it is, a pattern that finds it, the modules under src/soloml/ that use it and its
portable form, so whoever moves a stage to another warehouse starts from a list and not from a grep. `fails` names
the target dialects where sqlglot raises on it (tests/warehouse/test_dialect.py keeps that exact: every statement
of a demo-sized cycle that fails to transpile is explained by a construct here, and every `fails` entry still
fails). A construct with no `fails` transpiles without error; that is not proof the result runs or means the same
(e.g. `hash()` gives different numbers elsewhere), which is what `portable` is for. Where soloml has a second
implementation, it is in warehouse/rewrites.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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


def constructs_in(sql: str) -> list[Construct]:
    """The DuckDB-only constructs a statement uses."""
    return [c for c in CONSTRUCTS if c.found_in(sql)]
