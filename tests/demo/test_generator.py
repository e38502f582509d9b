"""The Bluebird exports look and behave like the files a real owner downloads."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from bluebird_helpers import normalise, owners, read

from soloml.demo.generator import generate_bluebird
from soloml.errors import SolomlError

# The headers exactly as the vendors' dashboards export them (issue 2, item 7).
HEADERS = {
    "stripe_payments": "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Converted Amount Refunded,Fee,Tax,Converted Currency,Mode,Status,Statement Descriptor,Customer ID,Customer Description,Customer Email,Captured,Card ID,Card Last4,Card Brand,Card Funding,Card Exp Month,Card Exp Year,Card Name,Card Address Country,Card Issue Country,Invoice ID,Invoice Number,PaymentIntent ID",
    "stripe_subscriptions": "id,Customer ID,Customer Description,Customer Email,Plan,Product,Quantity,Currency,Interval,Amount,Status,Created (UTC),Start (UTC),Current Period Start (UTC),Current Period End (UTC),Trial Start (UTC),Trial End (UTC),Canceled At (UTC),Cancel At Period End,Ended At (UTC),Coupon",
    "shopify_orders": "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing City,Billing Zip,Billing Country,Shipping Name,Shipping City,Shipping Zip,Shipping Country,Notes,Cancelled at,Payment Method,Refunded Amount,Vendor,Id,Tags,Risk Level,Source,Lineitem discount,Phone",
    "hubspot_contacts": "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Lead Status,Contact owner,Create Date,Last Activity Date,Company Name,Original Source,Stripe Customer ID",
    "mailchimp_activity": "Email Address,First Name,Last Name,Campaign Title,Action,Timestamp,URL",
}

UTC = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
MONEY = r"\d+\.\d\d"

# (export, column, pattern every non-empty value matches)
FORMATS = [
    ("stripe_payments", "id", r"(ch|py)_[0-9A-Za-z]{24}"),
    ("stripe_payments", "Created (UTC)", UTC),
    ("stripe_payments", "Amount", MONEY),
    ("stripe_payments", "Amount Refunded", MONEY),
    ("stripe_payments", "Currency", r"usd"),
    ("stripe_payments", "Mode", r"Live|Test"),
    ("stripe_payments", "Status", r"Paid|Failed|Refunded|Partially Refunded"),
    ("stripe_payments", "Customer ID", r"cus_[0-9A-Za-z]{14}"),
    ("stripe_payments", "Card Last4", r"\d{4}"),
    ("stripe_subscriptions", "id", r"sub_[0-9A-Za-z]{24}"),
    ("stripe_subscriptions", "Status", r"active|past_due|canceled|trialing|unpaid"),
    ("stripe_subscriptions", "Interval", r"month|year"),
    ("stripe_subscriptions", "Amount", MONEY),
    ("stripe_subscriptions", "Canceled At (UTC)", UTC),
    ("shopify_orders", "Name", r"#\d{4,}"),
    ("shopify_orders", "Created at", UTC + r" -0[45]00"),
    ("shopify_orders", "Financial Status", r"paid|refunded|partially_refunded|pending|voided"),
    ("shopify_orders", "Total", MONEY),
    ("shopify_orders", "Billing Zip", r"\d{5}"),
    ("hubspot_contacts", "Create Date", r"\d{4}-\d\d-\d\d \d\d:\d\d"),
    (
        "hubspot_contacts",
        "Lifecycle Stage",
        r"Subscriber|Lead|Marketing Qualified Lead|Sales Qualified Lead|Opportunity|Customer",
    ),
    ("hubspot_contacts", "Stripe Customer ID", r"cus_[0-9A-Za-z]{14}"),
    ("mailchimp_activity", "Action", r"sent|open|click|bounce|unsubscribe"),
    ("mailchimp_activity", "Timestamp", UTC),
]


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_gives_byte_identical_files(small, tmp_path):
    again = generate_bluebird(tmp_path / "again", customers=600, seed=7)
    for name, path in small.files.items():
        assert sha(path) == sha(again.files[name]), name
    assert sha(small.truth) == sha(again.truth)


def test_another_seed_gives_another_business(small, tmp_path):
    other = generate_bluebird(tmp_path / "other", customers=600, seed=8)
    assert all(sha(path) != sha(other.files[name]) for name, path in small.files.items())


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_header_is_exactly_the_vendors_export_header(small, name):
    first_line = small.files[name].read_text(encoding="utf-8").split("\n", 1)[0]
    assert first_line == HEADERS[name]


@pytest.mark.parametrize(("name", "column", "pattern"), FORMATS)
def test_values_have_the_vendors_format(frames, name, column, pattern):
    values = frames[name][column]
    values = values[values != ""]
    assert len(values) > 0
    bad = values[~values.str.fullmatch(pattern)]
    assert bad.empty, f"{name}.{column}: {bad.head(3).tolist()}"


def test_row_counts_match_what_the_generator_reports(small, frames):
    assert {name: len(frames[name]) for name in small.files} == small.rows


def test_history_ends_on_the_fixed_end_date_not_today(frames, small):
    end = pd.Timestamp(small.end_date)
    payments = pd.to_datetime(frames["stripe_payments"]["Created (UTC)"])
    events = pd.to_datetime(frames["mailchimp_activity"]["Timestamp"])
    orders = pd.to_datetime(frames["shopify_orders"]["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True)
    assert payments.max() < end and events.max() < end and orders.max() < end.tz_localize("UTC")
    assert payments.min() >= end - pd.DateOffset(months=25)


def test_shopify_uses_summer_and_winter_offsets(frames):
    offsets = set(frames["shopify_orders"]["Created at"].str[-5:])
    assert offsets == {"-0400", "-0500"}


def test_shopify_order_columns_only_on_an_orders_first_line(frames):
    orders = frames["shopify_orders"]
    first = ~orders.duplicated("Name")  # a repeated order (pasted twice) restarts with a full line
    later = orders[~first & (orders["Financial Status"] == "")]
    assert len(later) > 0
    for column in ("Financial Status", "Total", "Subtotal", "Billing Zip", "Currency", "Payment Method"):
        assert (later[column] == "").all(), column
    for column in ("Name", "Email", "Lineitem name", "Lineitem quantity", "Lineitem price"):
        assert (orders[column] != "").mean() > 0.98, column
    assert (orders.loc[first, "Financial Status"] != "").all()


def test_an_order_lists_each_product_once_apart_from_pasted_repeats(frames):
    lines = frames["shopify_orders"].drop_duplicates()
    assert not lines.duplicated(["Name", "Lineitem sku"]).any()


def test_shopify_totals_add_up(frames):
    o = frames["shopify_orders"]
    o = o[o["Financial Status"] != ""]
    money = {c: o[c].astype(float) for c in ("Subtotal", "Shipping", "Taxes", "Total", "Discount Amount")}
    total = money["Subtotal"] - money["Discount Amount"] + money["Shipping"] + money["Taxes"]
    assert (total.round(2) == money["Total"]).all()


def test_billing_zips_keep_their_leading_zeros(frames):
    assert frames["shopify_orders"]["Billing Zip"].str.startswith("0").any()


def test_mailchimp_urls_only_on_clicks(frames):
    mc = frames["mailchimp_activity"]
    assert (mc.loc[mc["Action"] == "click", "URL"] != "").all()
    assert (mc.loc[mc["Action"] != "click", "URL"] == "").all()


@pytest.mark.parametrize("name", ["stripe_payments", "shopify_orders", "hubspot_contacts", "mailchimp_activity"])
def test_exports_hold_exact_duplicate_rows(frames, name):
    assert frames[name].duplicated().sum() > 0


def test_stripe_payments_hold_test_mode_rows_failures_and_refunds(frames):
    p = frames["stripe_payments"]
    assert (p["Mode"] == "Test").sum() >= 12
    counts = p.loc[p["Mode"] == "Live", "Status"].value_counts()
    assert counts["Failed"] > 0 and counts["Refunded"] > 0 and counts["Partially Refunded"] > 0
    failed = p[p["Status"] == "Failed"]
    assert (failed["Seller Message"] != "Payment complete.").all() and (failed["Captured"] == "false").all()


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("stripe_payments", "Customer Email"),
        ("shopify_orders", "Email"),
        ("hubspot_contacts", "Email"),
        ("mailchimp_activity", "Email Address"),
    ],
)
def test_emails_come_with_stray_spaces_and_mixed_case(frames, name, column):
    emails = frames[name][column]
    emails = emails[emails != ""]
    assert (emails != emails.str.strip()).any()
    assert (emails.str.strip() != emails.str.strip().str.lower()).any()


def test_some_people_use_gmail_dots_plus_tags_or_another_address(frames):
    truth = frames["truth"]
    multi = truth[truth["emails"].str.contains(";")]
    variants = multi["emails"].str.split(";")
    assert variants.map(lambda e: len({normalise(x) for x in e}) == 1).any()  # dots / +tags: same inbox
    assert variants.map(lambda e: len({normalise(x) for x in e}) > 1).any()  # a second, different address
    assert variants.map(lambda e: any("+" in x for x in e)).any()


def test_hubspot_links_every_person_whose_stripe_address_is_different(frames):
    truth, hubspot, payments = frames["truth"], frames["hubspot_contacts"], frames["stripe_payments"]
    linked = set(hubspot.loc[hubspot["Stripe Customer ID"] != "", "Stripe Customer ID"])
    stripe_email = payments[payments["Mode"] == "Live"].groupby("Customer ID")["Customer Email"].first()
    two = truth[truth["emails"].str.split(";").map(lambda e: len({normalise(x) for x in e}) > 1)]
    assert len(two) > 0
    for _, person in two.iterrows():
        assert person["stripe_customer_id"] in linked
        shop_email = person["emails"].split(";")[0]
        if person["stripe_customer_id"] in stripe_email.index and stripe_email[person["stripe_customer_id"]]:
            assert normalise(stripe_email[person["stripe_customer_id"]]) != normalise(shop_email)


def test_some_values_are_missing(frames):
    assert (frames["hubspot_contacts"]["Last Name"] == "").any()
    assert (frames["shopify_orders"]["Phone"] == "").any()
    live = frames["stripe_payments"][frames["stripe_payments"]["Mode"] == "Live"]
    assert (live["Customer Email"] == "").any()


def test_churned_customers_stop_paying_and_ordering(frames):
    truth = frames["truth"]
    churned = truth[truth["churned_at"] != ""].set_index("stripe_customer_id")
    assert len(churned) > 0
    p = frames["stripe_payments"]
    live = p[(p["Mode"] == "Live") & p["Customer ID"].isin(churned.index)]
    after = (
        pd.to_datetime(live["Created (UTC)"])
        > pd.to_datetime(churned.loc[live["Customer ID"], "churned_at"]).to_numpy()
    )
    assert not after.any()
    subs = frames["stripe_subscriptions"]
    canceled = subs[subs["Customer ID"].isin(churned.index)]
    assert (canceled["Canceled At (UTC)"] != "").all()

    churned_at = pd.to_datetime(truth.set_index("person_id")["churned_at"].replace("", None))
    orders = frames["shopify_orders"]
    orders = orders[orders["Email"] != ""]
    owner = owners(truth)
    person = orders["Email"].map(lambda e: owner.get(normalise(e)))
    placed = pd.to_datetime(orders["Created at"], format="%Y-%m-%d %H:%M:%S %z", utc=True).dt.tz_localize(None)
    limit = churned_at.reindex(person).to_numpy()
    assert person.notna().all()
    assert not (placed.to_numpy() > limit).any()


def test_canceled_subscriptions_are_churners_in_the_truth(frames):
    truth = frames["truth"].set_index("stripe_customer_id")
    subs = frames["stripe_subscriptions"]
    ended = subs[subs["Status"].isin(["canceled", "unpaid"])]
    assert (truth.loc[ended["Customer ID"], "churned_at"] != "").all()


def test_truth_file_is_not_among_the_exports(small):
    assert small.truth.parent.name == "_truth"
    assert small.truth not in small.paths
    assert read(small.truth)["person_id"].is_unique


@pytest.mark.parametrize("customers", [0, 5, 10_000_000])
def test_an_impossible_number_of_customers_is_refused_with_the_allowed_range(tmp_path, customers):
    with pytest.raises(SolomlError, match=r"between 20 and 200,000 customers; got"):
        generate_bluebird(tmp_path, customers=customers)
    assert not list(tmp_path.iterdir())
