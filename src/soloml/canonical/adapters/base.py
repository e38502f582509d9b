"""What a vendor adapter is: a small, declarative description plus SQL that maps one load onto core.*.

An adapter never touches the database itself. The framework (canonical/ingest.py) gives it the name
of a relation holding only this load's rows, with every column as VARCHAR text (timestamps with an
offset arrive as 'YYYY-MM-DD HH:MM:SS[.ffffff] +0000', nested JSON values as JSON text), and runs the
SELECTs the adapter returns. Then it quarantines rows with unparseable money/dates (`checks`), drops and
counts test-mode rows (`exclude`), resolves `customer_id` (identity.py) and upserts core.* by each table's
key (history.py keeps versions for history tables).

Each SELECT produces, by name (any subset; missing canonical columns are NULL):
- canonical columns of the target table, except `customer_id`, `_load_id` and the history columns,
  which the framework fills;
- `_source_row`: the raw row number; when several rows give the same key, the last one wins;
- identity hints: `source_customer_id` (the vendor's own customer id), `email` (any case/spacing),
  `customer_name`, `customer_country`, `customer_phone` / `customer_zip` (only ever suggest a link), and
  `linked_source` / `linked_source_id` when the record carries another system's id for the same person (e.g. a
  HubSpot contact's `Stripe Customer ID`: linked_source='stripe', linked_source_id='cus_123'), or
  `reference_id` when it carries an id of a system it does not name (Square's 'Customer Reference ID');
- history tables may add `_changed_at` (when the record last changed, if the vendor says) and subscriptions
  `_trial_end` (so a first load can rebuild the trial that came before the current status).
The rows relation has `_current` = false for rows pulled in from earlier loads to complete a `group`.
Columns a vendor sometimes names differently are listed in `aliases` ({'Created (UTC)': ('Created date (UTC)',)});
the SELECTs always see the signature name. SELECTs may only use signature columns (missing ones are NULL).
A SELECT for 'customers' feeds identity only (one row per vendor customer: `source_customer_id`, `email`,
`name`, `country`, `phone`, `zip`, `created_at`, and any link columns).
Exports that write local times without an offset (CRM exports) set `local_times` and parse with
`values.crm_ts`, which reads them in the workspace's CRM time zone. `lookups` names raw tables an output
may LEFT JOIN when they are loaded (as `_soloml_lookup_<name>`, empty otherwise); `after` gives statements run
once this load's rows are in core (e.g. relabelling deals when their pipeline stages arrive).

Example (a minimal payments export with columns id, amount, currency, created):

    from soloml.canonical.adapters.base import Adapter, Check
    from soloml.canonical.adapters import values as v

    def _outputs(rows: str) -> dict[str, str]:
        return {"payments": f'''
            SELECT 'acme:' || id AS payment_id, 'acme' AS source, 'charge' AS kind, 'succeeded' AS status,
                   {v.money("amount")} AS amount, {v.currency("currency")} AS currency,
                   {v.ts("created")} AS paid_at, _source_row
            FROM {rows}'''}

    ACME_PAYMENTS = Adapter(
        vendor="acme", object="payments", shape="export",
        signature=("id", "Amount", "Currency", "Created"), required=("id", "Amount", "Created"),
        key=("id",), outputs=_outputs,
        checks=(Check("amount", "money", v.money), Check("created", "date", v.ts)),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from soloml.warehouse.names import column_name

Shape = Literal["export", "synced", "api"]
CheckKind = Literal["money", "date", "number", "status", "zone", "value"]

# Columns an output SELECT may add beside the canonical ones.
IDENTITY_COLUMNS = (
    "source_customer_id",
    "email",
    "customer_name",
    "customer_country",
    "customer_phone",
    "customer_zip",
    "linked_source",
    "linked_source_id",
    "reference_id",
)
CONTROL_COLUMNS = ("_source_row", "_changed_at", "_trial_end")


@dataclass(frozen=True)
class Check:
    """A raw column whose non-empty values must parse; rows that do not are quarantined, not nulled.

    `parse` builds the SQL expression that parses the column (the same helper the SELECT uses), so a
    value that would become NULL in core is caught here with the column and value named.
    """

    column: str  # raw snake_case column
    kind: CheckKind
    parse: Callable[[str], str]


@dataclass(frozen=True)
class Adapter:
    """One vendor object in one shape, e.g. Stripe payments as the dashboard exports them."""

    vendor: str  # 'stripe'
    object: str  # 'payments'
    shape: Shape  # 'export' | 'synced' | 'api'
    signature: tuple[str, ...]  # headers that identify it (original spelling; compared snake_cased)
    required: tuple[str, ...]  # headers that must be present (missing -> AdapterError listing them)
    key: tuple[str, ...]  # raw snake_case primary key for upserts into raw.*; () = append
    outputs: Callable[[str], dict[str, str]]  # rows relation -> {core table: SELECT}
    checks: tuple[Check, ...] = ()
    exclude: str | None = None  # SQL predicate over the rows: test-mode rows to drop and count
    accepts: Callable[[pd.DataFrame], bool] | None = None  # value test when headers alone are ambiguous
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # header -> other spellings vendors use
    group: tuple[str, ...] = ()  # raw columns tying rows together (an order's lines): rows of a group seen in
    #                              this load are mapped together with the group's rows from earlier loads
    description: str = ""
    local_times: bool = False  # times without an offset are in the CRM's zone (settings crm.timezone), not UTC
    lookups: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # name -> (raw table, its columns)
    after: Callable[[str], tuple[str, ...]] | None = None  # rows relation -> SQL run after core is written

    @property
    def name(self) -> str:
        """The raw table name: 'stripe_payments'."""
        return f"{self.vendor}_{self.object}"

    @property
    def vendor_object(self) -> str:
        """What `--as` takes: 'stripe.payments'."""
        return f"{self.vendor}.{self.object}"

    @property
    def signature_columns(self) -> frozenset[str]:
        return frozenset(column_name(h) for h in self.signature)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(column_name(h) for h in self.required)

    def renames(self, columns: set[str] | frozenset[str]) -> dict[str, str]:
        """{signature column: the alias column the file has instead}, for signature columns given under another name."""
        found = {}
        for header, others in self.aliases.items():
            name = column_name(header)
            if name not in columns:
                for other in others:
                    if column_name(other) in columns:
                        found[name] = column_name(other)
                        break
        return found

    def known(self, columns: set[str] | frozenset[str]) -> set[str]:
        """`columns` with aliases read as the signature names they stand for."""
        return set(columns) | set(self.renames(columns))

    def missing(self, columns: set[str] | frozenset[str]) -> list[str]:
        """The required headers (original spelling) absent from `columns` (snake_case), aliases allowed."""
        have = self.known(columns)
        return [h for h in self.required if column_name(h) not in have]
