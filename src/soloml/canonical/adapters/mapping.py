"""Any other file: a `mappings/<name>.yaml` that assigns the file's columns to a canonical table.

    table: payments                 # the canonical table to fill
    source: legacy_pos              # recorded as `source`; ids become 'legacy_pos:<id>'
    match: {file: "pos_*.csv"}      # or headers: [...]; how soloml recognises the file
    columns:                        # canonical column: the file's column, or a literal value
      payment_id: "Txn #"
      email: "Customer E-mail"
      amount: "Total"
      paid_at: "When"
      status: "Result"
      kind: charge                  # a literal (an allowed value, an ISO code, or any text written "=like this")
      currency: USD
    formats: {paid_at: "%d/%m/%Y %H:%M"}            # strptime formats for dates
    values: {status: {OK: succeeded, DECLINED: failed}}
    timezone: Europe/London         # optional: the zone of times written without an offset (default UTC)
    links: {"CRM ID": hubspot}      # optional: columns holding another system's id for the person ('any': any source's)

A value is the file's column when `match.headers` lists it (or, without headers, unless it is a literal
as above). Besides the table's columns, `customer_id` names the file's own customer id, and
`customer_name` / `customer_country` help identity resolution. When the table's id column is not mapped,
the id is a hash of the row's mapped values: identical payments, orders and order lines are kept apart as '#2',
'#3', ...; other identical rows collapse (the load report counts both). `mapping_adapter` turns a mapping into an `Adapter`, so the
file flows through the same detection, quarantine, identity and history as every vendor export;
`AdapterCatalog` (adapter_catalog.py) holds one workspace's mappings for detection and routing.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from soloml.canonical.adapters import ADAPTERS
from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.base import Adapter, Check
from soloml.canonical.adapters.crm import hashed_id, sql_list
from soloml.canonical.schema import ALLOWED_VALUES, MAPPABLE_TABLES, TABLES
from soloml.errors import ConfigError, did_you_mean
from soloml.warehouse.names import column_name

IDENTITY_KEYS = MappingProxyType(
    {
        "customer_id": "source_customer_id",
        "customer_name": "customer_name",
        "customer_country": "customer_country",
        "customer_phone": "customer_phone",
        "customer_zip": "customer_zip",
    }
)
ANY_SOURCE = "any"  # a `links` target: the id may be any source's
# Without an id column, identical rows of these tables are separate events (two identical purchases on one day);
# identical rows of the other tables (the same email open twice) collapse, and the load report says how many.
KEEP_REPEATS = ("payments", "orders", "order_items")
FILLED_BY_SOLOML = ("source", "valid_from", "valid_to", "is_current", "_load_id")
_SOURCE = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO = re.compile(r"^[A-Z]{3}$")
BUILT_IN_VENDORS = frozenset(a.vendor for a in ADAPTERS)


class Match(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file: str | None = None
    headers: list[str] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> Match:
        if not self.file and not self.headers:
            raise ValueError(
                "give `file` (a pattern such as 'pos_*.csv') or `headers` (the file's column names), or both"
            )
        return self


class Mapping(BaseModel):
    """A validated mapping file. Errors name the key at fault and the allowed values."""

    model_config = ConfigDict(extra="forbid")

    table: str
    source: str
    match: Match
    columns: dict[str, str]
    formats: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    timezone: str = "UTC"
    links: dict[str, str] = {}  # the file's column -> the source whose id it holds ('hubspot', 'stripe', ... or 'any')

    @field_validator("table")
    @classmethod
    def _table(cls, value: str) -> str:
        short = value.removeprefix("core.")
        if short not in MAPPABLE_TABLES:
            raise ValueError(
                f"'{value}' is not a canonical table a mapping can fill.{did_you_mean(short, MAPPABLE_TABLES)} "
                f"Allowed: {', '.join(MAPPABLE_TABLES)}"
            )
        return short

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not _SOURCE.match(value):
            raise ValueError(f"'{value}' must be lower-case letters, digits and _ (e.g. 'legacy_pos')")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"'{value}' is not a time-zone name; use an IANA name such as 'Europe/London' or 'America/New_York'"
            ) from None
        return value

    @model_validator(mode="after")
    def _columns(self) -> Mapping:
        table = TABLES[self.table]
        allowed = [c.name for c in table.columns if c.name not in FILLED_BY_SOLOML and c.name != "customer_id"]
        allowed += list(IDENTITY_KEYS)
        problems = []
        for key in self.columns:
            if key not in allowed:
                problems.append(
                    f"columns.{key}: core.{self.table} has no column '{key}'.{did_you_mean(key, allowed)} "
                    f"Allowed: {', '.join(allowed)}"
                )
        for key, value in self.columns.items():
            choices = ALLOWED_VALUES.get((self.table, key))
            if key in allowed and not self.is_column(key, value):
                literal = self.literal(value)
                if choices and literal not in choices:
                    problems.append(
                        f"columns.{key}: '{value}' is neither one of the file's columns (match.headers) nor an "
                        f"allowed value.{did_you_mean(literal, choices)} Allowed: {', '.join(choices)}"
                    )
                elif key == "currency" and not _ISO.match(literal):
                    problems.append(
                        f"columns.currency: '{value}' is neither one of the file's columns nor an ISO code like USD"
                    )
        key_col = table.key[0]
        missing = [
            c.name
            for c in table.columns
            if c.required
            and c.name not in self.columns
            and c.name not in FILLED_BY_SOLOML
            and c.name not in (key_col, "customer_id")
        ]
        if missing:
            problems.append(
                f"columns: core.{self.table} needs {', '.join(missing)}; name the file's column for each "
                "(or a literal value)"
            )
        for key, fmt in self.formats.items():
            if key not in self.columns:
                problems.append(f"formats.{key}: '{key}' is not mapped under columns")
            elif key in IDENTITY_KEYS or table.column(key).type != "TIMESTAMP":
                problems.append(f"formats.{key}: formats are for date/time columns; '{key}' is not one")
            elif "%" not in fmt:
                problems.append(f"formats.{key}: '{fmt}' is not a strptime format such as '%d/%m/%Y %H:%M'")
        for key, mapping in self.values.items():
            if key not in self.columns:
                problems.append(f"values.{key}: '{key}' is not mapped under columns")
                continue
            choices = ALLOWED_VALUES.get((self.table, key))
            for raw, target in mapping.items():
                if choices and target not in choices:
                    problems.append(
                        f"values.{key}.{raw}: '{target}' is not allowed.{did_you_mean(target, choices)} "
                        f"Allowed: {', '.join(choices)}"
                    )
        for column, target in self.links.items():
            if self.match.headers and column not in self.match.headers:
                problems.append(f"links.{column}: '{column}' is not one of the file's columns (match.headers)")
            if not _SOURCE.match(target):
                problems.append(
                    f"links.{column}: '{target}' must be a source name such as 'hubspot' or 'stripe', or 'any'"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def vendor_object(self) -> str:
        return f"{self.source}.{self.table}"

    def is_column(self, key: str, value: str) -> bool:
        """True when `value` names one of the file's columns, False when it is a literal."""
        if value.startswith("="):
            return False
        if self.match.headers:
            return value in self.match.headers
        choices = ALLOWED_VALUES.get((self.table, key))
        if choices and value in choices:
            return False
        return not (key == "currency" and _ISO.match(value))

    def literal(self, value: str) -> str:
        return value[1:] if value.startswith("=") else value


def load_mapping(path: Path | str) -> Mapping:
    """Read and validate a mapping YAML; ConfigError naming the file, key and allowed values otherwise."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # every scalar stays text
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"Cannot read mapping {path}: {exc}.", hint="Fix the YAML (or run `soloml map FILE` for a fresh draft)."
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"Mapping {path} is not a YAML mapping of keys (table, source, match, columns).",
            hint="See docs/canonical-adapters.md or run `soloml map FILE` for a draft.",
        )
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{loc}: {msg}" if loc else msg)
        raise ConfigError(
            f"Mapping {path.name} is not valid: " + " | ".join(lines) + ".",
            hint=f"Edit {path} and load the file again.",
        ) from None


def _parse(m: Mapping, key: str, raw: str) -> str:
    """SQL parsing the raw column `raw` (snake_case) into canonical column `key`."""
    if key in IDENTITY_KEYS:
        return v.text(raw)
    col = TABLES[m.table].column(key)
    if (m.table, key) in ALLOWED_VALUES:
        return _enumerated(m, key, raw)
    if key == "email":
        return v.email(raw)
    if key == "currency":
        return v.currency(raw)
    if col.type.startswith("DECIMAL"):
        return v.money(raw)
    if col.type == "TIMESTAMP":
        return _timestamp(m, key, raw)
    if col.type == "BOOLEAN":
        return v.boolean(raw)
    if col.type == "INTEGER":
        return v.integer(raw)
    return v.text(raw)


def _enumerated(m: Mapping, key: str, raw: str) -> str:
    choices = ALLOWED_VALUES[(m.table, key)]
    pairs = {k.strip().lower(): t for k, t in m.values.get(key, {}).items()}
    whens = " ".join(f"WHEN {v.lit(k)} THEN {v.lit(t)}" for k, t in pairs.items())
    own = ", ".join(v.lit(c) for c in choices)
    low = f"lower({v.text(raw)})"
    return (
        f"(CASE {low} {whens} ELSE CASE WHEN {low} IN ({own}) THEN {low} END END)"
        if whens
        else f"(CASE WHEN {low} IN ({own}) THEN {low} END)"
    )


def _timestamp(m: Mapping, key: str, raw: str) -> str:
    """The mapping's format first; then the ISO forms the loader writes when it has already typed the column."""
    fmt = m.formats.get(key)
    text = f"regexp_replace({v.text(raw)}, '([0-9])Z$', '\\1+0000')"  # ISO 'Z' means UTC
    if fmt and fmt.endswith("Z"):
        fmt = fmt[:-1] + "%z"
    offset = f"(try_strptime({text}, {sql_list(v.OFFSET_FORMATS)}) AT TIME ZONE 'UTC')"
    naive = f"try_strptime({text}, {sql_list(v.NAIVE_FORMATS)})"
    if fmt and ("%z" in fmt or "%Z" in fmt):
        return f"coalesce((try_strptime({text}, {v.lit(fmt)}) AT TIME ZONE 'UTC'), {offset}, {naive})"
    if fmt:
        naive = f"coalesce(try_strptime({text}, {v.lit(fmt)}), {naive})"
    local = naive if m.timezone == "UTC" else f"(timezone({v.lit(m.timezone)}, {naive}) AT TIME ZONE 'UTC')"
    return f"coalesce({offset}, {local})"


def _literal_sql(m: Mapping, key: str, value: str) -> str:
    text = v.lit(m.literal(value))
    if key in IDENTITY_KEYS:
        return text
    col = TABLES[m.table].column(key)
    if col.type == "VARCHAR":
        return text
    return f"CAST({text} AS {col.type})"


def _link_value(column: str) -> str:
    return v.text(column_name(column))


def _record_key(m: Mapping, exprs: dict[str, str]) -> str:
    """The record a row belongs to: its customer id, else its email, else (with links) the first id it links to."""
    own = exprs.get("source_customer_id", "NULL")
    email = exprs.get("email", "NULL")
    linked = "coalesce(" + ", ".join(_link_value(c) for c in m.links) + ")"
    return f"coalesce({own}, CASE WHEN {email} IS NULL THEN 'link:' || {linked} END)"


def _link_rows(m: Mapping, exprs: dict[str, str], rows: str) -> str:
    """Identity rows (the 'customers' output feeds identity only): one per declared link of each row."""
    parts = []
    for column, target in m.links.items():
        value = _link_value(column)
        if target == ANY_SOURCE:
            link = f"NULL::VARCHAR AS linked_source, NULL::VARCHAR AS linked_source_id, {value} AS reference_id"
        else:
            link = f"{v.lit(target)} AS linked_source, {value} AS linked_source_id, NULL::VARCHAR AS reference_id"
        parts.append(
            f"SELECT {v.lit(m.source)} AS source, {exprs['source_customer_id']} AS source_customer_id, "
            f"{exprs.get('email', 'NULL::VARCHAR')} AS email, {link}, _source_row FROM {rows} WHERE {value} IS NOT NULL"
        )
    return " UNION ALL ".join(parts)


def mapping_adapter(m: Mapping) -> Adapter:
    """The Adapter a mapping describes (raw table '<source>_<table>', vendor object '<source>.<table>')."""
    table = TABLES[m.table]
    columns = {k: column_name(val) for k, val in m.columns.items() if m.is_column(k, val)}
    headers = [val for k, val in m.columns.items() if m.is_column(k, val)] + [
        c for c in m.links if c not in m.columns.values()
    ]
    key_col = table.key[0]

    def outputs(rows: str) -> dict[str, str]:
        exprs: dict[str, str] = {}
        for key, value in m.columns.items():
            exprs[IDENTITY_KEYS.get(key, key)] = (
                _parse(m, key, columns[key]) if key in columns else _literal_sql(m, key, value)
            )
        if key_col in columns:
            exprs[key_col] = f"{v.lit(m.source + ':')} || {v.text(columns[key_col])}"
        else:  # no id in the file: a hash of the row's values; identical money rows stay apart (#2, #3, ...)
            hashed = hashed_id(m.source + ":", *(v.text(c) for _, c in sorted(columns.items())))
            nth = f"row_number() OVER (PARTITION BY {hashed} ORDER BY _source_row)"
            keep = m.table in KEEP_REPEATS
            exprs[key_col] = f"{hashed} || CASE WHEN {nth} > 1 THEN '#' || {nth} ELSE '' END" if keep else hashed
        exprs["source"] = v.lit(m.source)
        out = {}
        if m.links:
            exprs["source_customer_id"] = _record_key(m, exprs)
            out["customers"] = _link_rows(m, exprs, rows)
        select = ", ".join(f"{expr} AS {name}" for name, expr in exprs.items())
        return {m.table: f"SELECT {select}, _source_row FROM {rows}", **out}

    checks = []
    for key, raw in columns.items():
        if key in IDENTITY_KEYS:
            continue
        col = table.column(key)
        kind = (
            "status"
            if (m.table, key) in ALLOWED_VALUES
            else "money"
            if col.type.startswith("DECIMAL")
            else "date"
            if col.type == "TIMESTAMP"
            else "number"
            if col.type == "INTEGER"
            else None
        )
        if kind:
            checks.append(Check(raw, kind, lambda c, k=key: _parse(m, k, c)))
    return Adapter(
        vendor=m.source,
        object=m.table,
        shape="export",
        signature=tuple(m.match.headers or headers),
        required=tuple(headers),
        key=(columns[key_col],) if key_col in columns else (),
        outputs=outputs,
        checks=tuple(checks),
        description=f"Mapping onto core.{m.table}" + (f" for files like {m.match.file}" if m.match.file else ""),
    )
