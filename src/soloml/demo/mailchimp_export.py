"""Bluebird's newsletter: a Mailchimp campaign activity export, one row per email per event.

Two campaigns a month go to everyone on the list (customers who opted in and newsletter-only leads).
Whether a person opens depends on how engaged they are and on how they feel about Bluebird right
now: a customer drifting away (or gone) goes quiet, then often unsubscribes.
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from soloml.demo.hubspot_export import Leads
from soloml.demo.people import People
from soloml.demo.simulate import CHURNED, DECLINING, HEALTHY, History
from soloml.demo.text import messy_emails, utc_text

HEADER = ["Email Address", "First Name", "Last Name", "Campaign Title", "Action", "Timestamp", "URL"]
SEND_DAYS = (5, 19)
SEND_HOUR = 15
THEMES = (
    "Brew Guide: Pour-Over",
    "Meet the Farmers",
    "Subscriber Perks",
    "Single-Origin Spotlight",
    "Behind the Roaster",
    "Cold Brew Season",
)
LINKS = (
    "https://bluebirdcoffee.com/collections/new-arrivals",
    "https://bluebirdcoffee.com/pages/brew-guides",
    "https://bluebirdcoffee.com/products/house-blend",
    "https://bluebirdcoffee.com/account/subscription",
)
OPEN_FACTOR = {HEALTHY: 1.0, DECLINING: 0.2, CHURNED: 0.1}
UNSUBSCRIBE = {HEALTHY: 0.002, DECLINING: 0.02, CHURNED: 0.04}
BOUNCE, HARD_BOUNCE_SHARE, CLICK, SECOND_OPEN = 0.008, 0.3, 0.22, 0.25


def campaigns(month_starts: np.ndarray) -> list[tuple[int, int, str]]:
    """(month index, send time, title) for every campaign in the history."""
    out = []
    for m, start in enumerate(month_starts[:-1]):
        stamp = pd.Timestamp(int(start), unit="s")
        for i, day in enumerate(SEND_DAYS):
            sent = int(pd.Timestamp(year=stamp.year, month=stamp.month, day=day, hour=SEND_HOUR).timestamp())
            if not (month_starts[m] <= sent < month_starts[m + 1]):
                sent = int(start) + (day - 1) * 86_400 + SEND_HOUR * 3600
            month = calendar.month_name[stamp.month]
            if i == 0:
                title = f"{month} {stamp.year} Roast Drop"
            elif stamp.month in (11, 12):
                title = f"Holiday Gift Guide {stamp.year}" if stamp.month == 11 else f"Last Shipping Days {stamp.year}"
            else:
                title = f"{THEMES[m % len(THEMES)]} ({calendar.month_abbr[stamp.month]} {stamp.year})"
            out.append((m, sent, title))
    return out


def make_activity(
    rng: np.random.Generator, people: People, history: History, leads: Leads, month_starts: np.ndarray
) -> pd.DataFrame:
    """The activity export as a frame of strings, by campaign then time."""
    end = int(month_starts[-1])
    on = np.flatnonzero(people.on_list)
    lead_on = np.flatnonzero(leads.on_list)
    email = np.concatenate([people.email[on], leads.email[lead_on]])
    first = np.concatenate([people.first[on], leads.first[lead_on]])
    last = np.concatenate([people.last[on], leads.last[lead_on]])
    joined = np.concatenate([people.join[on] - 7 * 86_400, leads.created[lead_on]])
    engagement = np.concatenate([people.engagement[on], leads.engagement[lead_on]])
    n_customers = on.size
    gone = np.zeros(email.size, dtype=bool)  # unsubscribed or hard-bounced
    parts: list[tuple[np.ndarray, ...]] = []

    for m, sent, title in campaigns(month_starts):
        who = np.flatnonzero((joined <= sent) & ~gone)
        if who.size == 0:
            continue
        state = np.full(who.size, HEALTHY, dtype=np.int8)
        is_customer = who < n_customers
        state[is_customer] = np.maximum(history.state[on[who[is_customer]], m], HEALTHY)
        factor = np.select(
            [state == DECLINING, state == CHURNED], [OPEN_FACTOR[DECLINING], OPEN_FACTOR[CHURNED]], OPEN_FACTOR[HEALTHY]
        )
        bounce = rng.random(who.size) < BOUNCE
        opened = ~bounce & (rng.random(who.size) < engagement[who] * factor)
        again = opened & (rng.random(who.size) < SECOND_OPEN)
        clicked = opened & (rng.random(who.size) < CLICK)
        unsub_p = np.select(
            [state == DECLINING, state == CHURNED], [UNSUBSCRIBE[DECLINING], UNSUBSCRIBE[CHURNED]], UNSUBSCRIBE[HEALTHY]
        )
        unsub = ~bounce & (rng.random(who.size) < unsub_p)
        open_at = sent + rng.exponential(8 * 3600, size=who.size).astype(np.int64) + 60
        second_at = open_at + rng.exponential(24 * 3600, size=who.size).astype(np.int64) + 60
        click_at = open_at + rng.integers(5, 600, size=who.size)
        unsub_at = np.where(opened, open_at, sent + 3600) + rng.integers(30, 3 * 86_400, size=who.size)
        link = rng.integers(0, len(LINKS), size=who.size)
        for action, mask, at in (
            ("sent", np.ones(who.size, dtype=bool), np.full(who.size, sent)),
            ("bounce", bounce, np.full(who.size, sent + 120)),
            ("open", opened, open_at),
            ("open", again, second_at),
            ("click", clicked, click_at),
            ("unsubscribe", unsub, unsub_at),
        ):
            keep = mask & (at < end)
            parts.append(
                (
                    who[keep],
                    np.full(keep.sum(), action),
                    at[keep],
                    np.full(keep.sum(), title),
                    link[keep],
                    np.full(keep.sum(), sent),
                )
            )
        gone[who[unsub]] = True
        gone[who[bounce & (rng.random(who.size) < HARD_BOUNCE_SHARE)]] = True

    person = np.concatenate([p[0] for p in parts])
    action = np.concatenate([p[1] for p in parts])
    at = np.concatenate([p[2] for p in parts])
    title = np.concatenate([p[3] for p in parts])
    link = np.concatenate([p[4] for p in parts])
    sent_at = np.concatenate([p[5] for p in parts])
    order = np.lexsort((person, at, sent_at))
    person, action, at, title, link = person[order], action[order], at[order], title[order], link[order]
    url = np.where(
        action == "click", np.char.add(np.asarray(LINKS)[link], "?utm_source=mailchimp&utm_medium=email"), ""
    )
    frame = pd.DataFrame(
        {
            "Email Address": messy_emails(rng, email[person], 0.03),
            "First Name": first[person],
            "Last Name": last[person],
            "Campaign Title": title,
            "Action": action,
            "Timestamp": utc_text(at),
            "URL": url,
        }
    )
    repeated = np.flatnonzero(rng.random(len(frame)) < 0.003)
    keys = np.concatenate([np.arange(len(frame)), repeated])
    return frame.iloc[np.sort(keys, kind="stable")].reset_index(drop=True)[HEADER]
