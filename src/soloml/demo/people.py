"""Who buys from Bluebird Coffee: names, emails per tool, where they live, and their hidden traits.

The hidden traits drive the planted churn structure (see simulate.py): how much a person reads the
newsletter (`engagement`), whether they only ever buy with a discount code, and whether their card
tends to fail. Email identities are messy on purpose: most people use one address everywhere, but
some use a gmail dot variant or a +tag in one tool, and some a different (work) address in Stripe,
which only HubSpot's `Stripe Customer ID` property links back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from soloml.demo.text import DIGITS, choice, random_codes, random_ids

FIRST = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Benjamin",
    "Harper",
    "Henry",
    "Evelyn",
    "Theodore",
    "Abigail",
    "Jack",
    "Emily",
    "Owen",
    "Ella",
    "Samuel",
    "Grace",
    "Daniel",
    "Chloe",
    "Wyatt",
    "Nora",
    "Leo",
    "Zoe",
    "Julian",
    "Lily",
    "David",
    "Hannah",
    "Maya",
    "Ethan",
    "Aria",
    "Caleb",
    "Ruby",
    "Isaac",
    "Layla",
    "Aaron",
    "Naomi",
    "Priya",
    "Wei",
    "Fatima",
    "Diego",
    "Sofia",
    "Kenji",
    "Aisha",
    "Marcus",
    "Elena",
    "Omar",
    "Claire",
    "Rosa",
    "Tyler",
    "Megan",
    "Sean",
)
LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Chen",
    "Patel",
    "Kim",
    "Murphy",
    "O'Brien",
    "Sullivan",
    "Kowalski",
    "Novak",
    "Fischer",
    "Okafor",
)
PERSONAL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "aol.com",
    "comcast.net",
    "proton.me",
)
PERSONAL_WEIGHTS = [0.42, 0.14, 0.1, 0.08, 0.12, 0.04, 0.06, 0.04]
WORK_DOMAINS = (
    "northwindlaw.com",
    "acmedental.com",
    "brightpath.io",
    "harborcpa.com",
    "mapleclinic.org",
    "kestrel.dev",
    "fieldstone.edu",
)
# (city, zip) in New England and New York: several zips start with 0, which a naive loader turns into numbers
PLACES = (
    ("Boston", "02134"),
    ("Cambridge", "02139"),
    ("Somerville", "02143"),
    ("Providence", "02903"),
    ("Portland", "04101"),
    ("Burlington", "05401"),
    ("Hartford", "06103"),
    ("New Haven", "06511"),
    ("Worcester", "01608"),
    ("Amherst", "01002"),
    ("Manchester", "03101"),
    ("Brooklyn", "11201"),
    ("New York", "10001"),
    ("Albany", "12207"),
    ("Jersey City", "07302"),
    ("Montclair", "07042"),
)

# How a person's email differs between tools (the truth file lists every address).
SAME, GMAIL_DOTS, PLUS_TAG, TWO_EMAILS = 0, 1, 2, 3


@dataclass(frozen=True)
class People:
    """One entry per customer; every field is an array of length n."""

    person_id: np.ndarray
    first: np.ndarray
    last: np.ndarray
    email: np.ndarray  # clean primary address (shop, newsletter, CRM)
    stripe_email: np.ndarray  # the address the person gave Stripe
    shop_email: np.ndarray  # the address the person gave Shopify
    email_kind: np.ndarray  # SAME / GMAIL_DOTS / PLUS_TAG / TWO_EMAILS
    stripe_id: np.ndarray  # 'cus_...' for subscribers, '' otherwise
    subscriber: np.ndarray  # has a Stripe subscription
    shopper: np.ndarray  # buys in the Shopify store
    join: np.ndarray  # epoch seconds of the first purchase / subscription
    engagement: np.ndarray  # 0..1: how likely they open a newsletter
    discount_only: np.ndarray  # only ever buys with a code
    fragile_card: np.ndarray  # card often declined
    order_rate: np.ndarray  # shop orders per month while healthy
    on_list: np.ndarray  # subscribed to the Mailchimp newsletter
    in_crm: np.ndarray  # has a HubSpot contact
    city: np.ndarray
    zip: np.ndarray
    phone: np.ndarray

    @property
    def n(self) -> int:
        return len(self.person_id)

    @property
    def name(self) -> np.ndarray:
        return np.char.add(np.char.add(self.first, " "), self.last)


def make_people(rng: np.random.Generator, n: int, month_starts: np.ndarray) -> People:
    """`n` customers joining over the months in `month_starts` (epoch seconds, one more than the months)."""
    first = choice(rng, FIRST, n)
    last = choice(rng, LAST, n)
    email = _unique_emails(rng, first, last)

    kind = rng.choice(4, size=n, p=[0.86, 0.0, 0.07, 0.07])
    gmail = np.char.endswith(email, "@gmail.com")
    kind = np.where(gmail & (rng.random(n) < 0.12), GMAIL_DOTS, kind)

    subscriber = rng.random(n) < 0.62
    shopper = ~subscriber | (rng.random(n) < 0.45)
    two = kind == TWO_EMAILS
    subscriber |= two
    shopper |= two

    months = len(month_starts) - 1
    weights = np.linspace(1.0, 1.6, months)
    weights[0] += months * 0.12  # the customers Bluebird already had when the history starts
    join_month = rng.choice(months, size=n, p=weights / weights.sum())
    latest = month_starts[-1] - 3 * 86_400  # nobody joins in the last three days
    span = np.minimum(month_starts[join_month + 1], latest) - month_starts[join_month]
    join = month_starts[join_month] + (rng.random(n) * span).astype(np.int64)

    engagement = rng.beta(2.0, 2.5, size=n)
    discount_only = shopper & (rng.random(n) < 0.16)
    fragile_card = rng.random(n) < 0.12
    order_rate = np.where(subscriber, rng.gamma(2.0, 0.15, size=n), rng.gamma(8.0, 0.17, size=n))

    place = rng.integers(0, len(PLACES), size=n)
    phone_digits = random_codes(rng, n, 7, DIGITS)
    phone = np.char.add(choice(rng, ("+1617", "+1401", "+1212", "+1860", "+1207"), n), phone_digits)
    stripe_id = np.where(subscriber, random_ids(rng, n, "cus_", 14), "")
    return People(
        person_id=np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 5)),
        first=first,
        last=last,
        email=email,
        stripe_email=_stripe_email(rng, email, first, last, kind),
        shop_email=_shop_email(email, kind),
        email_kind=kind,
        stripe_id=stripe_id,
        subscriber=subscriber,
        shopper=shopper,
        join=join,
        engagement=engagement,
        discount_only=discount_only,
        fragile_card=fragile_card,
        order_rate=order_rate,
        on_list=(rng.random(n) < 0.72) | two,
        in_crm=(rng.random(n) < 0.7) | two,
        city=np.array([PLACES[i][0] for i in place]),
        zip=np.array([PLACES[i][1] for i in place]),
        phone=np.where(rng.random(n) < 0.35, "", phone),
    )


def _local_part(first: np.ndarray, last: np.ndarray, style: np.ndarray) -> np.ndarray:
    f = np.char.lower(first)
    lname = np.char.replace(np.char.lower(last), "'", "")
    dotted = np.char.add(np.char.add(f, "."), lname)
    joined = np.char.add(f, lname)
    initial = np.char.add(np.char.ljust(f, 1).astype("<U1"), lname)
    underscored = np.char.add(np.char.add(f, "_"), lname)
    return np.select([style == 0, style == 1, style == 2], [dotted, joined, initial], underscored)


def _unique_emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    local = _local_part(first, last, rng.choice(4, size=len(first), p=[0.45, 0.2, 0.2, 0.15]))
    domain = choice(rng, PERSONAL_DOMAINS, len(first), PERSONAL_WEIGHTS)
    return _numbered(local, domain)


def _numbered(local: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """local@domain, numbering repeats (jane.doe2@...) so no two people share an inbox, dots ignored as gmail does."""
    key = pd.Series(np.char.add(np.char.replace(local, ".", ""), domain))
    repeat = key.groupby(key).cumcount().to_numpy()
    local = np.where(repeat > 0, np.char.add(local, repeat.astype(str)), local)
    return np.char.add(np.char.add(local, "@"), domain)


def _stripe_email(
    rng: np.random.Generator, email: np.ndarray, first: np.ndarray, last: np.ndarray, kind: np.ndarray
) -> np.ndarray:
    local, domain = _split(email)
    tagged = np.char.add(np.char.add(local, "+coffee@"), domain)
    work_local = _local_part(first, last, np.zeros(len(email), dtype=int))
    work = _numbered(work_local, choice(rng, WORK_DOMAINS, len(email)))
    return np.select([kind == PLUS_TAG, kind == TWO_EMAILS], [tagged, work], email)


def _shop_email(email: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Gmail ignores dots, so 'jane.doe@gmail.com' and 'janedoe@gmail.com' are one inbox."""
    local, domain = _split(email)
    has_dot = np.char.find(local, ".") >= 0
    variant = np.where(
        has_dot,
        np.char.replace(local, ".", ""),
        np.char.add(np.char.ljust(local, 1).astype("<U1"), np.char.add(".", _drop_first(local))),
    )
    dotted = np.char.add(np.char.add(variant, "@"), domain)
    return np.where(kind == GMAIL_DOTS, dotted, email)


def _split(email: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    parts = np.char.partition(email, "@")
    return parts[:, 0], parts[:, 2]


def _drop_first(text: np.ndarray) -> np.ndarray:
    return np.array([t[1:] for t in text.tolist()], dtype=str)
