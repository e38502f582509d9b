"""SQL helpers shared by the CRM and email adapters (HubSpot, Salesforce, Mailchimp, mappings).

CRM exports let the user pick which columns to export, so these adapters require only the few
columns they cannot do without and read every other column through `opt`, which is NULL when the
file does not have that column. `rows_with_optional(rows)` is the FROM clause that makes `opt` work.
"""

from __future__ import annotations

from soloml.canonical.adapters import values as v

LIFECYCLE_STAGES = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
    "other",
)


def rows_with_optional(rows: str) -> str:
    """`FROM` target: the load's rows plus `_row`, the whole row as JSON, for reading optional columns."""
    return f"(SELECT *, to_json(_r) AS _row FROM {rows} AS _r)"


def opt(column: str) -> str:
    """An optional raw column (snake_case) as text: NULL when empty or when the file lacks the column."""
    return f"NULLIF(trim(_row->>{v.lit('$.' + chr(34) + column + chr(34))}), '')"


def first(*exprs: str) -> str:
    return exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})"


def full_name(first_name: str, last_name: str) -> str:
    """'Ann' + 'Lee' -> 'Ann Lee'; NULL when both are empty."""
    return f"NULLIF(trim(concat_ws(' ', {first_name}, {last_name})), '')"


def lifecycle(expr: str) -> str:
    """HubSpot lifecycle stage from a display name or internal id: 'Marketing Qualified Lead' -> 'marketingqualifiedlead'.

    Abbreviations MQL/SQL are understood; any other non-empty stage (a custom one) becomes 'other'.
    """
    squashed = f"regexp_replace(lower({expr}), '[^a-z]', '', 'g')"
    allowed = ", ".join(v.lit(s) for s in LIFECYCLE_STAGES)
    return (
        f"(CASE WHEN {expr} IS NULL THEN NULL WHEN {squashed} = 'mql' THEN 'marketingqualifiedlead' "
        f"WHEN {squashed} = 'sql' THEN 'salesqualifiedlead' WHEN {squashed} IN ({allowed}) THEN {squashed} ELSE 'other' END)"
    )


def hashed_id(prefix: str, *parts: str) -> str:
    """A stable id from normalised parts when the source has none: prefix || md5(part1 | part2 | ...)."""
    joined = " || '|' || ".join(f"coalesce(CAST({p} AS VARCHAR), '')" for p in parts)
    return f"({v.lit(prefix)} || md5({joined}))"


def sql_list(items: tuple[str, ...] | list[str]) -> str:
    """A DuckDB list literal of strings: ['a', 'b']."""
    return "[" + ", ".join(v.lit(i) for i in items) + "]"


US_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%m/%d/%y %I:%M %p", "%m/%d/%y")


def us_ts(c: str) -> str:
    """A UTC TIMESTAMP from a US-format report date ('1/15/2024', '1/15/2024 2:32 PM') or an ISO one, written in the
    org's time zone (settings crm.timezone; see values.crm_ts)."""
    t = v.text(c)
    return f"coalesce({v.in_local_zone(f'try_strptime({t}, {sql_list(US_FORMATS)})')}, {v.crm_ts(c)})"


def sf_money(c: str) -> str:
    """Salesforce report money: '$1,234.50', 'USD 1,234.50', '1234.5' -> DECIMAL(18,2)."""
    stripped = f"regexp_replace({v.text(c)}, '^[A-Z]{{3}}\\s*', '')"
    return v.money(stripped)


def currency_prefix(c: str) -> str:
    """The ISO code in front of a Salesforce amount ('USD 1,234.50' -> 'USD'); NULL when there is none."""
    return f"NULLIF(regexp_extract({v.text(c)}, '^([A-Z]{{3}})\\s', 1), '')"
