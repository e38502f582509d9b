"""Generate Bluebird Coffee: two years of a subscription coffee roaster, as the files its owner would download.

>>> exports = generate_bluebird("demo/exports", customers=300, seed=7)   # doctest: +SKIP
>>> sorted(exports.files)                                               # doctest: +SKIP
['hubspot_contacts', 'mailchimp_activity', 'shopify_orders', 'stripe_payments', 'stripe_subscriptions']

The history ends at a fixed `end_date` ("today" in the data), never the wall clock, so the same
seed gives byte-identical files on every machine. `_truth/customers.csv` holds what no export
shows (every address a person uses, when they really churned, their hidden traits); it is for
tests and simulations, and the demo never loads it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from soloml.demo.hubspot_export import make_contacts, make_leads
from soloml.demo.mailchimp_export import make_activity
from soloml.demo.people import People, make_people
from soloml.demo.shopify_export import make_orders
from soloml.demo.simulate import CHURNED, DECLINING, History, simulate
from soloml.demo.stripe_exports import make_payments, make_subscriptions
from soloml.demo.text import NEVER, utc_text
from soloml.errors import SolomlError

END_DATE = date(2026, 11, 1)
MONTHS = 24
FILES = {
    "stripe_subscriptions": "stripe_subscriptions.csv",
    "stripe_payments": "stripe_payments.csv",
    "hubspot_contacts": "hubspot_contacts.csv",
    "shopify_orders": "shopify_orders_export.csv",
    "mailchimp_activity": "mailchimp_campaign_activity.csv",
}
TRUTH_FILE = Path("_truth") / "customers.csv"
MIN_CUSTOMERS, MAX_CUSTOMERS = 20, 200_000


@dataclass(frozen=True)
class DemoExports:
    """Where the generated exports are, and how many rows each holds (header excluded)."""

    directory: Path
    files: dict[str, Path]  # name -> path, in the order to load them
    rows: dict[str, int]
    truth: Path
    customers: int
    seed: int
    end_date: date
    churned: int = 0

    @property
    def paths(self) -> list[Path]:
        return list(self.files.values())


def month_starts(end_date: date, months: int = MONTHS) -> np.ndarray:
    """Epoch seconds of the start of each month in the history, plus `end_date` itself."""
    end = pd.Timestamp(end_date)
    stamps = [end - pd.DateOffset(months=months - i) for i in range(months + 1)]
    return np.array([int(s.timestamp()) for s in stamps], dtype=np.int64)


def generate_bluebird(
    directory: Path | str, *, customers: int = 5000, seed: int = 7, end_date: date = END_DATE
) -> DemoExports:
    """Write the five exports and the truth file into `directory`; same arguments -> same bytes."""
    if not MIN_CUSTOMERS <= customers <= MAX_CUSTOMERS:
        raise SolomlError(
            f"The demo needs between {MIN_CUSTOMERS} and {MAX_CUSTOMERS:,} customers; got {customers}.",
            hint="Pass --customers with a number in that range (5000 is the default).",
        )
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    grid = month_starts(end_date)
    end = int(grid[-1])
    people = make_people(streams[0], customers, grid)
    history = simulate(streams[1], people, grid)
    leads = make_leads(streams[2], max(customers // 4, 1), int(grid[0]), end)
    frames = {
        "stripe_subscriptions": make_subscriptions(streams[3], people, history, end),
        "stripe_payments": make_payments(streams[4], people, history),
        "hubspot_contacts": make_contacts(streams[5], people, history, leads, end),
        "shopify_orders": make_orders(streams[6], people, history, grid),
        "mailchimp_activity": make_activity(streams[7], people, history, leads, grid),
    }
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, frame in frames.items():
        files[name] = _write_csv(frame, root / FILES[name])
    truth = _write_csv(truth_frame(people, history), root / TRUTH_FILE)
    return DemoExports(
        directory=root.resolve(),
        files={k: v.resolve() for k, v in files.items()},
        rows={k: len(v) for k, v in frames.items()},
        truth=truth.resolve(),
        customers=customers,
        seed=seed,
        end_date=end_date,
        churned=int((history.churn != NEVER).sum()),
    )


def truth_frame(people: People, history: History) -> pd.DataFrame:
    """One row per customer: the real person behind every address, and what really happened."""
    emails = [
        ";".join(dict.fromkeys(e for e in row if e))
        for row in zip(people.email.tolist(), people.stripe_email.tolist(), people.shop_email.tolist(), strict=True)
    ]
    last_state = history.state[:, -1]
    return pd.DataFrame(
        {
            "person_id": people.person_id,
            "name": people.name,
            "emails": emails,
            "stripe_customer_id": people.stripe_id,
            "subscriber": people.subscriber,
            "shopper": people.shopper,
            "joined_at": utc_text(people.join),
            "churned_at": utc_text(history.churn),
            "churn_kind": history.churn_kind,
            "state_at_end": np.select(
                [last_state == CHURNED, last_state == DECLINING], ["churned", "declining"], "healthy"
            ),
            "monthly_churn_chance_at_end": np.round(history.hazard_at_end, 4),
            "engagement": np.round(people.engagement, 4),
            "discount_only": people.discount_only,
            "fragile_card": people.fragile_card,
            "on_newsletter": people.on_list,
            "in_crm": people.in_crm,
        }
    )


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half an export."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
