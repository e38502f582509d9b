"""The guessing behind a mapping draft: which canonical table a file fills and which column plays which role.

Every file column is profiled (canonical/column_profile.py) and scored against each canonical column by the
shape of its values and by its name; the best assignment wins, each with its reason and how sure it is.
canonical/mapping_draft.py turns the guesses into a draft, canonical/mapping_yaml.py writes it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from soloml.canonical.column_profile import ColumnProfile
from soloml.canonical.schema import ALLOWED_VALUES, MAPPABLE_TABLES, TABLES
from soloml.canonical.table_types import Column

# Tables a mapping may fill; customers and the identity crosswalk are built by identity resolution.
AUTOMATIC = {"source", "customer_id", "valid_from", "valid_to", "is_current", "_load_id"}

# Words in a column name that point at a canonical column (matched against the header's words).
NAME_HINTS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "mail"),
    "amount": ("amount", "total", "sum", "value", "paid", "price", "gross"),
    "total": ("total", "amount", "sum", "gross", "paid"),
    "subtotal": ("subtotal", "net"),
    "discount": ("discount", "coupon"),
    "shipping": ("shipping", "delivery", "postage"),
    "tax": ("tax", "vat", "gst"),
    "amount_refunded": ("refunded", "refund"),
    "currency": ("currency", "ccy", "cur"),
    "status": ("status", "result", "state", "outcome"),
    "kind": ("kind", "type"),
    "event_type": ("action", "event", "type", "activity"),
    "stage": ("stage", "status", "phase"),
    "lifecycle_stage": ("lifecycle", "stage"),
    "lead_status": ("lead", "status"),
    "lead_source": ("source", "origin", "channel"),
    "paid_at": ("date", "time", "when", "paid", "created", "timestamp", "at"),
    "ordered_at": ("date", "time", "when", "ordered", "created", "placed", "at"),
    "occurred_at": ("date", "time", "when", "timestamp", "occurred", "at"),
    "created_at": ("created", "date", "since", "signup", "signed", "joined", "registered"),
    "started_at": ("start", "started", "created", "since"),
    "canceled_at": ("canceled", "cancelled", "cancel"),
    "ended_at": ("ended", "end"),
    "closed_at": ("close", "closed"),
    "stage_changed_at": ("changed", "updated", "modified"),
    "became_customer_at": ("customer", "converted"),
    "name": ("name", "customer", "title"),
    "company": ("company", "account", "organisation", "organization", "business"),
    "campaign": ("campaign", "newsletter", "subject", "email name"),
    "plan": ("plan", "product", "tier", "price"),
    "product": ("product", "item", "name", "description"),
    "sku": ("sku", "code", "article"),
    "quantity": ("quantity", "qty", "units", "count"),
    "unit_price": ("price", "unit"),
    "line_total": ("total", "line"),
    "item_count": ("items", "count", "quantity", "qty"),
    "discount_code": ("code", "coupon", "promo"),
    "description": ("description", "memo", "note", "details"),
    "mrr": ("mrr", "monthly", "amount", "price"),
    "billing_interval": ("interval", "billing", "period", "frequency"),
    "pipeline": ("pipeline",),
    "is_closed": ("closed",),
    "won": ("won", "win"),
}
ID_WORDS = ("id", "#", "no", "number", "ref", "reference", "txn", "transaction", "key", "code")
# Words naming the person a row belongs to: such a column is the customer's id, never the row's own id.
CUSTOMER_WORDS = ("customer", "client", "cust", "buyer", "member", "user", "account", "patron", "shopper")
CUSTOMER_KEY = Column("customer_id", "VARCHAR", "The file's own id for the customer (identity resolution links it).")
TABLE_WORDS: dict[str, tuple[str, ...]] = {
    "payments": ("payment", "payments", "charge", "charges", "transaction", "transactions", "txn", "pos", "sales"),
    "orders": ("order", "orders", "sale", "sales", "purchase", "purchases", "shop"),
    "order_items": ("item", "items", "line", "lines"),
    "subscriptions": ("subscription", "subscriptions", "plan", "plans", "membership", "members"),
    "contacts": ("contact", "contacts", "lead", "leads", "crm", "people", "signup", "signups"),
    "deals": ("deal", "deals", "opportunity", "opportunities", "pipeline"),
    "marketing_events": ("campaign", "email", "newsletter", "activity", "events", "mail"),
}
# Source words that commonly mean a canonical value (lower-case, punctuation stripped).
VALUE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "succeeded": (
        "ok",
        "paid",
        "success",
        "successful",
        "approved",
        "complete",
        "completed",
        "captured",
        "settled",
        "succeeded",
    ),
    "failed": ("failed", "declined", "error", "denied", "rejected", "fail", "failure"),
    "pending": ("pending", "processing", "authorized", "open", "waiting"),
    "refunded": ("refunded", "refund", "returned", "reversed"),
    "partially_refunded": ("partially refunded", "partial refund", "partially_refunded"),
    "paid": ("paid", "complete", "completed", "ok", "fulfilled"),
    "voided": ("void", "voided"),
    "canceled": ("canceled", "cancelled", "cancel"),
    "active": ("active", "live", "current"),
    "trialing": ("trial", "trialing", "in trial"),
    "past_due": ("past due", "overdue", "late"),
    "sent": ("sent", "delivered", "send"),
    "open": ("open", "opened", "view", "viewed"),
    "click": ("click", "clicked"),
    "bounce": ("bounce", "bounced", "hard bounce", "soft bounce"),
    "unsubscribe": ("unsubscribe", "unsubscribed", "opt out", "optout"),
    "charge": ("charge", "sale", "payment"),
    "refund": ("refund", "return"),
    "month": ("month", "monthly", "mo"),
    "year": ("year", "yearly", "annual", "annually", "yr"),
    "week": ("week", "weekly"),
    "day": ("day", "daily"),
}


@dataclass(frozen=True)
class Guess:
    """One canonical column's assignment: a source column or a literal, with why and how sure."""

    column: str
    source: str | None
    literal: str | None
    reason: str
    confidence: str  # 'high' | 'medium' | 'low'


def _words(header: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", header)
    words = {w for w in re.split(r"[^0-9a-zA-Z#]+", spaced.lower()) if w}
    if "#" in header:
        words.add("#")
    return words


def _name_score(header: str, column: str) -> float:
    words = _words(header)
    canonical_words = set(column.split("_"))
    if header.strip().lower().replace(" ", "_") == column:
        return 1.0
    hints = NAME_HINTS.get(column, ())
    hits = [h for h in hints if (h in words if " " not in h else h in header.lower())]
    if hits:
        return max(0.95 - 0.1 * hints.index(hits[0]), 0.5)
    if column.endswith("_id") and words & set(ID_WORDS) and (canonical_words - {"id"}) & words:
        return 0.9
    if column.endswith("_id") and words & set(ID_WORDS):
        return 0.55
    if canonical_words & words:
        return 0.4
    # abbreviations: 'Tot' for total, 'Disc' for discount, 'Qty' handled above
    short = [w for w in words if len(w) >= 3 and not w.isdigit()]
    if hints and any(h.startswith(w) for w in short for h in hints[:1]):
        return 0.6
    if any(c.startswith(w) for w in short for c in canonical_words):
        return 0.5
    return 0.0


def _role(table: str, col: Column) -> str:
    if col is CUSTOMER_KEY:
        return "customer"
    if col.name == f"{table.rstrip('s')}_id" or col.name == TABLES[table].key[0]:
        return "key"
    if col.name == "email":
        return "email"
    if col.name == "currency":
        return "currency"
    if (table, col.name) in ALLOWED_VALUES:
        return "enumerated"
    if col.name in ("stage", "lead_status", "lead_source", "pipeline"):
        return "category"
    if col.type.startswith("DECIMAL"):
        return "money"
    if col.type == "TIMESTAMP":
        return "timestamp"
    if col.type == "BOOLEAN":
        return "boolean"
    if col.type == "INTEGER":
        return "integer"
    if col.name.endswith("_id"):
        return "ref"
    return "text"


def _value_score(role: str, p: ColumnProfile, fit: float | None = None) -> tuple[float, str]:
    """How well the column's values fit a role (0..1), and a plain reason."""
    if p.filled == 0:
        return 0.0, "column is empty in the sample"
    pct = lambda x: f"{x:.0%}"  # noqa: E731
    if role == "email":
        return p.email, f"{pct(p.email)} of values look like emails (contain @)"
    if role == "money":
        if p.money < 0.9 or p.timestamp > 0.5:
            return 0.0, "values are not amounts"
        strength = max(p.money_symbols, p.two_decimals)
        score = 0.6 + 0.4 * strength if strength > 0.5 else (0.45 if p.integer < 0.9 else 0.3)
        why = (
            "carry a currency symbol"
            if p.money_symbols > 0.5
            else ("have two decimals" if p.two_decimals > 0.5 else "are numbers")
        )
        return score, f"{pct(p.money)} of values are amounts ({why})"
    if role == "timestamp":
        return p.timestamp, f"{pct(p.timestamp)} of values parse as dates with {p.timestamp_format}"
    if role == "key":
        if p.unique and p.email < 0.5 and p.timestamp < 0.5 and p.money_symbols < 0.5:
            return 0.9, f"every one of {p.filled} values is unique"
        return 0.0, "values repeat, so it cannot identify a row"
    if role in ("ref", "customer"):
        ok = p.email < 0.5 and p.timestamp < 0.5 and p.money_symbols < 0.5
        return (0.5 if ok else 0.0), "values look like ids"
    if role == "currency":
        return p.currency_code, f"{pct(p.currency_code)} of values are ISO currency codes"
    if role == "category":
        few = p.distinct <= max(12, 0.05 * p.filled) and p.distinct < p.filled
        looks = p.money < 0.5 and p.timestamp < 0.5 and p.email < 0.1
        return (0.7 if few and looks else 0.0), f"only {p.distinct} distinct values ({', '.join(p.top_values[:5])})"
    if role == "enumerated":  # a column with a fixed set of canonical values: judge by how many values map
        few = p.distinct <= max(12, 0.05 * p.filled)
        if not few or fit is None or fit < 0.5:
            return 0.0, "values do not match the allowed ones"
        return (
            0.5 + 0.5 * fit,
            f"{fit:.0%} of its {p.distinct} distinct values ({', '.join(p.top_values[:5])}) map to allowed values",
        )
    if role == "boolean":
        return (p.boolean, f"{pct(p.boolean)} of values are yes/no") if p.distinct <= 2 else (0.0, "not yes/no")
    if role == "integer":
        return p.integer * 0.8, f"{pct(p.integer)} of values are whole numbers"
    # free text: anything that is not obviously another role
    plain = p.email < 0.5 and p.money < 0.5 and p.timestamp < 0.5
    return (0.4 if plain else 0.0), "free text"


def _confidence(score: float) -> str:
    return "high" if score >= 0.75 else "medium" if score >= 0.55 else "low"


def assign_columns(table: str, profiles: list[ColumnProfile]) -> tuple[list[Guess], float]:
    """Greedy best-pair assignment of source columns to canonical columns; returns guesses and a fit (0..1)."""
    t = TABLES[table]
    targets = [c for c in t.columns if c.name not in AUTOMATIC] + [CUSTOMER_KEY]
    pairs = []
    for col in targets:
        role = _role(table, col)
        for p in profiles:
            words = _words(p.header)
            names_customer = bool(words & set(CUSTOMER_WORDS))
            customer_key = names_customer and bool(words & set(ID_WORDS))
            if role == "customer" and (not names_customer or table == "contacts"):
                continue  # a contact's own id is the person's id
            if role != "customer" and customer_key and not (table == "contacts" and role == "key"):
                continue  # 'customer_id' is the customer's id, never the row's own id nor an amount
            fit = _value_fit(table, col.name, p) if role == "enumerated" else None
            value, why = _value_score(role, p, fit)
            name = named = _name_score(p.header, col.name)
            if fit:  # values in the canonical vocabulary say as much as a fitting name
                name = max(name, 0.8 * fit)
            if role == "customer":
                name = 0.95 if _words(p.header) & set(ID_WORDS) else 0.7
            if value <= 0 or (role in ("text", "ref", "integer", "boolean", "category") and name == 0):
                continue
            score = 0.55 * value + 0.45 * name
            if role == "key" and name == 0:
                score *= 0.8
            reason = f"{why}; the name '{p.header}' " + ("fits" if named >= 0.5 else "says little")
            pairs.append((score, col.name, p.header, reason))
    pairs.sort(key=lambda x: -x[0])
    used_cols: set[str] = set()
    used_src: set[str] = set()
    guesses: dict[str, Guess] = {}
    scores: dict[str, float] = {}
    for score, colname, header, reason in pairs:
        if colname in used_cols or header in used_src or score < 0.35:
            continue
        used_cols.add(colname)
        used_src.add(header)
        guesses[colname] = Guess(colname, header, None, reason, _confidence(score))
        scores[colname] = score
    by_header = {p.header: p for p in profiles}
    required = [c.name for c in targets if c.required]
    literal_ok = {"currency": 0.7, "kind": 0.7, "status": 0.4 if table == "payments" else 0.0}
    covered = sum(scores.get(r, literal_ok.get(r, 0.0) if r != t.key[0] else 0.5) for r in required) / max(
        len(required), 1
    )
    filled = [p for p in profiles if p.filled]
    explained = sum(scores.values()) / max(len(filled), 1)
    value_fits = [
        _value_fit(table, g.column, by_header[g.source])
        for g in guesses.values()
        if (table, g.column) in ALLOWED_VALUES
    ]
    value_fit = sum(value_fits) / len(value_fits) if value_fits else 0.5
    fit = 0.5 * covered + 0.3 * min(explained, 1.0) + 0.2 * value_fit
    order = [c.name for c in targets]
    return sorted(guesses.values(), key=lambda g: order.index(g.column)), fit


def _value_fit(table: str, column: str, p: ColumnProfile) -> float:
    mapped = value_map(table, column, p)
    return sum(1 for v in mapped.values() if v != "?") / max(len(mapped), 1)


def choose_table(name: str, profiles: list[ColumnProfile]) -> tuple[str, str]:
    words = _words(name.replace("_", " "))
    scored = []
    for table in MAPPABLE_TABLES:
        _, fit = assign_columns(table, profiles)
        bonus = 0.15 if words & set(TABLE_WORDS[table]) else 0.0
        if table == "marketing_events":
            bonus += 0.3 * max((_event_overlap(p) for p in profiles), default=0.0)
        scored.append((fit + bonus, table, bonus))
    scored.sort(key=lambda x: -x[0])
    total, table, bonus = scored[0]
    reason = f"its columns fit best (score {total:.2f}; next best: {scored[1][1]} {scored[1][0]:.2f})"
    if bonus:
        reason += "; the file name or values point at it"
    if total < 0.5:
        reason += "; a weak fit: pass --table if it is another table"
    return table, reason


def _event_overlap(p: ColumnProfile) -> float:
    known = {s for v in ("sent", "open", "click", "bounce", "unsubscribe") for s in VALUE_SYNONYMS[v]}
    if not p.top_values:
        return 0.0
    return sum(1 for v in p.top_values if v.lower() in known) / len(p.top_values)


def value_map(table: str, column: str, p: ColumnProfile) -> dict[str, str]:
    allowed = ALLOWED_VALUES.get((table, column))
    if not allowed:
        return {}
    out = {}
    for raw in p.top_values:
        key = re.sub(r"[^a-z ]+", " ", raw.lower()).strip()
        key = re.sub(r"\s+", " ", key)
        match = next((canon for canon in allowed if key == canon or key in VALUE_SYNONYMS.get(canon, ())), None)
        out[raw] = match or "?"
    return out
