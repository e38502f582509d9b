"""The keys records are matched on: emails, phones, postal codes and names, in Python and in the same SQL.

>>> email_key("  Jane.Doe+news@GoogleMail.com ")
'janedoe@gmail.com'
"""

from __future__ import annotations

import hashlib

GMAIL_DOMAINS = ("gmail.com", "googlemail.com")
SPACES = " \t\n\v\f\r"  # what is trimmed around an email (same set in SQL)


def email_key(email: str | None) -> str | None:
    """The matching key of an email; None when empty."""
    if email is None:
        return None
    text = str(email).strip(SPACES).lower()
    if not text:
        return None
    local, at, domain = text.rpartition("@")
    if not at:
        return text
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def email_key_sql(expr: str) -> str:
    """SQL version of `email_key` (same results; tested against it)."""
    spaces = " || ".join(f"chr({ord(c)})" for c in SPACES)
    t = f"NULLIF(lower(trim(CAST({expr} AS VARCHAR), {spaces})), '')"
    local = f"split_part(regexp_extract({t}, '^([\\s\\S]*)@[^@]*$', 1), '+', 1)"
    domain = f"regexp_extract({t}, '@([^@]*)$', 1)"
    gmail = f"{domain} IN ('gmail.com', 'googlemail.com')"
    return (
        f"(CASE WHEN {t} IS NULL THEN NULL WHEN NOT contains({t}, '@') THEN {t} "
        f"WHEN {gmail} THEN replace({local}, '.', '') || '@gmail.com' "
        f"ELSE {local} || '@' || {domain} END)"
    )


def new_customer_id(anchor: str) -> str:
    """The customer id of the person whose smallest email key (or, without email, smallest 'source:id') is `anchor`."""
    return "cus_" + hashlib.sha256(anchor.encode()).hexdigest()[:16]


def phone_key_sql(expr: str) -> str:
    """The last 10 digits of a phone number ('+1 (555) 010-0100' -> '5550100100'); NULL under 7 digits."""
    digits = f"regexp_replace(CAST({expr} AS VARCHAR), '[^0-9]', '', 'g')"
    return f"(CASE WHEN length({digits}) >= 7 THEN right({digits}, 10) END)"


def zip_key_sql(expr: str) -> str:
    """A postal code upper case without spaces or dashes; a US ZIP+4 becomes its first five digits."""
    bare = f"upper(regexp_replace(CAST({expr} AS VARCHAR), '[^0-9A-Za-z]', '', 'g'))"
    return f"(CASE WHEN {bare} = '' THEN NULL WHEN regexp_full_match({bare}, '[0-9]{{9}}') THEN left({bare}, 5) ELSE {bare} END)"


def name_key_sql(expr: str) -> str:
    """A name for comparison only: lower case, accents and punctuation dropped, single spaces ('Zoë  O'Neil' -> 'zoe o neil')."""
    # lower again after: on a Postgres whose ctype leaves É as it is, the stripped E still becomes e
    spaced = f"regexp_replace(lower(strip_accents(lower(CAST({expr} AS VARCHAR)))), '[^a-z]+', ' ', 'g')"
    return f"NULLIF(trim({spaced}), '')"
