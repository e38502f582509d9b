"""Bluebird's CRM: the HubSpot "Contacts -> Export" CSV.

Customers plus leads who never bought. The custom property `Stripe Customer ID` is filled for some
subscribers, and always for the people who gave Stripe a different (work) address: it is the only
thread that ties those two addresses to one person. The CRM has its usual mess too: stale
lifecycle stages, missing last names, and the same person entered twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from soloml.demo.people import FIRST, LAST, PERSONAL_DOMAINS, TWO_EMAILS, People
from soloml.demo.simulate import History
from soloml.demo.text import NEVER, choice, messy_emails, utc_minutes_text

HEADER = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Lifecycle Stage",
    "Lead Status",
    "Contact owner",
    "Create Date",
    "Last Activity Date",
    "Company Name",
    "Original Source",
    "Stripe Customer ID",
]
SOURCES = (
    "Organic Search",
    "Paid Social",
    "Direct Traffic",
    "Email Marketing",
    "Referrals",
    "Offline Sources",
    "Social Media",
)
SOURCE_WEIGHTS = [0.3, 0.2, 0.18, 0.1, 0.1, 0.05, 0.07]
OWNERS = ("Maya Chen", "Sam Ortiz", "")
LEAD_STAGES = ("Subscriber", "Lead", "Marketing Qualified Lead", "Sales Qualified Lead", "Opportunity")
LEAD_STATUSES = ("New", "Open", "In Progress", "Attempted to Contact", "Connected", "Unqualified")
DAY = 86_400


@dataclass(frozen=True)
class Leads:
    """Contacts who never bought; some read the newsletter."""

    first: np.ndarray
    last: np.ndarray
    email: np.ndarray
    created: np.ndarray
    engagement: np.ndarray
    on_list: np.ndarray


def make_leads(rng: np.random.Generator, n: int, start: int, end: int) -> Leads:
    first, last = choice(rng, FIRST, n), choice(rng, LAST, n)
    local = np.char.add(np.char.add(np.char.lower(first), "."), np.char.replace(np.char.lower(last), "'", ""))
    number = rng.choice(np.arange(100, 100 + 50 * max(n, 1)), size=n, replace=False).astype(str)
    email = np.char.add(np.char.add(np.char.add(local, number), "@"), choice(rng, PERSONAL_DOMAINS, n))
    return Leads(
        first=first,
        last=last,
        email=email,
        created=rng.integers(start - 120 * DAY, end - DAY, size=n),
        engagement=rng.beta(1.5, 3.0, size=n),
        on_list=rng.random(n) < 0.7,
    )


def make_contacts(rng: np.random.Generator, people: People, history: History, leads: Leads, end: int) -> pd.DataFrame:
    """The contacts export as a frame of strings, newest first."""
    idx = np.flatnonzero(people.in_crm)
    n = idx.size
    churn = history.churn[idx]
    stale = rng.random(n) < 0.1
    subscriber = people.subscriber[idx]
    link = subscriber & ((people.email_kind[idx] == TWO_EMAILS) | (rng.random(n) < 0.4))
    last_seen = np.where(
        churn != NEVER,
        np.minimum(churn + rng.integers(0, 20 * DAY, size=n), end - 3600),
        end - rng.integers(3600, 30 * DAY, size=n),
    )
    customers = pd.DataFrame(
        {
            "First Name": people.first[idx],
            "Last Name": np.where(rng.random(n) < 0.05, "", people.last[idx]),
            "Email": messy_emails(rng, people.email[idx], 0.04),
            "Phone Number": people.phone[idx],
            "Lifecycle Stage": np.where(stale, choice(rng, ("Opportunity", "Lead", "Subscriber"), n), "Customer"),
            "Lead Status": np.where(rng.random(n) < 0.8, "", choice(rng, LEAD_STATUSES, n)),
            "Contact owner": choice(rng, OWNERS, n, [0.25, 0.25, 0.5]),
            "Create Date": utc_minutes_text(people.join[idx] - rng.integers(0, 60 * DAY, size=n)),
            "Last Activity Date": utc_minutes_text(np.where(rng.random(n) < 0.1, NEVER, last_seen)),
            "Company Name": np.where(people.email_kind[idx] == TWO_EMAILS, _company(people.stripe_email[idx]), ""),
            "Original Source": choice(rng, SOURCES, n, SOURCE_WEIGHTS),
            "Stripe Customer ID": np.where(link, people.stripe_id[idx], ""),
        }
    )
    customers["_created"] = people.join[idx]

    k = leads.email.size
    prospects = pd.DataFrame(
        {
            "First Name": leads.first,
            "Last Name": np.where(rng.random(k) < 0.15, "", leads.last),
            "Email": messy_emails(rng, leads.email, 0.04),
            "Phone Number": "",
            "Lifecycle Stage": choice(rng, LEAD_STAGES, k, [0.35, 0.35, 0.15, 0.08, 0.07]),
            "Lead Status": choice(rng, (*LEAD_STATUSES, ""), k),
            "Contact owner": choice(rng, OWNERS, k, [0.3, 0.3, 0.4]),
            "Create Date": utc_minutes_text(leads.created),
            "Last Activity Date": utc_minutes_text(
                np.where(
                    rng.random(k) < 0.3,
                    NEVER,
                    np.minimum(leads.created + rng.integers(0, 200 * DAY, size=k), end - 3600),
                )
            ),
            "Company Name": "",
            "Original Source": choice(rng, SOURCES, k, SOURCE_WEIGHTS),
            "Stripe Customer ID": "",
        }
    )
    prospects["_created"] = leads.created

    frame = pd.concat([customers, prospects], ignore_index=True)
    twice = frame[(rng.random(len(frame)) < 0.01)].copy()  # the same person entered again by hand
    twice["Email"] = twice["Email"].str.strip().str.upper()
    twice["_created"] += rng.integers(DAY, 90 * DAY, size=len(twice))
    twice["Create Date"] = utc_minutes_text(np.minimum(twice["_created"].to_numpy(), end - 3600))
    frame = pd.concat([frame, twice], ignore_index=True).sort_values("_created", kind="stable").reset_index(drop=True)
    frame.insert(0, "Record ID", (51_200_000 + np.cumsum(rng.integers(1, 400, size=len(frame)))).astype(str))
    frame = pd.concat([frame, frame[rng.random(len(frame)) < 0.003]])  # rows exported twice
    frame = frame.sort_values("_created", ascending=False, kind="stable")
    return frame.drop(columns="_created").reset_index(drop=True)[HEADER]


def _company(emails: np.ndarray) -> np.ndarray:
    domains = np.char.partition(emails, "@")[:, 2]
    names = np.char.partition(domains, ".")[:, 0]
    return np.char.title(names)
