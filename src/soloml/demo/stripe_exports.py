"""Bluebird's subscriptions: the Stripe dashboard "Payments -> Export" and "Subscriptions -> Export" CSVs.

Amounts are in major units ('24.00'), currency lower-case, times UTC. Every payment attempt is its
own row (a failed first try and its retries share an invoice and a PaymentIntent). The export also
holds what a real one does: a few test-mode rows from when the owner tried checkout, refunds, and
rows repeated where two exports were pasted together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from soloml.demo.people import People
from soloml.demo.simulate import PLANS, History
from soloml.demo.text import DIGITS, NEVER, choice, messy_emails, money_text, random_codes, random_ids, utc_text

PAYMENTS_HEADER = [
    "id",
    "Description",
    "Seller Message",
    "Created (UTC)",
    "Amount",
    "Amount Refunded",
    "Currency",
    "Converted Amount",
    "Converted Amount Refunded",
    "Fee",
    "Tax",
    "Converted Currency",
    "Mode",
    "Status",
    "Statement Descriptor",
    "Customer ID",
    "Customer Description",
    "Customer Email",
    "Captured",
    "Card ID",
    "Card Last4",
    "Card Brand",
    "Card Funding",
    "Card Exp Month",
    "Card Exp Year",
    "Card Name",
    "Card Address Country",
    "Card Issue Country",
    "Invoice ID",
    "Invoice Number",
    "PaymentIntent ID",
]
SUBSCRIPTIONS_HEADER = [
    "id",
    "Customer ID",
    "Customer Description",
    "Customer Email",
    "Plan",
    "Product",
    "Quantity",
    "Currency",
    "Interval",
    "Amount",
    "Status",
    "Created (UTC)",
    "Start (UTC)",
    "Current Period Start (UTC)",
    "Current Period End (UTC)",
    "Trial Start (UTC)",
    "Trial End (UTC)",
    "Canceled At (UTC)",
    "Cancel At Period End",
    "Ended At (UTC)",
    "Coupon",
]
DECLINES = (
    "The bank did not approve the payment.",
    "Your card has insufficient funds.",
    "Your card has expired.",
    "Your card was declined.",
    "The bank returned the decline code `do_not_honor`.",
)
PAID_MESSAGE = "Payment complete."
DESCRIPTOR = "BLUEBIRD COFFEE"


def make_payments(rng: np.random.Generator, people: People, history: History) -> pd.DataFrame:
    """The payments export as a frame of strings, newest first."""
    ch = history.charges
    n_people, n = people.n, ch.person.size
    bank = rng.random(n_people) < 0.03  # ACH debit: 'py_' ids and no card
    card_brand = choice(rng, ("Visa", "MasterCard", "American Express", "Discover"), n_people, [0.55, 0.28, 0.12, 0.05])
    card_funding = choice(rng, ("credit", "debit", "prepaid"), n_people, [0.62, 0.35, 0.03])
    card_last4 = random_codes(rng, n_people, 4, DIGITS)
    card_month = rng.integers(1, 13, size=n_people).astype(str)
    card_year = rng.integers(2026, 2032, size=n_people).astype(str)
    card_id = random_ids(rng, n_people, "card_")
    card_name = np.where(rng.random(n_people) < 0.6, people.name, "")
    invoice_prefix = random_codes(rng, n_people, 8, np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8))

    # one invoice id and PaymentIntent per (person, invoice); retries reuse them
    key = ch.person * 10_000 + ch.invoice
    unique_keys, which = np.unique(key, return_inverse=True)
    invoice_id = random_ids(rng, unique_keys.size, "in_")[which]
    intent_id = random_ids(rng, unique_keys.size, "pi_")[which]

    p = ch.person
    on_bank = bank[p]
    ids = np.where(on_bank, random_ids(rng, n, "py_"), random_ids(rng, n, "ch_"))
    roll = rng.random(n)
    status = np.where(
        ch.failed, "Failed", np.select([roll < 0.015, roll < 0.025], ["Refunded", "Partially Refunded"], "Paid")
    )
    refunded = np.select([status == "Refunded", status == "Partially Refunded"], [ch.cents, ch.cents // 3], 0)
    fee = np.where(ch.failed, 0, np.round(ch.cents * 0.029).astype(np.int64) + 30)
    email = messy_emails(rng, people.stripe_email[p], 0.05)
    email = np.where(rng.random(n) < 0.01, "", email)
    frame = pd.DataFrame(
        {
            "id": ids,
            "Description": np.where(ch.invoice == 1, "Subscription creation", "Subscription update"),
            "Seller Message": np.where(ch.failed, choice(rng, DECLINES, n, [0.3, 0.3, 0.15, 0.15, 0.1]), PAID_MESSAGE),
            "Created (UTC)": utc_text(ch.at),
            "Amount": money_text(ch.cents),
            "Amount Refunded": money_text(refunded),
            "Currency": "usd",
            "Converted Amount": money_text(ch.cents),
            "Converted Amount Refunded": money_text(refunded),
            "Fee": money_text(fee),
            "Tax": "0.00",
            "Converted Currency": "usd",
            "Mode": "Live",
            "Status": status,
            "Statement Descriptor": DESCRIPTOR,
            "Customer ID": people.stripe_id[p],
            "Customer Description": people.name[p],
            "Customer Email": email,
            "Captured": np.where(ch.failed, "false", "true"),
            "Card ID": np.where(on_bank, "", card_id[p]),
            "Card Last4": np.where(on_bank, "", card_last4[p]),
            "Card Brand": np.where(on_bank, "", card_brand[p]),
            "Card Funding": np.where(on_bank, "", card_funding[p]),
            "Card Exp Month": np.where(on_bank, "", card_month[p]),
            "Card Exp Year": np.where(on_bank, "", card_year[p]),
            "Card Name": np.where(on_bank, "", card_name[p]),
            "Card Address Country": np.where(on_bank, "", "US"),
            "Card Issue Country": np.where(on_bank, "", "US"),
            "Invoice ID": invoice_id,
            "Invoice Number": np.char.add(
                np.char.add(invoice_prefix[p], "-"), np.char.zfill(ch.invoice.astype(str), 4)
            ),
            "PaymentIntent ID": intent_id,
        }
    )
    frame["_at"] = ch.at
    frame = pd.concat([frame, _test_mode_rows(rng, people, history)], ignore_index=True)
    repeated = frame[rng.random(len(frame)) < 0.005]  # rows pasted twice
    frame = pd.concat([frame, repeated], ignore_index=True)
    frame = frame.sort_values(["_at", "id"], ascending=[False, True], kind="stable")
    return frame.drop(columns="_at").reset_index(drop=True)[PAYMENTS_HEADER]


def _test_mode_rows(rng: np.random.Generator, people: People, history: History) -> pd.DataFrame:
    """The owner trying the checkout with Stripe's test cards (4242 pays, 0002 is declined)."""
    k = 12 + people.n // 250
    start, stop = int(people.join.min()), int(people.join.max())
    at = np.sort(rng.integers(start, stop, size=k))
    declined = rng.random(k) < 0.25
    cents = np.array([p.cents for p in PLANS])[rng.integers(0, len(PLANS), size=k)]
    rows = {h: np.full(k, "", dtype=object) for h in PAYMENTS_HEADER}
    rows.update(
        {
            "id": random_ids(rng, k, "ch_"),
            "Description": "Subscription creation",
            "Seller Message": np.where(declined, "Your card was declined.", PAID_MESSAGE),
            "Created (UTC)": utc_text(at),
            "Amount": money_text(cents),
            "Amount Refunded": "0.00",
            "Currency": "usd",
            "Converted Amount": money_text(cents),
            "Converted Amount Refunded": "0.00",
            "Fee": money_text(np.where(declined, 0, np.round(cents * 0.029).astype(np.int64) + 30)),
            "Tax": "0.00",
            "Converted Currency": "usd",
            "Mode": "Test",
            "Status": np.where(declined, "Failed", "Paid"),
            "Statement Descriptor": DESCRIPTOR,
            "Customer ID": random_ids(rng, k, "cus_", 14),
            "Customer Description": "Test Customer",
            "Customer Email": choice(rng, ("test@bluebirdcoffee.com", "owner+test@bluebirdcoffee.com"), k),
            "Captured": np.where(declined, "false", "true"),
            "Card ID": random_ids(rng, k, "card_"),
            "Card Last4": np.where(declined, "0002", "4242"),
            "Card Brand": "Visa",
            "Card Funding": "credit",
            "Card Exp Month": "12",
            "Card Exp Year": "2034",
            "Card Address Country": "US",
            "Card Issue Country": "US",
            "Invoice ID": random_ids(rng, k, "in_"),
            "Invoice Number": np.char.add("TEST0000-", np.char.zfill(np.arange(1, k + 1).astype(str), 4)),
            "PaymentIntent ID": random_ids(rng, k, "pi_"),
        }
    )
    frame = pd.DataFrame(rows)
    frame["_at"] = at
    return frame


def make_subscriptions(rng: np.random.Generator, people: People, history: History, end: int) -> pd.DataFrame:
    """The subscriptions export: one row per subscription, newest first."""
    idx = np.flatnonzero(people.subscriber)
    n = idx.size
    plan = history.plan[idx]
    yearly = np.array([p.interval == "year" for p in PLANS])[plan]
    churn = history.churn[idx]
    churned = churn != NEVER
    ref = np.minimum(churn, end - 1)

    ch = history.charges
    first_try = ch.attempt == 0
    last_bill = np.full(people.n, -1, dtype=np.int64)
    np.maximum.at(last_bill, ch.person[first_try], ch.at[first_try])
    last_bill = last_bill[idx]
    billed = (last_bill >= 0) & (last_bill <= ref)
    trial = history.trial[idx]
    join = people.join[idx]
    period_start = np.where(billed, last_bill, join)
    period_end = np.where(
        billed,
        _add_months(period_start, np.where(yearly, 12, 1)),
        np.where(trial, history.anchor[idx], _add_months(join, np.ones(n, dtype=np.int64))),
    )

    at_period_end = churned & (history.churn_kind[idx] == "voluntary") & (rng.random(n) < 0.4)
    ended = np.where(churned, np.where(at_period_end, period_end, churn), NEVER)
    ended = np.where(ended < end, ended, NEVER)
    last_failed = _last_attempt_failed(people.n, ch)[idx]
    status = np.select(
        [
            churned & (ended != NEVER) & (history.churn_kind[idx] == "involuntary") & (rng.random(n) < 0.3),
            churned & (ended != NEVER),
            ~churned & last_failed,
            ~churned & trial & (history.anchor[idx] > end),
        ],
        ["unpaid", "canceled", "past_due", "trialing"],
        "active",
    )
    cents = np.array([p.cents for p in PLANS])[plan]
    frame = pd.DataFrame(
        {
            "id": random_ids(rng, n, "sub_"),
            "Customer ID": people.stripe_id[idx],
            "Customer Description": people.name[idx],
            "Customer Email": messy_emails(rng, people.stripe_email[idx], 0.04),
            "Plan": np.asarray([p.name for p in PLANS])[plan],
            "Product": "Coffee Subscription",
            "Quantity": history.quantity[idx].astype(str),
            "Currency": "usd",
            "Interval": np.where(yearly, "year", "month"),
            "Amount": money_text(cents),
            "Status": status,
            "Created (UTC)": utc_text(join),
            "Start (UTC)": utc_text(join),
            "Current Period Start (UTC)": utc_text(period_start),
            "Current Period End (UTC)": utc_text(period_end),
            "Trial Start (UTC)": utc_text(np.where(trial, join, NEVER)),
            "Trial End (UTC)": utc_text(np.where(trial, history.anchor[idx], NEVER)),
            "Canceled At (UTC)": utc_text(np.where(churned, churn, NEVER)),
            "Cancel At Period End": np.where(at_period_end, "true", "false"),
            "Ended At (UTC)": utc_text(ended),
            "Coupon": np.where(history.coupon[idx], "WELCOME10", ""),
        }
    )
    order = np.argsort(-join, kind="stable")
    return frame.iloc[order].reset_index(drop=True)[SUBSCRIPTIONS_HEADER]


def _add_months(seconds: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Calendar-month arithmetic on epoch seconds (Jan 31 + 1 month -> Feb 28/29, as Stripe does)."""
    stamps = pd.to_datetime(seconds, unit="s")
    month_index = stamps.year.to_numpy() * 12 + stamps.month.to_numpy() - 1 + months
    year, month = np.divmod(month_index, 12)
    first = pd.to_datetime({"year": year, "month": month + 1, "day": 1})
    last_day = (first + pd.offsets.MonthEnd(0)).dt.day.to_numpy()
    day = np.minimum(stamps.day.to_numpy(), last_day)
    seconds_in_day = (seconds % 86_400).astype(np.int64)
    dates = first.to_numpy().astype("datetime64[s]").astype(np.int64) + (day - 1) * 86_400
    return dates + seconds_in_day


def _last_attempt_failed(n_people: int, ch) -> np.ndarray:
    """True for people whose latest payment attempt failed (a subscription still in dunning)."""
    last = np.full(n_people, -1, dtype=np.int64)
    if ch.person.size:
        # charges are sorted by person, then time, so the final entry per person is the latest
        final = np.r_[ch.person[1:] != ch.person[:-1], True]
        last[ch.person[final]] = np.flatnonzero(final)
    out = np.zeros(n_people, dtype=bool)
    has = last >= 0
    out[has] = ch.failed[last[has]]
    return out
