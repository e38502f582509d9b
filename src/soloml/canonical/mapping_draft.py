"""Guess a mapping for a file soloml does not recognise: which column plays which canonical role.

`soloml map pos_export.csv` reads a sample of the file, profiles every column (do values look
like emails, money, timestamps, unique ids, a handful of statuses?), scores each column against
each canonical column by those value shapes and by its name, and writes a draft
`mappings/<stem>.yaml` with one comment per guess saying why and how sure, for the person to
confirm and edit. Nothing here writes to the warehouse. The guessing is in canonical/mapping_guess.py,
the YAML writing in canonical/mapping_yaml.py; this module turns the guesses into a draft and writes the file.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"Txn #": ["A1", "A2"], "E-mail": ["a@x.com", "b@y.org"],
    ...                       "Total": ["$5.00", "$7.50"], "When": ["2024-01-15 10:00", "2024-01-16 11:30"]})
    >>> draft = draft_mapping(frame, name="pos")
    >>> draft.table, draft.columns["amount"], draft.formats["paid_at"]
    ('payments', 'Total', '%Y-%m-%d %H:%M')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from soloml.canonical.column_profile import day_month_ambiguous, profile_column, read_sample
from soloml.canonical.mapping_guess import AUTOMATIC, CUSTOMER_KEY, Guess, assign_columns, choose_table, value_map
from soloml.canonical.mapping_yaml import render_yaml
from soloml.canonical.schema import ALLOWED_VALUES, MAPPABLE_TABLES, TABLES
from soloml.errors import AdapterError, ConfigError, did_you_mean


@dataclass(frozen=True)
class MappingDraft:
    name: str
    table: str
    table_reason: str
    guesses: tuple[Guess, ...]
    formats: dict[str, str]
    values: dict[str, dict[str, str]]
    match_headers: tuple[str, ...]
    unused: tuple[str, ...]
    missing: tuple[str, ...]
    yaml_text: str
    path: Path | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def columns(self) -> dict[str, str]:
        return {g.column: (g.source if g.source is not None else g.literal or "") for g in self.guesses}

    def to_facts(self) -> dict[str, Any]:
        """The draft as `soloml map --json` prints it: every guess with where it came from, why and how sure."""
        return {
            "mapping": str(self.path) if self.path else None,
            "table": self.table,
            "table_reason": self.table_reason,
            "source": self.name,
            "columns": [
                {
                    "column": g.column,
                    "from": g.source,
                    "literal": g.literal,
                    "confidence": g.confidence,
                    "reason": g.reason,
                }
                for g in self.guesses
            ],
            "formats": self.formats,
            "values": self.values,
            "missing_required": list(self.missing),
            "unused_file_columns": list(self.unused),
            "notes": list(self.notes),
        }


def draft_mapping(
    frame: pd.DataFrame,
    *,
    name: str,
    table: str | None = None,
    default_currency: str = "USD",
    file_pattern: str | None = None,
) -> MappingDraft:
    """Guess a mapping of `frame` (values as strings) onto a canonical table; `table` forces the table."""
    profiles = [profile_column(str(h), frame[h]) for h in frame.columns]
    if table is None:
        table, table_reason = choose_table(name, profiles)
    else:
        short = table.removeprefix("core.")
        if short not in MAPPABLE_TABLES:
            raise AdapterError(
                f"A mapping cannot fill canonical table '{table}'.{did_you_mean(short, MAPPABLE_TABLES)}",
                hint=f"Choose one of: {', '.join(MAPPABLE_TABLES)} (customers are built from these by identity resolution).",
            )
        table, table_reason = short, "chosen with --table"
    guesses, _ = assign_columns(table, profiles)
    by_header = {p.header: p for p in profiles}
    notes: list[str] = []
    formats = {
        g.column: by_header[g.source].timestamp_format
        for g in guesses
        if g.source and TABLES[table].column(g.column).type == "TIMESTAMP" and by_header[g.source].timestamp_format
    }
    for g in guesses:
        if g.column in formats and day_month_ambiguous(frame[g.source], formats[g.column]):
            notes.append(
                f"{g.column}: every date fits both day-first and month-first; guessed {formats[g.column]}. "
                "Check it against a date you know."
            )
    values = {}
    for g in guesses:
        if g.source and (table, g.column) in ALLOWED_VALUES:
            values[g.column] = value_map(table, g.column, by_header[g.source])
    guessed = {g.column for g in guesses}
    literals = []
    t = TABLES[table]
    if "currency" in t.column_names and "currency" not in guessed:
        literals.append(
            Guess(
                "currency",
                None,
                default_currency,
                "no column holds currency codes; the workspace currency is used",
                "medium",
            )
        )
    if table == "payments" and "kind" not in guessed:
        literals.append(
            Guess("kind", None, "charge", "no column says charge or refund; every row is taken as a charge", "medium")
        )
    if table == "payments" and "status" not in guessed:
        literals.append(
            Guess("status", None, "succeeded", "no status column; every row is taken as a succeeded payment", "low")
        )
    if table == "orders" and "status" not in guessed:
        literals.append(Guess("status", None, "paid", "no status column; every row is taken as a paid order", "low"))
    guesses = guesses + literals
    guessed |= {g.column for g in literals}
    key = t.key[0]
    if key not in guessed:
        kept = (
            "identical rows stay separate rows"
            if table in ("payments", "orders", "order_items")
            else "identical rows collapse"
        )
        notes.append(
            f"{key}: no column is unique, so soloml will make an id by hashing each row's mapped values ({kept})."
        )
    if (
        table != "contacts"
        and "customer_id" in t.column_names
        and CUSTOMER_KEY.name not in guessed
        and "email" not in guessed
    ):
        notes.append(
            "customer_id: no column names the customer (an id or an email), so these rows will reach "
            f"core.{table} without a customer and customer recipes will not see them. Add `customer_id:` "
            "(the file's customer column) or `email:` if the file has one."
        )
    missing = tuple(
        c.name for c in t.columns if c.required and c.name not in guessed and c.name not in AUTOMATIC and c.name != key
    )
    used = {g.source for g in guesses if g.source}
    unused = tuple(p.header for p in profiles if p.header not in used)
    headers = tuple(str(h) for h in frame.columns)
    draft = MappingDraft(
        name=name,
        table=table,
        table_reason=table_reason,
        guesses=tuple(guesses),
        formats=formats,
        values=values,
        match_headers=headers,
        unused=unused,
        missing=missing,
        yaml_text="",
        notes=tuple(notes),
    )
    return replace(draft, yaml_text=render_yaml(draft, file_pattern))


def write_draft(
    file: Path, mappings_dir: Path, *, table: str | None = None, default_currency: str = "USD", force: bool = False
) -> MappingDraft:
    """Draft a mapping for `file` and write it to `mappings_dir/<stem>.yaml` (never over an edited one unless `force`)."""
    from soloml.warehouse.names import table_name

    file = Path(file)
    name = table_name(re.sub(r"[\W_]*\d[\d\W_]*$", "", file.stem) or file.stem)
    target = Path(mappings_dir) / f"{name}.yaml"
    if target.exists() and not force:
        raise AdapterError(
            f"{target} already exists; it may hold your edits.",
            hint="Pass --force to overwrite it, or edit it directly.",
        )
    frame = read_sample(file)
    if not force:
        _refuse_known_vendor_file(file, frame, mappings_dir)
    pattern = re.sub(r"\d+", "*", file.name) if re.search(r"\d", file.name) else file.name
    draft = draft_mapping(frame, name=name, table=table, default_currency=default_currency, file_pattern=pattern)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(draft.yaml_text, encoding="utf-8")
    return replace(draft, path=target)


def _refuse_known_vendor_file(file: Path, frame: pd.DataFrame, mappings_dir: Path) -> None:
    """A file soloml (or one of this workspace's mappings) already recognises needs no mapping; say so instead."""
    from soloml.canonical.adapters.adapter_catalog import BUILT_IN, AdapterCatalog
    from soloml.canonical.ingest import detect

    try:
        catalog = AdapterCatalog.from_folder(mappings_dir)
    except ConfigError:  # another mapping there is broken: its own load says so; drafting this one is still useful
        catalog = BUILT_IN
    try:
        found = detect([str(c) for c in frame.columns], frame, None, catalog=catalog)
    except AdapterError:  # looks like a vendor file with columns missing: a mapping may well be the answer
        return
    if found is not None and found.vendor_object:
        raise AdapterError(
            f"{file.name} is already recognised as {found.vendor_object} ({found.reason}); `soloml load` maps it without a mapping.",
            hint="Pass --force to draft a mapping anyway.",
        )
