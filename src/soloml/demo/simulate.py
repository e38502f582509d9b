"""The planted churn structure: month by month, who is healthy, who is drifting away, who leaves.

Each customer is in one of three states per calendar month: healthy, declining, churned.
- healthy -> declining with a monthly chance that rises for discount-only buyers, people who do not
  read the newsletter, and people whose card often fails; healthy -> churned rarely, at random
  (the part no model can see coming);
- declining -> churned or back to healthy. While declining a customer orders about a third as
  often, rarely opens emails, and their subscription payments fail more;
- subscribers may skip a month's delivery (no charge that month), much more often while declining;
- a subscription payment that fails three times in a row (the first try and two retries) ends the
  subscription: involuntary churn.
So the months before churn show fewer orders, failed payments and silence in the newsletter: a
signal a model can learn from 60-90 day features, with enough randomness that it cannot be perfect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from soloml.demo.people import People
from soloml.demo.text import NEVER

HEALTHY, DECLINING, CHURNED, NOT_YET = 0, 1, 2, -1
DAY = 86_400

# The knobs that set how learnable churn is (tuned so a good model reaches ROC AUC ~0.75-0.85).
DECLINE_BASE = -3.6
DECLINE_DISCOUNT_ONLY = 1.5
DECLINE_LOW_ENGAGEMENT = 4.5  # times (0.45 - engagement)
DECLINE_FRAGILE_CARD = 0.8
DECLINE_NOISE = 0.5
RANDOM_CHURN = 0.003  # healthy -> churned per month, unexplained
DECLINING_CHURN = (0.02, 0.15, 0.35)  # per month, after 1, 2, 3+ months of declining
DECLINING_RECOVER = 0.08
DECLINING_ORDER_FACTOR = 0.2
FAIL_BASE, FAIL_FRAGILE, FAIL_DECLINING = 0.03, 0.10, 0.20
RETRY_FAIL, RETRY_FAIL_DECLINING = 0.4, 0.65
RETRY_DAYS = (3, 8)
SKIP_HEALTHY, SKIP_DECLINING = 0.03, 0.55  # chance to skip a month's delivery (no charge that month)
TRIAL_DAYS = 14


@dataclass(frozen=True)
class Plan:
    name: str
    cents: int
    interval: str  # 'month' | 'year'


PLANS = (
    Plan("Bluebird Monthly - 1 bag", 1800, "month"),
    Plan("Bluebird Monthly - 2 bags", 3200, "month"),
    Plan("Roaster's Choice - 2 bags", 3600, "month"),
    Plan("Roaster's Choice - 3 bags", 4500, "month"),
    Plan("Bluebird Annual - 1 bag", 19800, "year"),
)
PLAN_WEIGHTS = [0.37, 0.28, 0.17, 0.14, 0.04]


@dataclass(frozen=True)
class Charges:
    """Every subscription payment attempt, one entry per try."""

    person: np.ndarray
    at: np.ndarray  # epoch seconds
    cents: np.ndarray
    failed: np.ndarray  # bool
    attempt: np.ndarray  # 0 = first try, 1..2 = retries
    invoice: np.ndarray  # running invoice number per person (retries share their invoice)


@dataclass(frozen=True)
class History:
    """What happened to every customer. Arrays of length n unless noted."""

    state: np.ndarray  # (n, months) HEALTHY / DECLINING / CHURNED / NOT_YET
    churn: np.ndarray  # epoch seconds, NEVER when still a customer
    churn_kind: np.ndarray  # 'voluntary' / 'involuntary' / ''
    hazard_at_end: np.ndarray  # chance to churn in the coming month, as of the end date
    plan: np.ndarray  # index into PLANS (subscribers)
    quantity: np.ndarray
    trial: np.ndarray  # bool: started with a free trial
    anchor: np.ndarray  # first billing time (after the trial)
    coupon: np.ndarray  # bool: first three invoices 10% off
    charges: Charges


def decline_chance(people: People, noise: np.ndarray) -> np.ndarray:
    z = (
        DECLINE_BASE
        + DECLINE_DISCOUNT_ONLY * people.discount_only
        + DECLINE_LOW_ENGAGEMENT * (0.45 - people.engagement)
        + DECLINE_FRAGILE_CARD * people.fragile_card
        + noise
    )
    return 1.0 / (1.0 + np.exp(-z))


def simulate(rng: np.random.Generator, people: People, month_starts: np.ndarray) -> History:
    """Walk every customer through the months; returns states, churn times and payment attempts."""
    n, months = people.n, len(month_starts) - 1
    end = int(month_starts[-1])
    p_decline = decline_chance(people, rng.normal(0.0, DECLINE_NOISE, size=n))
    join_month = np.searchsorted(month_starts, people.join, side="right") - 1

    plan = rng.choice(len(PLANS), size=n, p=PLAN_WEIGHTS)
    yearly = np.array([p.interval == "year" for p in PLANS])[plan]
    price = np.array([p.cents for p in PLANS])[plan]
    quantity = np.where(rng.random(n) < 0.05, 2, 1)
    trial = people.subscriber & (rng.random(n) < 0.3)
    coupon = people.subscriber & (people.discount_only | (rng.random(n) < 0.08))
    anchor = people.join + np.where(trial, TRIAL_DAYS * DAY, 0)
    anchor_month = np.searchsorted(month_starts, anchor, side="right") - 1
    offset = np.minimum(anchor - month_starts[np.clip(anchor_month, 0, months - 1)], 27 * DAY)

    state = np.full((n, months), NOT_YET, dtype=np.int8)
    current = np.full(n, HEALTHY, dtype=np.int8)
    declined_for = np.zeros(n, dtype=np.int64)  # months in the current decline
    churn = np.full(n, NEVER, dtype=np.int64)
    kind = np.full(n, "", dtype="<U11")
    invoices = np.zeros(n, dtype=np.int64)
    parts: list[tuple[np.ndarray, ...]] = []

    for m in range(months):
        start, stop = int(month_starts[m]), int(month_starts[m + 1])
        alive = (join_month <= m) & (current != CHURNED)
        moving = alive & (join_month < m)
        roll = rng.random(n)
        p_leave = np.where(
            current == DECLINING, np.asarray(DECLINING_CHURN)[np.clip(declined_for - 1, 0, 2)], RANDOM_CHURN
        )
        leave = moving & (roll < p_leave)
        recover = moving & (current == DECLINING) & (roll >= p_leave) & (roll < p_leave + DECLINING_RECOVER)
        worsen = moving & (current == HEALTHY) & (roll >= p_leave) & (roll < p_leave + p_decline)
        current[recover] = HEALTHY
        current[worsen] = DECLINING
        declined_for = np.where(current == DECLINING, declined_for + 1, 0)
        leave_at = start + (rng.random(n) * (stop - start)).astype(np.int64)
        churn = np.where(leave, np.minimum(leave_at, end - 1), churn)
        kind[leave] = "voluntary"

        due = alive & people.subscriber & (anchor_month <= m) & (~yearly | ((m - anchor_month) % 12 == 0))
        at = start + offset + rng.integers(3600, 20 * 3600, size=n)
        due &= (at < churn) & (at < end) & (at >= anchor)
        due &= rng.random(n) >= np.where(current == DECLINING, SKIP_DECLINING, SKIP_HEALTHY)
        idx = np.flatnonzero(due)
        if idx.size:
            parts.extend(
                _bill(
                    rng,
                    idx,
                    at[idx],
                    current[idx],
                    people.fragile_card[idx],
                    price[idx] * quantity[idx],
                    coupon[idx] & (invoices[idx] < 3),
                    invoices[idx] + 1,
                    end,
                    churn,
                    kind,
                )
            )
            invoices[idx] += 1
        current[leave] = CHURNED
        current[churn < stop] = CHURNED
        state[:, m] = np.where(join_month <= m, current, NOT_YET)

    next_leave = np.asarray(DECLINING_CHURN)[np.clip(declined_for, 0, 2)]
    hazard = np.where(current == HEALTHY, RANDOM_CHURN, np.where(current == DECLINING, next_leave, 0.0))
    return History(
        state=state,
        churn=churn,
        churn_kind=kind,
        hazard_at_end=hazard,
        plan=plan,
        quantity=quantity,
        trial=trial,
        anchor=anchor,
        coupon=coupon,
        charges=_charges(parts),
    )


def _bill(rng, idx, at, state, fragile, cents, discounted, invoice, end, churn, kind) -> list[tuple[np.ndarray, ...]]:
    """One invoice per customer in `idx`: a first try plus up to two retries; three failures end the subscription."""
    cents = np.where(discounted, cents * 9 // 10, cents)
    declining = state == DECLINING
    p_fail = FAIL_BASE + FAIL_FRAGILE * fragile + FAIL_DECLINING * declining
    failed = rng.random(idx.size) < p_fail
    out = [(idx, at, cents, failed, np.zeros(idx.size, dtype=np.int64), invoice)]
    still = failed.copy()
    for attempt, days in enumerate(RETRY_DAYS, start=1):
        retry_at = at + days * DAY
        go = still & (retry_at < end) & (retry_at < churn[idx])
        fail_again = rng.random(idx.size) < np.where(declining, RETRY_FAIL_DECLINING, RETRY_FAIL)
        if go.any():
            out.append(
                (
                    idx[go],
                    retry_at[go],
                    cents[go],
                    fail_again[go],
                    np.full(go.sum(), attempt, dtype=np.int64),
                    invoice[go],
                )
            )
        still = go & fail_again
    lost = still & (churn[idx] > at + RETRY_DAYS[-1] * DAY)
    churn[idx[lost]] = at[lost] + RETRY_DAYS[-1] * DAY + 3600
    kind[idx[lost]] = "involuntary"
    return out


def _charges(parts: list[tuple[np.ndarray, ...]]) -> Charges:
    if not parts:
        empty = np.array([], dtype=np.int64)
        return Charges(empty, empty, empty, empty.astype(bool), empty, empty)
    cols = [np.concatenate([p[i] for p in parts]) for i in range(6)]
    order = np.lexsort((cols[4], cols[1], cols[0]))
    return Charges(*(c[order] for c in cols))


def active_seconds(people: People, history: History, month_starts: np.ndarray) -> np.ndarray:
    """(n, months): seconds of each month a customer was a customer (after joining, before churning)."""
    starts = month_starts[:-1][None, :]
    stops = month_starts[1:][None, :]
    lo = np.maximum(starts, people.join[:, None])
    hi = np.minimum(stops, history.churn[:, None])
    return np.clip(hi - lo, 0, None)
