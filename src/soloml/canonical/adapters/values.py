"""SQL expressions that parse vendor values (DuckDB dialect). Every adapter builds its SELECTs from these.

Each helper takes a raw column name (quoted for you) or any SQL expression, and returns an expression
that is NULL when the value is empty *or* unparseable; `Check`s use the same helpers to quarantine the
unparseable ones, so nothing becomes NULL silently.

>>> money("amount")  # doctest: +ELLIPSIS
'CAST(...'
"""

from __future__ import annotations

import re

from soloml.sql_quoting import quote_ident, quote_literal

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
OFFSET_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f %z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M %z",
)
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")

# ISO 4217 currencies without minor units (Stripe's list) and with three decimals.
ZERO_DECIMAL = (
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "JPY",
    "KMF",
    "KRW",
    "MGA",
    "PYG",
    "RWF",
    "UGX",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
)
THREE_DECIMAL = ("BHD", "JOD", "KWD", "OMR", "TND")

# Time-zone names as Square (and Rails apps) write them -> IANA.
ZONE_NAMES = {
    "Eastern Time (US & Canada)": "America/New_York",
    "Central Time (US & Canada)": "America/Chicago",
    "Mountain Time (US & Canada)": "America/Denver",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Arizona": "America/Phoenix",
    "Alaska": "America/Juneau",
    "Hawaii": "Pacific/Honolulu",
    "Atlantic Time (Canada)": "America/Halifax",
    "Newfoundland": "America/St_Johns",
    "Saskatchewan": "America/Regina",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Puerto Rico": "America/Puerto_Rico",
    "Mexico City": "America/Mexico_City",
    "Bogota": "America/Bogota",
    "Lima": "America/Lima",
    "Santiago": "America/Santiago",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Brasilia": "America/Sao_Paulo",
    "London": "Europe/London",
    "Edinburgh": "Europe/London",
    "Dublin": "Europe/Dublin",
    "Lisbon": "Europe/Lisbon",
    "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris",
    "Amsterdam": "Europe/Amsterdam",
    "Brussels": "Europe/Brussels",
    "Berlin": "Europe/Berlin",
    "Bern": "Europe/Zurich",
    "Zurich": "Europe/Zurich",
    "Rome": "Europe/Rome",
    "Vienna": "Europe/Vienna",
    "Stockholm": "Europe/Stockholm",
    "Copenhagen": "Europe/Copenhagen",
    "Oslo": "Europe/Oslo",
    "Helsinki": "Europe/Helsinki",
    "Warsaw": "Europe/Warsaw",
    "Prague": "Europe/Prague",
    "Athens": "Europe/Athens",
    "Istanbul": "Europe/Istanbul",
    "Moscow": "Europe/Moscow",
    "Tokyo": "Asia/Tokyo",
    "Osaka": "Asia/Tokyo",
    "Seoul": "Asia/Seoul",
    "Beijing": "Asia/Shanghai",
    "Hong Kong": "Asia/Hong_Kong",
    "Singapore": "Asia/Singapore",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Dubai": "Asia/Dubai",
    "Abu Dhabi": "Asia/Dubai",
    "Sydney": "Australia/Sydney",
    "Canberra": "Australia/Sydney",
    "Melbourne": "Australia/Melbourne",
    "Brisbane": "Australia/Brisbane",
    "Adelaide": "Australia/Adelaide",
    "Darwin": "Australia/Darwin",
    "Perth": "Australia/Perth",
    "Hobart": "Australia/Hobart",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
    "UTC": "UTC",
    "GMT": "UTC",
}
IANA_NAMES = frozenset(ZONE_NAMES.values())


def col(name_or_expr: str) -> str:
    """Quote a bare column name; leave any other expression alone."""
    return quote_ident(name_or_expr) if _IDENT.match(name_or_expr) else name_or_expr


def lit(value: str) -> str:
    """A SQL string literal (the adapters' short name for `quote_literal`)."""
    return quote_literal(value)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(lit(v) for v in values) + "]"


def text(c: str) -> str:
    """Trimmed text; NULL when empty."""
    return f"NULLIF(trim(CAST({col(c)} AS VARCHAR)), '')"


def money(c: str) -> str:
    """Major units from '$1,234.50', '-$45.00', '($45.00)', '1234.5', '€12', '64,80', '1.234,50' -> DECIMAL(18,2).

    A comma is a thousands separator only before groups of three digits and a decimal comma only before one or
    two final digits; anything else ('12,3456') is not read as money, so the row is quarantined, not misread."""
    t = text(c)
    sign = f"CASE WHEN {t} LIKE '(%)' THEN -1 ELSE 1 END"
    bare = f"regexp_replace({t}, '[()$€£¥\\s]', '', 'g')"
    digits = (
        f"(CASE WHEN NOT contains({bare}, ',') THEN {bare} "
        f"WHEN regexp_full_match({bare}, '[-+]?\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?') THEN replace({bare}, ',', '') "
        f"WHEN regexp_full_match({bare}, '[-+]?\\d{{1,3}}(\\.\\d{{3}})+,\\d{{1,2}}') THEN replace(replace({bare}, '.', ''), ',', '.') "
        f"WHEN regexp_full_match({bare}, '[-+]?\\d+,\\d{{1,2}}') THEN replace({bare}, ',', '.') END)"
    )
    return f"CAST({sign} * TRY_CAST({digits} AS DECIMAL(18,4)) AS DECIMAL(18,2))"


def minor_money(c: str, currency_expr: str) -> str:
    """Minor units (cents) as the Stripe API and synced tables give them -> major units, zero-decimal aware."""
    cur = f"upper({text(currency_expr)})"
    scale = (
        f"CASE WHEN {cur} IN {tuple(ZERO_DECIMAL)} THEN 1 WHEN {cur} IN {tuple(THREE_DECIMAL)} THEN 0.001 ELSE 0.01 END"
    )
    return f"CAST(TRY_CAST({text(c)} AS DECIMAL(38,4)) * {scale} AS DECIMAL(18,2))"


def currency(c: str) -> str:
    """ISO code, upper case: 'usd' -> 'USD'."""
    return f"upper({text(c)})"


def ts(c: str) -> str:
    """A UTC TIMESTAMP from text with an offset ('2024-01-15 09:32:10 -0500' -> 14:32:10) or without (taken as UTC)."""
    t = text(c)
    return _plausible(
        f"coalesce(try_strptime({t}, {_list(OFFSET_FORMATS)}) AT TIME ZONE 'UTC', "
        f"try_strptime({t}, {_list(NAIVE_FORMATS)}))"
    )


LOCAL_ZONE_VARIABLE = "soloml_local_zone"  # set by the router for exports that write local times (CRM exports)
LOCAL_ZONE = f"coalesce(getvariable('{LOCAL_ZONE_VARIABLE}'), 'UTC')"


def in_local_zone(naive_expr: str) -> str:
    """A naive local time, read in the load's local zone (the CRM's, see settings crm.timezone), as naive UTC."""
    return f"(timezone({LOCAL_ZONE}, {naive_expr}) AT TIME ZONE 'UTC')"


def crm_ts(c: str) -> str:
    """Like `ts`, but a value without an offset is a local time in the load's zone (HubSpot and Salesforce exports
    write the portal's / org's time zone): '2024-01-15 09:00' in America/Chicago -> 15:00 UTC."""
    t = text(c)
    return _plausible(
        f"coalesce(try_strptime({t}, {_list(OFFSET_FORMATS)}) AT TIME ZONE 'UTC', "
        f"{in_local_zone(f'try_strptime({t}, {_list(NAIVE_FORMATS)})')})"
    )


def _plausible(expr: str) -> str:
    """NULL (so: quarantined) for years a business record cannot have, e.g. '24-01-15' read as year 24."""
    return f"(CASE WHEN year({expr}) BETWEEN 1900 AND 2200 THEN {expr} END)"


def epoch(c: str) -> str:
    """A UTC TIMESTAMP from Unix seconds (the Stripe API's `created`)."""
    seconds = f"TRY_CAST({text(c)} AS DOUBLE)"
    return _plausible(
        f"(CASE WHEN {seconds} BETWEEN -2208988800 AND 7258118400 THEN to_timestamp({seconds}) AT TIME ZONE 'UTC' END)"
    )


def zone(c: str) -> str:
    """IANA zone from a Square/Rails zone name ('Eastern Time (US & Canada)') or an IANA name; NULL when unknown."""
    t = text(c)
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in ZONE_NAMES.items())
    iana = ", ".join(lit(z) for z in sorted(IANA_NAMES))
    return f"(CASE {t} {whens} ELSE CASE WHEN {t} IN ({iana}) THEN {t} END END)"


def day(c: str) -> str:
    """A DATE from '2024-01-15' or '01/15/2024'."""
    return _plausible(f"CAST(try_strptime({text(c)}, {_list(DATE_FORMATS)}) AS DATE)")


def clock(c: str) -> str:
    """A TIME from '14:32:10', '14:32' or '2:32:10 PM'."""
    return f"CAST(try_strptime({text(c)}, {_list(TIME_FORMATS)}) AS TIME)"


def local_ts(date_col: str, time_col: str, zone_col: str) -> str:
    """UTC TIMESTAMP from a local date, time and zone name: ('2024-01-15', '09:32:10', 'Eastern Time (US & Canada)') -> 14:32:10."""
    local = f"({day(date_col)} + {clock(time_col)})"
    z = zone(zone_col)
    return f"(CASE WHEN {z} IS NOT NULL AND {local} IS NOT NULL THEN timezone({z}, {local}) AT TIME ZONE 'UTC' END)"


def boolean(c: str) -> str:
    t = f"lower({text(c)})"
    return f"(CASE WHEN {t} IN ('true', 't', 'yes', 'y', '1') THEN true WHEN {t} IN ('false', 'f', 'no', 'n', '0') THEN false END)"


def integer(c: str) -> str:
    return f"CAST(TRY_CAST({text(c)} AS DOUBLE) AS BIGINT)"


def number(c: str) -> str:
    return f"TRY_CAST({text(c)} AS DOUBLE)"


def email(c: str) -> str:
    """Trimmed, lower-case email as stored in core (identity.py normalises further for matching)."""
    return f"lower({text(c)})"


def json_text(c: str, path: str) -> str:
    """A scalar inside a JSON column, as text: json_text('billing_details', '$.email')."""
    return f"NULLIF(json_extract_string({col(c)}, {lit(path)}), '')"


def monthly(amount_expr: str, interval_col: str, count_col: str | None = None) -> str:
    """Monthly recurring amount from a price per billing interval: yearly / 12, weekly x 52 / 12, daily x 365 / 12."""
    interval = f"lower({text(interval_col)})"
    count = f"coalesce({integer(count_col)}, 1)" if count_col else "1"
    factor = (
        f"CASE {interval} WHEN 'month' THEN 1.0 WHEN 'year' THEN 1.0 / 12 WHEN 'week' THEN 52.0 / 12 "
        f"WHEN 'day' THEN 365.0 / 12 END"
    )
    return f"CAST(({amount_expr}) * {factor} / {count} AS DECIMAL(18,2))"


def interval(interval_col: str) -> str:
    """'month' / 'year' / 'week' / 'day' from 'Month', 'monthly', 'yearly', 'annual' ..."""
    t = f"lower({text(interval_col)})"
    return (
        f"(CASE WHEN {t} IN ('month', 'monthly', 'months') THEN 'month' WHEN {t} IN ('year', 'yearly', 'annual', 'annually', 'years') THEN 'year' "
        f"WHEN {t} IN ('week', 'weekly', 'weeks') THEN 'week' WHEN {t} IN ('day', 'daily', 'days') THEN 'day' END)"
    )


def mapped(c: str, mapping: dict[str, str]) -> str:
    """The canonical value for a vendor value (case-insensitive, spaces = underscores); NULL when unknown."""
    whens = " ".join(f"WHEN {lit(k)} THEN {lit(val)}" for k, val in mapping.items())
    return f"(CASE replace(lower({text(c)}), ' ', '_') {whens} END)"


def ref(c: str) -> str:
    """An id that may arrive expanded as a JSON object ({"id": "cus_1", ...}) or as the bare id."""
    t = text(c)
    return f"(CASE WHEN {t} LIKE '{{%' THEN json_extract_string({t}, '$.id') ELSE {t} END)"
