"""Identity resolution's own core.* tables: the evidence every load brought, and the links you decided on.

Beside the business tables of canonical/schema.py; `create_core_tables` creates both.
"""

from __future__ import annotations

from soloml.canonical.table_types import Column, Table

# Identity resolution's own tables: what every load said about who is who, and the links you decided on.
IDENTITY_EVIDENCE = Table(
    "identity_evidence",
    "Every identity fact any load brought: one row per distinct (record, email, link, name, phone, zip, country). "
    "Customers are rebuilt from it, so they depend on the data, never on the order files arrived in.",
    (
        Column("hint_id", "VARCHAR", "Hash of the fact's fields (its key).", required=True),
        Column("source", "VARCHAR", "Vendor of the record.", required=True),
        Column(
            "source_id",
            "VARCHAR",
            "The record: the vendor's customer id, or the email key when it has none.",
            required=True,
        ),
        Column("email", "VARCHAR", "Email as given (trimmed, lower-case)."),
        Column("email_key", "VARCHAR", "The matching key of the email ('+tag' removed, gmail dots ignored)."),
        Column(
            "link_source", "VARCHAR", "The source whose id the record carries ('*' = a reference id of any source)."
        ),
        Column("link_id", "VARCHAR", "That id."),
        Column("name", "VARCHAR", "Name given with the record."),
        Column(
            "kind",
            "VARCHAR",
            "The core table the fact came with ('customers' for a customer record, 'payments', "
            "'orders', 'contacts', ...): it ranks names (a CRM contact's over a card's).",
        ),
        Column("phone", "VARCHAR", "Phone digits (last 10), for suggestions only."),
        Column("zip", "VARCHAR", "Postal code (upper case, no spaces), for suggestions only."),
        Column("country", "VARCHAR", "Country given with the record."),
        Column("first_seen", "TIMESTAMP", "Earliest time the data shows this fact (UTC)."),
        Column("last_seen", "TIMESTAMP", "Latest time the data shows this fact (UTC)."),
    ),
    key=("hint_id",),
)
IDENTITY_DECISIONS = Table(
    "identity_decisions",
    "Suggested links (same name and phone or postal code) you accepted or rejected with `soloml identities`.",
    (
        Column("suggestion_id", "VARCHAR", "The suggestion's id as `soloml identities` lists it.", required=True),
        Column("source_a", "VARCHAR", "One record's source.", required=True),
        Column("source_id_a", "VARCHAR", "... and id.", required=True),
        Column("source_b", "VARCHAR", "The other record's source.", required=True),
        Column("source_id_b", "VARCHAR", "... and id.", required=True),
        Column("decision", "VARCHAR", "'accepted' (one person) or 'rejected' (two people).", required=True),
        Column("reason", "VARCHAR", "Why it was suggested."),
        Column("decided_at", "TIMESTAMP", "When (UTC).", required=True),
    ),
    key=("suggestion_id",),
)
IDENTITY_TABLES: dict[str, Table] = {t.name: t for t in (IDENTITY_EVIDENCE, IDENTITY_DECISIONS)}
