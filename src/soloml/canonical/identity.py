"""Identity resolution: one `core.customers` row per real person across every source.

Every load adds what it says about people to `core.identity_evidence` (record, email, names, phone, postal
code, and any other system's id the record carries). Records are the same person when they share a
normalised email (trimmed, lower-case, '+tag' removed, dots ignored for gmail.com/googlemail.com), when one
names the other's id (`linked_source`/`linked_source_id`, e.g. a HubSpot contact's 'Stripe Customer ID'),
when one carries a reference id equal to another source's id (`reference_id`, e.g. Square's 'Customer
Reference ID'), or when you accepted a suggestion (`soloml identities --accept`). A name alone never links
two records; name + phone or postal code is only suggested.

After each load the people the load touched are rebuilt from all the evidence (identity_graph.py), so the
result is a function of the data, not of the order files arrive in. A customer's id is 'cus_' + a hash of
the smallest email key among its records (or of its smallest 'source:source_id' when it has no email), so it
stays put as purchases and sources arrive; when records of two customers turn out to be one person, one id is
kept and the other is rewritten everywhere in core.*.

>>> email_key("  Jane.Doe+news@GoogleMail.com ")
'janedoe@gmail.com'
"""

from __future__ import annotations

from dataclasses import dataclass

from soloml.canonical.identity_graph import backfill_evidence, rebuild, record_evidence
from soloml.canonical.identity_keys import email_key, email_key_sql, new_customer_id
from soloml.warehouse.base import Connection

__all__ = ["LOOKUP", "IdentityResult", "email_key", "email_key_sql", "new_customer_id", "resolve"]

LOOKUP = "_soloml_identity_lookup"  # (source, source_key, customer_id) for the current load
# the hint columns a records relation may have beyond the required ones (missing ones are NULL)
OPTIONAL_HINTS = ("customer_phone", "customer_zip", "reference_id", "kind")


@dataclass(frozen=True)
class IdentityResult:
    customers_written: int
    identities_written: int
    merged: tuple[tuple[str, str], ...]  # (merged-away id, kept id)
    written: tuple[str, ...] = ()  # the customer ids whose core.customers row was (re)written


def resolve(con: Connection, records: str, *, load_id: str) -> IdentityResult:
    """Resolve `records` to customers and leave `_soloml_identity_lookup(source, source_key, customer_id)` for the
    caller to join on.

    `records` has source, source_customer_id, email, customer_name, customer_country, linked_source,
    linked_source_id, seen_at, and optionally customer_phone, customer_zip, reference_id and kind (the core table
    the hint came with: 'contacts', 'customers', 'payments'...; default 'payments'). source_key =
    source_customer_id, or the email key when the record has no id."""
    present = {d[0] for d in con.execute(f"SELECT * FROM {records} LIMIT 0").description}
    extra = ", ".join(f"NULL::VARCHAR AS {c}" for c in OPTIONAL_HINTS if c not in present)
    relation = f"(SELECT *{', ' + extra if extra else ''} FROM {records})"
    backfill_evidence(con, load_id=load_id)
    record_evidence(con, relation, load_id=load_id)
    try:
        outcome = rebuild(con, "_soloml_id_seeds", load_id=load_id)
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {LOOKUP} AS
            SELECT s.source, s.source_id AS source_key, x.customer_id
            FROM _soloml_id_seeds s JOIN core.customer_identities x USING (source, source_id)
        """)
    finally:
        con.execute("DROP TABLE IF EXISTS _soloml_id_seeds")
    return IdentityResult(len(outcome.written), outcome.identities_written, outcome.merged, outcome.written)
