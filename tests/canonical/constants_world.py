"""A small generated business for the constants: exports from Stripe, Shopify, Square and HubSpot with planted
traps, and `_truth/facts.json`, what soloml must make of them (written by the generator from its own world, never
by running soloml).

Traps: an email that changed under one Stripe customer id, two different people called Ann Lee, gmail dots and
+tags, Square customers known only by a Customer Reference ID (a HubSpot Record ID, a Stripe customer id), a
person seen under two emails whom only name + postal code connect (a suggestion, never applied on its own),
charges in EUR and GBP settled in USD, a partial refund, a lost and a won chargeback, a refunded and cancelled
Shopify order, an exact duplicate Stripe row, CRM leads who never bought, HubSpot times in the portal's zone.
Kept apart from the demo business (soloml/demo): it is small, and every fact in it is checked.

    world = write_world(tmp_path)                     # the same seed gives the same files
    world.files["stripe_payments.csv"], world.facts["people"][0]
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from canonical.helpers import FIXTURES
from soloml.canonical.identity import email_key

CRM_ZONE = "America/Chicago"
STRIPE_PAYMENTS = (FIXTURES / "stripe_payments.csv").read_text().splitlines()[0].split(",") + [
    "Card Address Zip",
    "Disputed Amount",
    "Dispute Status",
    "Dispute Reason",
    "Dispute Date (UTC)",
]
STRIPE_CUSTOMERS = (FIXTURES / "stripe_customers.csv").read_text().splitlines()[0].split(",")
SHOPIFY_ORDERS = (FIXTURES / "shopify_orders.csv").read_text().splitlines()[0].split(",")
SQUARE = (FIXTURES / "square_transactions.csv").read_text().splitlines()[0].split(",")
HUBSPOT = [
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
    "Associated Company",
    "Original Source",
    "Stripe Customer ID",
]
FIRST = [
    "Noor",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Xavi",
    "Yara",
    "Zane",
    "Ines",
    "Hugo",
    "Gita",
    "Felix",
    "Elena",
]
LAST = [
    "Abara",
    "Bjork",
    "Castillo",
    "Dunn",
    "Eklund",
    "Faro",
    "Grell",
    "Hoang",
    "Ivers",
    "Jovic",
    "Kaur",
    "Lund",
    "Moreau",
    "Nakata",
    "Ortiz",
    "Pohl",
    "Quint",
    "Rask",
]


@dataclass(frozen=True)
class World:
    folder: Path
    files: dict[str, Path]  # file name -> path, in a sensible load order
    facts: dict  # the contents of _truth/facts.json
    truth: Path


class _Book:
    """The generator's own record of what it wrote: rows per file and the facts they imply."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict]] = {
            "stripe_customers.csv": [],
            "stripe_payments.csv": [],
            "shopify_orders.csv": [],
            "square_transactions.csv": [],
            "hubspot_contacts.csv": [],
        }
        self.people: dict[str, dict] = {}
        self.payments: list[dict] = []
        self.orders: list[dict] = []
        self.contacts: list[dict] = []
        self.unlinked: list[str] = []  # payments that name nobody
        self.n = 0

    def person(self, pid: str, name: str, *, bought: bool = True, decision: bool = False) -> dict:
        p = {
            "person": pid,
            "name": name,
            "records": [],
            "has_purchased": bought,
            "net_settled": Decimal("0"),
            "needs_decision": decision,
        }
        self.people[pid] = p
        return p

    def record(self, p: dict, source: str, source_id: str) -> None:
        if [source, source_id] not in p["records"]:
            p["records"].append([source, source_id])

    def next_id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n:04d}"

    # -- one row per vendor object ---------------------------------------------------------------------------------
    def stripe_customer(
        self, p: dict, cid: str, email: str, *, name: str = "", zip_code: str = "", created: str = "2024-01-02 10:00:00"
    ) -> None:
        self.rows["stripe_customers.csv"].append(
            {
                "id": cid,
                "Email": email,
                "Name": name,
                "Created (UTC)": created,
                "Address Country": "US",
                "Address Zip": zip_code,
                "Currency": "usd",
            }
        )
        self.record(p, "stripe", cid)

    def charge(
        self,
        p: dict | None,
        cid: str,
        email: str,
        when: str,
        amount: str,
        currency: str = "usd",
        *,
        settled: str | None = None,
        status: str = "Paid",
        refunded: str = "0.00",
        refunded_settled: str | None = None,
        dispute: str = "",
        card_name: str = "",
    ) -> str:
        pid = self.next_id("ch_w")
        settled = settled or amount
        refunded_settled = refunded_settled or refunded
        lost = dispute == "lost"
        self.rows["stripe_payments.csv"].append(
            {
                "id": pid,
                "Description": "Order",
                "Created (UTC)": when,
                "Amount": amount,
                "Amount Refunded": refunded,
                "Currency": currency,
                "Converted Amount": settled,
                "Converted Amount Refunded": refunded_settled,
                "Converted Currency": "usd",
                "Mode": "Live",
                "Status": status,
                "Customer ID": cid,
                "Customer Email": email,
                "Card Name": card_name,
                "Card Address Country": "US",
                "Disputed Amount": amount if dispute else "",
                "Dispute Status": dispute,
                "Dispute Reason": "fraudulent" if dispute else "",
            }
        )
        went_through = status in ("Paid", "Refunded")
        derived = (
            (
                "charged_back"
                if lost
                else "refunded"
                if Decimal(refunded) >= Decimal(amount)
                else "partially_refunded"
                if Decimal(refunded) > 0
                else "succeeded"
            )
            if went_through
            else "failed"
        )
        net = Decimal("0") if not went_through or lost else Decimal(settled) - Decimal(refunded_settled)
        self.payments.append(
            {
                "payment_id": f"stripe:{pid}",
                "status": derived,
                "amount": amount,
                "currency": currency.upper(),
                "amount_settled": settled,
                "settlement_currency": "USD",
                "net_settled": str(net),
                "dispute_status": dispute or None,
            }
        )
        if p is not None:
            p["net_settled"] += net
            self.record(p, "stripe", cid)
        return pid

    def shop_order(
        self,
        p: dict,
        email: str,
        when: str,
        total: str,
        *,
        billing: str,
        zip_code: str,
        number: int | None = None,
        status: str = "paid",
        cancelled: str = "",
        refunded: str = "0.00",
    ) -> None:
        number = number or 2000 + len(self.orders)
        oid = f"55{number:05d}"
        self.rows["shopify_orders.csv"].append(
            {
                "Name": f"#{number}",
                "Email": email,
                "Financial Status": status,
                "Currency": "USD",
                "Subtotal": total,
                "Shipping": "0.00",
                "Taxes": "0.00",
                "Total": total,
                "Discount Amount": "0.00",
                "Created at": when,
                "Lineitem quantity": "1",
                "Lineitem name": "Beans",
                "Lineitem price": total,
                "Billing Name": billing,
                "Billing Zip": zip_code,
                "Billing Country": "US",
                "Cancelled at": cancelled,
                "Refunded Amount": refunded,
                "Id": oid,
                "Lineitem discount": "0.00",
            }
        )
        local = datetime.strptime(cancelled, "%Y-%m-%d %H:%M:%S %z") if cancelled else None
        self.orders.append(
            {
                "order_id": f"shopify:{oid}",
                "order_number": f"#{number}",
                "status": status,
                "canceled_at": local.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S") if local else None,
                "amount_refunded": refunded,
            }
        )
        self.record(p, "shopify", email_key(email) or "")

    def square(self, p: dict | None, customer: str, name: str, when: str, total: str, *, reference: str = "") -> None:
        txn = self.next_id("TXN")
        day, clock = when.split(" ")
        self.rows["square_transactions.csv"].append(
            {
                "Date": day,
                "Time": clock,
                "Time Zone": "Central Time (US & Canada)",
                "Gross Sales": f"${total}",
                "Discounts": "$0.00",
                "Net Sales": f"${total}",
                "Tax": "$0.00",
                "Tip": "$0.00",
                "Partial Refunds": "$0.00",
                "Total Collected": f"${total}",
                "Transaction ID": txn,
                "Payment ID": "P" + txn,
                "Event Type": "Payment",
                "Customer ID": customer,
                "Customer Name": name,
                "Customer Reference ID": reference,
            }
        )
        self.payments.append(
            {
                "payment_id": f"square:P{txn}",
                "status": "succeeded",
                "amount": total,
                "currency": "USD",
                "amount_settled": total,
                "settlement_currency": "USD",
                "net_settled": total,
                "dispute_status": None,
            }
        )
        if p is not None:
            p["net_settled"] += Decimal(total)
            self.record(p, "square", customer)
        else:
            self.unlinked.append(f"square:P{txn}")

    def contact(
        self,
        p: dict,
        rid: str,
        first: str,
        last: str,
        email: str,
        created_local: str,
        *,
        stage: str = "Lead",
        company: str = "",
        stripe_id: str = "",
    ) -> None:
        self.rows["hubspot_contacts.csv"].append(
            {
                "Record ID": rid,
                "First Name": first,
                "Last Name": last,
                "Email": email,
                "Lifecycle Stage": stage,
                "Create Date": created_local,
                "Associated Company": company,
                "Original Source": "Organic Search",
                "Stripe Customer ID": stripe_id,
            }
        )
        utc = (
            datetime.strptime(created_local, "%Y-%m-%d %H:%M")
            .replace(tzinfo=ZoneInfo(CRM_ZONE))
            .astimezone(ZoneInfo("UTC"))
        )
        shown = re.sub(r"\s*\(\d+\)$", "", company)  # 'Brown Bakery (8001)': the company's record id is not its name
        self.contacts.append(
            {"contact_id": f"hubspot:{rid}", "company": shown or None, "created_at": utc.strftime("%Y-%m-%d %H:%M:%S")}
        )
        self.record(p, "hubspot", rid)


def _planted(b: _Book) -> None:
    maria = b.person("maria", "Maria Brown")  # her email changed under one Stripe customer id
    b.stripe_customer(maria, "cus_MARIA", "maria.brown@newmail.com", created="2024-01-03 09:00:00")
    b.charge(
        maria,
        "cus_MARIA",
        "mbrown@oldmail.com",
        "2024-01-10 10:00:00",
        "100.00",
        "eur",
        settled="108.50",
        card_name="M BROWN",
    )
    b.charge(
        maria,
        "cus_MARIA",
        "mbrown@oldmail.com",
        "2024-02-10 10:00:00",
        "80.00",
        "gbp",
        settled="101.20",
        refunded="20.00",
        refunded_settled="25.30",
        card_name="M BROWN",
    )
    b.charge(maria, "cus_MARIA", "maria.brown@newmail.com", "2024-04-10 10:00:00", "50.00", card_name="M BROWN")
    b.shop_order(
        maria, "Maria.Brown@NewMail.com", "2024-04-20 12:00:00 -0500", "35.00", billing="Maria Brown", zip_code="60601"
    )
    b.contact(
        maria,
        "5001",
        "Maria",
        "Brown",
        "mbrown@oldmail.com",
        "2023-12-20 09:30",
        stage="Customer",
        company="Brown Bakery (8001)",
    )

    ann1, ann2 = b.person("ann_acme", "Ann Lee"), b.person("ann_yahoo", "Ann Lee")  # two people, one name
    b.stripe_customer(ann1, "cus_ANN", "ann.lee@acme.com", name="Ann Lee", zip_code="94110")
    b.charge(ann1, "cus_ANN", "ann.lee@acme.com", "2024-02-01 08:00:00", "60.00", card_name="Ann Lee")
    b.shop_order(ann2, "annlee77@yahoo.com", "2024-03-01 12:00:00 -0500", "22.00", billing="Ann Lee", zip_code="10001")

    js = b.person("jsmith", "Jo Smith")  # gmail dots; one chargeback lost, one won
    b.stripe_customer(js, "cus_JS", "j.smith@gmail.com", name="Jo Smith")
    b.charge(js, "cus_JS", "j.smith@gmail.com", "2024-03-05 10:00:00", "70.00", dispute="lost")
    b.charge(js, "cus_JS", "j.smith@gmail.com", "2024-03-06 10:00:00", "45.00", dispute="won")
    b.shop_order(
        js, "JSmith@googlemail.com", "2024-03-09 12:00:00 -0500", "18.00", billing="Jo Smith", zip_code="30301"
    )

    kim = b.person("kim", "Kim Park")  # a +tag in Shopify; her order #1175 was refunded and cancelled
    b.shop_order(
        kim,
        "kim+shop@kimco.com",
        "2024-05-02 10:00:00 -0400",
        "40.00",
        billing="Kim Park",
        zip_code="78701",
        number=1175,
        status="refunded",
        cancelled="2024-05-03 09:30:00 -0400",
        refunded="40.00",
    )
    b.shop_order(kim, "kim@kimco.com", "2024-05-10 10:00:00 -0400", "12.00", billing="Kim Park", zip_code="78701")
    b.contact(kim, "5002", "Kim", "Park", "kim@kimco.com", "2024-04-01 16:45", stage="Customer", company="Kimco")

    sam = b.person("sam", "Sam Otieno")  # Square knows him by a HubSpot Record ID
    b.contact(sam, "5005", "Sam", "Otieno", "sam@otieno.io", "2024-02-14 08:00", stage="Customer")
    b.square(sam, "SQ-SAM", "Sam Otieno", "2024-02-20 09:15:00", "14.50", reference="5005")

    lee = b.person("lee", "Lee Chan")  # ... and her by a Stripe customer id
    b.stripe_customer(lee, "cus_LEE", "lee@chan.dev", name="Lee Chan")
    b.charge(lee, "cus_LEE", "lee@chan.dev", "2024-01-20 10:00:00", "25.00")
    b.square(lee, "SQ-LEE", "Lee Chan", "2024-02-21 11:00:00", "9.75", reference="cus_LEE")

    tom = b.person("tom", "Tom Hale", decision=True)  # two emails; only name + postal code say it is one person
    b.shop_order(tom, "tomh@work.io", "2024-03-15 12:00:00 -0500", "30.00", billing="Tom Hale", zip_code="02139")
    b.stripe_customer(tom, "cus_TOM", "t.hale@gmail.com", name="Tom Hale", zip_code="02139")
    b.charge(tom, "cus_TOM", "t.hale@gmail.com", "2024-03-20 10:00:00", "33.00")

    for i, (first, last) in enumerate(
        (("Lena", "Voss"), ("Omar", "Diallo"), ("Priya", "Rao"))
    ):  # leads who never bought
        lead = b.person(f"lead{i}", f"{first} {last}", bought=False)
        b.contact(lead, f"51{i}0", first, last, f"{first.lower()}@lead{i}.org", f"2024-0{i + 2}-11 23:30")
    b.square(None, "", "", "2024-03-01 13:00:00", "4.25")  # a walk-in: a payment that names nobody


def _ordinary(b: _Book, count: int) -> None:
    """People with nothing special about them, each through one or two tools."""
    names = b.rng.sample([(f, last) for f in FIRST for last in LAST], count)
    for i, (first, last) in enumerate(names):
        p = b.person(f"p{i:02d}", f"{first} {last}")
        email = f"{first.lower()}.{last.lower()}@example.net"
        kind = b.rng.choice(("stripe", "shopify", "both", "square_ref"))
        if kind in ("stripe", "both", "square_ref"):
            cid = f"cus_O{i:02d}"
            b.stripe_customer(p, cid, email, name=f"{first} {last}", zip_code=f"{10100 + i}")
            for k in range(b.rng.randint(1, 3)):
                b.charge(
                    p,
                    cid,
                    email,
                    f"2024-0{1 + k}-1{i % 9} 1{k}:00:00",
                    f"{b.rng.randint(10, 90)}.00",
                    card_name=f"{first[0]} {last}".upper(),
                )
            if kind == "square_ref":
                b.square(
                    p,
                    f"SQ-O{i:02d}",
                    f"{first} {last}",
                    f"2024-04-0{1 + i % 8} 10:00:00",
                    f"{b.rng.randint(3, 20)}.50",
                    reference=cid,
                )
        if kind in ("shopify", "both"):
            b.shop_order(
                p,
                email.upper() if i % 2 else email,
                f"2024-05-1{i % 9} 12:00:00 -0500",
                f"{b.rng.randint(10, 60)}.00",
                billing=f"{first} {last}",
                zip_code=f"{20100 + i}",
            )


def write_world(folder: Path, *, seed: int = 11, ordinary: int = 14) -> World:
    """Write the exports and `_truth/facts.json` into `folder`."""
    b = _Book(seed)
    _planted(b)
    _ordinary(b, ordinary)
    dup = b.rows["stripe_payments.csv"][1]
    b.rows["stripe_payments.csv"].append(dict(dup))  # an exact duplicate row: the export overlapped itself
    folder.mkdir(parents=True, exist_ok=True)
    headers = {
        "stripe_customers.csv": STRIPE_CUSTOMERS,
        "stripe_payments.csv": STRIPE_PAYMENTS,
        "shopify_orders.csv": SHOPIFY_ORDERS,
        "square_transactions.csv": SQUARE,
        "hubspot_contacts.csv": HUBSPOT,
    }
    files = {}
    for name, rows in b.rows.items():
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=headers[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows({h: row.get(h, "") for h in headers[name]} for row in rows)
        files[name] = path
    people = [{**p, "net_settled": str(p["net_settled"])} for p in b.people.values()]
    facts = {
        "crm_timezone": CRM_ZONE,
        "customers_before_decisions": sum(2 if p["needs_decision"] else 1 for p in people),
        "people": people,
        "payments": b.payments,
        "orders": b.orders,
        "contacts": b.contacts,
        "duplicate_rows": {"stripe_payments.csv": 1},
        "suggestions": [p["records"] for p in people if p["needs_decision"]],
        "unlinked_payments": b.unlinked,
    }
    truth = folder / "_truth" / "facts.json"
    truth.parent.mkdir(exist_ok=True)
    truth.write_text(json.dumps(facts, indent=1, sort_keys=True), encoding="utf-8")
    return World(folder, files, facts, truth)
