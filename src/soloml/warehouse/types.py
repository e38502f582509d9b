"""Typing text columns inside DuckDB: infer each column's type from a sample, cast in SQL, flag bad values.

Every text column gets a list of candidate parses (boolean, integer, money/decimal in US or European
notation, dates in ISO/US/EU/text forms, timestamps with and without a UTC offset). Counting how many
non-empty values each candidate parses is one aggregate query over a sample; the winner is the candidate
that parses the most values (ties go to the narrower type), if it parses at least 95% of them. The chosen
SQL expression then types the whole column in one set-based pass; a non-empty value it cannot parse marks
its row as bad (the row is quarantined, never silently set to NULL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from soloml.config import DateOrder
from soloml.sql_quoting import quote_literal as _lit
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

MIN_PARSEABLE_SHARE = 0.95
# DuckDB's whole-number and floating types (DECIMAL is matched by prefix where it counts as a number)
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
NUMERIC_TYPES = (*INTEGER_TYPES, "FLOAT", "DOUBLE", "REAL")
# digits that are labels, not quantities: kept as text whatever they look like ('02134', SKUs)
TEXT_NAMES = re.compile(r"(^|_)(zip|zipcode|postal|postcode|sku|ean|upc|isbn|gtin)(_|$)")
# phone columns stay text when they hold phone numbers ('+1 555...'); a 0/1 'phone_service' flag is typed by its values
PHONE_NAMES = re.compile(r"(^|_)(phone|mobile|fax|tel)(_|$)")
PHONE_NUMBER = r"[+(]?[0-9][0-9 ().-]{5,}[0-9]"  # seven or more digits and phone punctuation
SAMPLE_ROWS = 5_000

_SYM = "[$€£¥]"
_SP = "[\\s\u00a0]"
_STRIP = "[$€£¥()\\s\u00a0]"
_US_INT = r"[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)"
_EU_INT = "[-+]?([0-9]{1,3}([.\\s\u00a0][0-9]{3})+|[0-9]+)"
_US_DEC2 = _US_INT + r"(\.[0-9]{1,2})?|[-+]?\.[0-9]{1,2}"
_US_DBL = _US_INT + r"(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]?\.[0-9]+([eE][-+]?[0-9]+)?"
_EU_SEP = "[.\\s\u00a0]"
_EU_DEC2 = _EU_INT + "(,[0-9]{1,2})?"
_EU_DBL = _EU_INT + "(,[0-9]+)?"
_ISO_DATE = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
_ISO_TIME = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
_OFFSET = r" ?(Z|UTC|[+-][0-9]{2}:?[0-9]{2})"
_OFFSET_PARTS = r" ?([+-][0-9]{2}):?([0-9]{2})$"
_OFFSET_FIX = r"\1:\2"
_SLASH4 = r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4}"
_SLASH2 = r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}"
_CLOCK = r" [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( ?[AaPp][Mm])?"
_TIMES = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I:%M:%S%p", "%I:%M%p")
_TEXT_DATES = ("%d %b %Y", "%b %d, %Y", "%d-%b-%Y", "%B %d, %Y", "%d %B %Y", "%b %d %Y", "%a, %d %b %Y")


def _fmt_list(formats: Sequence[str]) -> str:
    return "[" + ", ".join(_lit(f) for f in formats) + "]"


def _money_shape(number: str) -> str:
    """`number` with optional currency symbols, spaces and signs around it, or in accounting parentheses."""
    around = f"{_SYM}?{_SP}?"
    return f"[-+]?{around}({number}){_SP}?{_SYM}?|[(]{_SP}?{around}({number}){_SP}?{_SYM}?{_SP}?[)]"


def _money_value(v: str, sql_type: str, *, comma_decimal: bool) -> str:
    """Fast path for the common '$1,234.50' / '-45.00' forms (plain replaces); otherwise symbols, spaces and
    parentheses stripped by one regexp, '(45.00)' being negative. COALESCE only runs the slow path when needed."""
    if comma_decimal:
        fast = f"TRY_CAST(replace(replace(replace(replace({v}, '€', ''), ' ', ''), '.', ''), ',', '.') AS {sql_type})"
    else:
        fast = f"TRY_CAST(replace(replace({v}, '$', ''), ',', '') AS {sql_type})"
    bare = f"regexp_replace({v}, {_lit(_STRIP)}, '', 'g')"
    plain = f"replace(replace({bare}, '.', ''), ',', '.')" if comma_decimal else f"replace({bare}, ',', '')"
    return f"COALESCE({fast}, TRY_CAST(CASE WHEN starts_with({v}, '(') THEN '-' ELSE '' END || {plain} AS {sql_type}))"


def _money(v: str, number: str, sql_type: str, *, comma_decimal: bool = False) -> str:
    return f"CASE WHEN regexp_full_match({v}, {_lit(_money_shape(number))}) THEN {_money_value(v, sql_type, comma_decimal=comma_decimal)} END"


def _slash_dates(v: str, order: str, with_time: bool) -> str:
    parts = {"mdy": ("%m", "%d"), "dmy": ("%d", "%m")}[order]
    sep_forms = [f"{parts[0]}{s}{parts[1]}{s}" for s in "/.-"]
    times = [""] if not with_time else [" " + t for t in _TIMES]
    four = [f + "%Y" + t for f in sep_forms for t in times]
    two = [f + "%y" + t for f in sep_forms for t in times]
    tail = _CLOCK if with_time else ""
    return (
        f"CASE WHEN regexp_full_match({v}, {_lit(_SLASH4 + tail)}) THEN try_strptime({v}, {_fmt_list(four)}) "
        f"WHEN regexp_full_match({v}, {_lit(_SLASH2 + tail)}) THEN try_strptime({v}, {_fmt_list(two)}) END"
    )


@dataclass(frozen=True)
class Candidate:
    """One way to read a text column: its SQL type, a label for messages, and the parse expression."""

    name: str
    sql_type: str
    label: str  # 'a number', 'a date' ... for error messages
    template: str  # SQL with {v} standing for the trimmed, empty-as-NULL value

    def expr(self, v: str) -> str:
        return self.template.replace("{v}", v)


def _candidates(date_order: DateOrder, decimal_comma_first: bool) -> tuple[Candidate, ...]:
    v = "{v}"
    us_int = Candidate(
        "integer",
        "BIGINT",
        "a whole number",
        f"CASE WHEN regexp_full_match({v}, {_lit(_US_INT)}) THEN TRY_CAST(replace({v}, ',', '') AS BIGINT) END",
    )
    eu_int = Candidate(
        "integer_eu",
        "BIGINT",
        "a whole number",
        f"CASE WHEN regexp_full_match({v}, {_lit(_EU_INT)}) THEN TRY_CAST(regexp_replace({v}, {_lit(_EU_SEP)}, '', 'g') AS BIGINT) END",
    )
    us = (
        Candidate("decimal", "DECIMAL(18,2)", "an amount", _money(v, _US_DEC2, "DECIMAL(18,2)")),
        Candidate("double", "DOUBLE", "a number", _money(v, _US_DBL, "DOUBLE")),
    )
    eu = (
        Candidate(
            "decimal_comma",
            "DECIMAL(18,2)",
            "an amount (decimal comma)",
            _money(v, _EU_DEC2, "DECIMAL(18,2)", comma_decimal=True),
        ),
        Candidate(
            "double_comma", "DOUBLE", "a number (decimal comma)", _money(v, _EU_DBL, "DOUBLE", comma_decimal=True)
        ),
    )
    # whole numbers first whatever the notation (ties go to the earlier candidate): ids stay BIGINT in ';' files
    numbers = (eu_int, *eu, us_int, *us) if decimal_comma_first else (us_int, *us, eu_int, *eu)
    iso_date = Candidate(
        "date_iso",
        "DATE",
        "a date",
        f"CASE WHEN regexp_full_match({v}, {_lit(_ISO_DATE)}) THEN TRY_CAST({v} AS DATE) "
        f"WHEN regexp_full_match({v}, '[0-9]{{4}}/[0-9]{{1,2}}/[0-9]{{1,2}}') THEN try_strptime({v}, '%Y/%m/%d')::DATE END",
    )
    iso_ts = Candidate(
        "timestamp_iso",
        "TIMESTAMP",
        "a date-time",
        f"CASE WHEN regexp_full_match({v}, {_lit(_ISO_DATE + '(' + _ISO_TIME + ')?')}) THEN TRY_CAST({v} AS TIMESTAMP) END",
    )
    tz_ts = Candidate(
        "timestamp_utc",
        "TIMESTAMP",
        "a date-time with a UTC offset",
        f"CASE WHEN regexp_full_match({v}, {_lit(_ISO_DATE + _ISO_TIME + _OFFSET)}) THEN timezone('UTC', TRY_CAST("
        f"regexp_replace(regexp_replace({v}, ' ?UTC$', 'Z'), {_lit(_OFFSET_PARTS)}, {_lit(_OFFSET_FIX)}) AS TIMESTAMPTZ)) END",
    )
    text_date = Candidate(
        "date_text",
        "DATE",
        "a date",
        f"CASE WHEN regexp_matches({v}, '[A-Za-z]') THEN try_strptime({v}, {_fmt_list(_TEXT_DATES)})::DATE END",
    )
    ordered: list[Candidate] = []
    for order in ("mdy", "dmy"):
        if date_order in ("auto", order):
            ordered.append(
                Candidate(f"date_{order}", "DATE", f"a date ({order})", f"({_slash_dates(v, order, False)})::DATE")
            )
    for order in ("mdy", "dmy"):
        if date_order in ("auto", order):
            ordered.append(
                Candidate(f"timestamp_{order}", "TIMESTAMP", f"a date-time ({order})", _slash_dates(v, order, True))
            )
    boolean = Candidate(
        "boolean",
        "BOOLEAN",
        "true/false",
        f"CASE WHEN lower({v}) IN ('true', 't', 'yes', 'y') THEN true WHEN lower({v}) IN ('false', 'f', 'no', 'n') THEN false END",
    )
    return (
        boolean,
        *numbers,
        iso_date,
        text_date,
        *[c for c in ordered if c.sql_type == "DATE"],
        iso_ts,
        tz_ts,
        *[c for c in ordered if c.sql_type == "TIMESTAMP"],
    )


TEXT = Candidate("text", "VARCHAR", "text", "{v}")


@dataclass(frozen=True)
class ColumnPlan:
    """How one staged column becomes a raw column."""

    name: str
    source_type: str  # type in the staging table
    candidate: Candidate | None  # None: keep the staged (already typed) value
    note: str = ""

    @property
    def sql_type(self) -> str:
        if self.candidate is not None:
            return self.candidate.sql_type
        return _typed_target(self.source_type)

    @property
    def checked(self) -> bool:
        """Whether a value can fail this column's type (text and already-typed columns cannot)."""
        return self.candidate is not None and self.candidate is not TEXT

    def prepared_sql(self) -> str:
        """Step 1 of typing: the staged value made ready (text trimmed, empty as NULL) - computed once per value."""
        col = quote_ident(self.name)
        if self.candidate is None:
            return _typed_value(col, self.source_type)
        if self.candidate is TEXT:
            return f"NULLIF({col}, '')"
        return f"NULLIF(trim({col}), '')"

    def cast_sql(self, prepared: str) -> str:
        """Step 2: the typed value from the prepared one."""
        return self.candidate.expr(prepared) if self.checked else prepared  # type: ignore[union-attr]

    def value_sql(self) -> str:
        """The typed value straight from the staged column (both steps in one expression)."""
        return self.cast_sql(self.prepared_sql())


def _is_nested(source_type: str) -> bool:
    upper = source_type.upper()
    return upper.startswith(("STRUCT", "MAP", "UNION")) or upper.endswith("]") or upper == "JSON"


def _typed_target(source_type: str) -> str:
    upper = source_type.upper()
    if _is_nested(upper) or upper in ("UUID", "BLOB", "BIT", "INTERVAL", "TIME WITH TIME ZONE"):
        return "VARCHAR"
    if upper == "TIMESTAMP WITH TIME ZONE":
        return "TIMESTAMP"
    return source_type


def _typed_value(col: str, source_type: str) -> str:
    upper = source_type.upper()
    if upper == "TIMESTAMP WITH TIME ZONE":
        return f"timezone('UTC', {col})"
    if _is_nested(upper):
        return f"CAST(to_json({col}) AS VARCHAR)"
    if _typed_target(upper) == "VARCHAR" and upper != "VARCHAR":
        return f"CAST({col} AS VARCHAR)"
    return col


def _count_candidates(
    con: Connection, relation: str, columns: Sequence[str], candidates: Sequence[Candidate]
) -> dict[str, tuple[int, int, list[int]]]:
    """Per column: (non-empty values, values that look like ids - zero-padded or 16+ digits, parse count per candidate).

    The columns are unpivoted to (name, value) first, so the query holds each candidate once, however
    wide the file: planning a 40-column export stays as cheap as a 4-column one."""
    empty = (0, 0, [0] * len(candidates))
    if not columns:
        return {}
    prepared = ", ".join(f"NULLIF(trim({quote_ident(c)}), '') AS {quote_ident(c)}" for c in columns)
    counts = ", ".join(f"count({c.expr('v')})" for c in candidates)
    rows = con.execute(
        f"SELECT name, count(*), count_if(regexp_full_match(v, '[-+]?0[0-9]+|[0-9]{{16,}}')), {counts} "
        f"FROM (UNPIVOT (SELECT {prepared} FROM {relation}) ON COLUMNS(*) INTO NAME name VALUE v) GROUP BY name"
    ).fetchall()
    found = {r[0]: (int(r[1]), int(r[2]), [int(x) for x in r[3:]]) for r in rows}
    return {c: found.get(c, empty) for c in columns}


def _family(sql_type: str) -> str:
    upper = sql_type.upper()
    if upper in ("DATE", "TIMESTAMP"):
        return "time"
    if upper.startswith("DECIMAL") or upper in (
        "BIGINT",
        "INTEGER",
        "DOUBLE",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "FLOAT",
        "REAL",
    ):
        return "number"
    return upper


def _choose(
    counts: tuple[int, int, list[int]], candidates: Sequence[Candidate], keep: str | None = None
) -> tuple[Candidate, str]:
    """The candidate parsing the most values (>= 95%), else text - unless the table already holds this column
    typed (`keep`): then the best parse of that kind, so bad values are quarantined, not the column turned to text."""
    chosen, note = _choose_free(counts, candidates)
    if chosen is not TEXT or keep is None or _family(keep) == "VARCHAR" or counts[0] == 0:
        return chosen, note
    parsed = counts[2]
    same = [i for i, c in enumerate(candidates) if _family(c.sql_type) == _family(keep) and parsed[i] > 0]
    if not same:
        return TEXT, ""
    best = max(same, key=lambda i: parsed[i])
    return candidates[
        best
    ], f"kept as {candidates[best].sql_type} like earlier loads; values that do not fit are quarantined"


def _choose_free(counts: tuple[int, int, list[int]], candidates: Sequence[Candidate]) -> tuple[Candidate, str]:
    nonempty, id_like, parsed = counts
    if nonempty == 0:
        return TEXT, ""
    best_i = -1
    for i, (cand, n) in enumerate(zip(candidates, parsed, strict=True)):
        if id_like and (cand.sql_type in ("BIGINT", "DOUBLE") or cand.sql_type.startswith("DECIMAL")):
            continue  # ids like 00123 keep their zeros, long ids like 4242424242424242 every digit
        if n > (parsed[best_i] if best_i >= 0 else 0):
            best_i = i
    if best_i < 0 or parsed[best_i] < MIN_PARSEABLE_SHARE * nonempty:
        return TEXT, ""
    best = candidates[best_i]
    note = ""
    for other_i, other in enumerate(candidates):
        twin = {"date_mdy": "date_dmy", "timestamp_mdy": "timestamp_dmy"}.get(best.name)
        if other.name == twin and parsed[other_i] == parsed[best_i]:
            note = (
                "its dates fit both month/day and day/month; read as month/day/year (pass --date-format dmy if wrong)"
            )
    return best, note


def infer_plans(
    con: Connection,
    stage: str,
    *,
    date_order: DateOrder = "auto",
    decimal_comma_first: bool = False,
    sample_rows: int = SAMPLE_ROWS,
    keep: Mapping[str, str] | None = None,
) -> list[ColumnPlan]:
    """A ColumnPlan per column of `stage` (a table whose text columns are VARCHAR), from a repeatable sample.

    `keep` maps columns to the types they already have in the target table (for re-exports)."""
    keep = keep or {}
    described = con.execute(f"DESCRIBE {stage}").fetchall()
    columns = [(r[0], r[1]) for r in described if not r[0].startswith("_soloml")]
    candidates = _candidates(date_order, decimal_comma_first)
    total = con.execute(f"SELECT count(*) FROM {stage}").fetchall()[0][0]
    relation = (
        stage
        if total <= sample_rows
        else f"(SELECT * FROM {stage} USING SAMPLE reservoir({sample_rows} ROWS) REPEATABLE (7))"
    )
    labels = {c for c, t in columns if t == "VARCHAR" and TEXT_NAMES.search(c)} | _phone_numbers(
        con, relation, [c for c, t in columns if t == "VARCHAR" and PHONE_NAMES.search(c)]
    )
    text_cols = [c for c, t in columns if t == "VARCHAR" and c not in labels]
    counts = _count_candidates(con, relation, text_cols, candidates)
    plans = []
    for col, typ in columns:
        if typ != "VARCHAR":
            plans.append(ColumnPlan(col, typ, None))
            continue
        if col in labels:
            plans.append(ColumnPlan(col, typ, TEXT))
            continue
        cand, note = _choose(counts[col], candidates, keep.get(col))
        plans.append(ColumnPlan(col, typ, cand, note))
    return plans


def _phone_numbers(con: Connection, relation: str, columns: Sequence[str]) -> set[str]:
    """The phone-named columns holding at least one value shaped like a phone number."""
    if not columns:
        return set()
    checks = ", ".join(f"bool_or(regexp_full_match(trim({quote_ident(c)}), {_lit(PHONE_NUMBER)}))" for c in columns)
    found = con.execute(f"SELECT {checks} FROM {relation}").fetchone()
    return {c for c, hit in zip(columns, found, strict=True) if hit}


def refine_plans(
    con: Connection,
    stage: str,
    plans: list[ColumnPlan],
    suspects: Sequence[str],
    *,
    date_order: DateOrder = "auto",
    decimal_comma_first: bool = False,
    keep: Mapping[str, str] | None = None,
) -> list[ColumnPlan]:
    """Re-decide `suspects` (columns with bad values in the full pass) over every row instead of a sample."""
    keep = keep or {}
    candidates = _candidates(date_order, decimal_comma_first)
    counts = _count_candidates(con, stage, list(suspects), candidates)
    out = []
    for plan in plans:
        if plan.name in counts:
            cand, note = _choose(counts[plan.name], candidates, keep.get(plan.name))
            out.append(ColumnPlan(plan.name, plan.source_type, cand, note))
        else:
            out.append(plan)
    return out
