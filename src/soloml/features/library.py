"""Built-in features on core.*, as set-based SQL over every (entity, cutoff) of a population.

Each family is one CTE: the population joined to one core table, restricted to rows dated
before the cutoff, `[cutoff - window, cutoff)` (history tables: the version valid at the cutoff), grouped by
(entity_id, cutoff). Names are a contract: `today_rule.expression` in specs refers to them,
and docs/projects.md lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from soloml.canonical.schema import FIRST_PURCHASES
from soloml.projects.recipes.base import POPULATION_TABLE

WINDOWS = (30, 90, 180, 365)
PAID = "('succeeded', 'refunded', 'partially_refunded', 'charged_back')"  # charges that went through (refunds, chargebacks learned later)


@dataclass(frozen=True)
class Feature:
    name: str
    description: str
    categorical: bool = False


@dataclass(frozen=True)
class Family:
    """One CTE of features. `sql` selects entity_id, cutoff and the features' columns."""

    name: str
    tables: tuple[str, ...]
    features: tuple[Feature, ...]
    sql: str


def _win(col: str, days: int) -> str:
    return f"{col} >= p.cutoff - INTERVAL {days} DAY"


def _age(days: int) -> str:
    """Within the last `days` before the cutoff, on the precomputed age in seconds (same as _win)."""
    return f"age <= {days * 86400}"


def payments_family(key: str) -> Family:
    # Row flags and the age are computed once per joined row, then aggregated with cheap filters.
    feats, cols = [], []
    for w in WINDOWS:
        cols.append(f"count(*) FILTER (WHERE ok AND {_age(w)}) AS payments_{w}d")
        feats.append(Feature(f"payments_{w}d", f"successful payments in the last {w} days"))
    for w in WINDOWS:
        cols.append(
            f"coalesce(sum(amount) FILTER (WHERE ok AND {_age(w)}), 0)"
            f" - coalesce(sum(amount) FILTER (WHERE refund AND {_age(w)}), 0) AS revenue_{w}d"
        )
        feats.append(
            Feature(f"revenue_{w}d", f"money received in the last {w} days (in the settlement currency), less refunds")
        )
    cols.append("date_diff('day', max(paid_at) FILTER (WHERE ok), cutoff) AS days_since_last_payment")
    feats.append(Feature("days_since_last_payment", "days since the last successful payment (within a year)"))
    for w in (30, 90):
        cols.append(f"count(*) FILTER (WHERE failed AND {_age(w)}) AS failed_payments_{w}d")
        feats.append(Feature(f"failed_payments_{w}d", f"failed payments in the last {w} days"))
    for w in (30, 90):
        cols.append(f"count(*) FILTER (WHERE refund AND {_age(w)}) AS refunds_{w}d")
        feats.append(Feature(f"refunds_{w}d", f"refunds in the last {w} days"))
    cols.append(
        f"count(*) FILTER (WHERE ok AND {_age(90)}) - count(*) FILTER (WHERE ok AND NOT {_age(90)} AND {_age(180)}) AS payments_trend_90d"
    )
    feats.append(Feature("payments_trend_90d", "payments in the last 90 days minus the 90 days before"))
    rows = (
        f"SELECT p.entity_id, p.cutoff, x.paid_at, coalesce(x.amount_settled, x.amount) AS amount, epoch(p.cutoff) - epoch(x.paid_at) AS age, "
        f"x.kind = 'charge' AND x.status IN {PAID} AS ok, x.kind = 'charge' AND x.status = 'failed' AS failed, "
        f"x.kind = 'refund' AS refund FROM {POPULATION_TABLE} p "
        f"JOIN core.payments x ON x.customer_id = p.{key} AND x.paid_at < p.cutoff AND {_win('x.paid_at', 365)}"
    )
    sql = f"SELECT entity_id, cutoff, {', '.join(cols)} FROM ({rows}) AS r GROUP BY entity_id, cutoff"
    return Family("payments", ("payments",), tuple(feats), sql)


def orders_family(key: str) -> Family:
    feats, cols = [], []
    for w in WINDOWS:
        cols.append(f"count(*) FILTER (WHERE {_age(w)}) AS orders_{w}d")
        feats.append(Feature(f"orders_{w}d", f"orders in the last {w} days"))
    for w in WINDOWS:
        cols.append(f"coalesce(sum(total) FILTER (WHERE {_age(w)}), 0) AS order_value_{w}d")
        feats.append(Feature(f"order_value_{w}d", f"value of orders in the last {w} days"))
    cols += [
        "date_diff('day', max(ordered_at), cutoff) AS days_since_last_order",
        f"count(*) FILTER (WHERE {_age(30)}) - count(*) FILTER (WHERE NOT {_age(30)} AND {_age(60)}) AS orders_trend_30d",
        f"count(*) FILTER (WHERE {_age(90)}) - count(*) FILTER (WHERE NOT {_age(90)} AND {_age(180)}) AS orders_trend_90d",
        "CASE WHEN count(*) > 1 THEN date_diff('hour', min(ordered_at), max(ordered_at)) / 24.0 / (count(*) - 1) END AS order_gap_mean_days",
        "CASE WHEN count(*) > 1 THEN date_diff('hour', max(previous_at), max(ordered_at)) / 24.0 END AS order_gap_last_days",
        "avg(CASE WHEN discounted THEN 1.0 ELSE 0.0 END) AS discount_share_365d",
    ]
    feats += [
        Feature("days_since_last_order", "days since the last order (within a year)"),
        Feature("orders_trend_30d", "orders in the last 30 days minus the 30 days before"),
        Feature("orders_trend_90d", "orders in the last 90 days minus the 90 days before"),
        Feature("order_gap_mean_days", "average days between orders in the last year"),
        Feature("order_gap_last_days", "days between the last two orders"),
        Feature("discount_share_365d", "share of the last year's orders that used a discount"),
    ]
    # previous_at: the customer's order before this one. Over the orders before a cutoff its max is the second
    # latest (a tie counts twice), which is what max(ordered_at, 2) gave on DuckDB alone; one window over
    # core.orders, not one per cutoff, so it costs no more.
    previous = "(SELECT *, lag(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at) AS previous_at FROM core.orders)"
    rows = (
        "SELECT p.entity_id, p.cutoff, o.ordered_at, o.previous_at, o.total, epoch(p.cutoff) - epoch(o.ordered_at) AS age, "
        "coalesce(o.discount, 0) > 0 OR o.discount_code IS NOT NULL AS discounted "
        f"FROM {POPULATION_TABLE} p JOIN {previous} o ON o.customer_id = p.{key} AND o.ordered_at < p.cutoff AND {_win('o.ordered_at', 365)}"
    )
    sql = f"SELECT entity_id, cutoff, {', '.join(cols)} FROM ({rows}) AS r GROUP BY entity_id, cutoff"
    return Family("orders", ("orders",), tuple(feats), sql)


def products_family(key: str) -> Family:
    sql = (
        f"SELECT p.entity_id, p.cutoff, count(DISTINCT i.product) AS products_bought_365d FROM {POPULATION_TABLE} p "
        f"JOIN core.orders o ON o.customer_id = p.{key} AND o.ordered_at < p.cutoff AND {_win('o.ordered_at', 365)} "
        "JOIN core.order_items i ON i.order_id = o.order_id GROUP BY p.entity_id, p.cutoff"
    )
    return Family(
        "products",
        ("orders", "order_items"),
        (Feature("products_bought_365d", "different products bought in the last year"),),
        sql,
    )


def subscriptions_family(key: str) -> Family:
    # The version valid at the cutoff; a cancellation dated after the cutoff is not known yet.
    status = (
        "CASE WHEN (s.canceled_at IS NOT NULL AND s.canceled_at < p.cutoff) OR (s.ended_at IS NOT NULL AND s.ended_at < p.cutoff) THEN 'canceled' "
        "WHEN s.status = 'canceled' THEN 'active' ELSE s.status END"
    )
    sql = (
        "SELECT entity_id, cutoff, arg_max(plan, started_at) AS subscription_plan, arg_max(state, started_at) AS subscription_status, "
        "date_diff('day', max(started_at), cutoff) AS subscription_age_days, "
        "coalesce(sum(mrr) FILTER (WHERE state IN ('active', 'trialing', 'past_due')), 0) AS subscription_mrr, "
        "count(*) FILTER (WHERE state IN ('active', 'trialing', 'past_due')) AS active_subscriptions "
        f"FROM (SELECT p.entity_id, p.cutoff, s.plan, s.started_at, s.mrr, {status} AS state FROM {POPULATION_TABLE} p "
        f"JOIN core.subscriptions s ON s.customer_id = p.{key} AND s.started_at < p.cutoff "
        "AND s.valid_from <= p.cutoff AND (s.valid_to IS NULL OR s.valid_to > p.cutoff)) AS r "
        "GROUP BY entity_id, cutoff"
    )
    feats = (
        Feature("subscription_plan", "plan of the latest subscription", categorical=True),
        Feature("subscription_status", "status of the latest subscription", categorical=True),
        Feature("subscription_age_days", "days since the latest subscription started"),
        Feature("subscription_mrr", "monthly recurring revenue of running subscriptions"),
        Feature("active_subscriptions", "running subscriptions"),
    )
    return Family("subscriptions", ("subscriptions",), feats, sql)


def email_family(key: str, event_key: str) -> Family:
    feats, cols = [], []
    for kind, word in (("open", "opens"), ("click", "clicks")):
        for w in (30, 90, 180):
            cols.append(f"count(*) FILTER (WHERE event_type = '{kind}' AND {_age(w)}) AS email_{word}_{w}d")
            feats.append(
                Feature(
                    f"email_{word}_{w}d",
                    f"marketing emails {'opened' if kind == 'open' else 'clicked'} in the last {w} days",
                )
            )
    cols += [
        f"count(*) FILTER (WHERE event_type = 'sent' AND {_age(90)}) AS emails_sent_90d",
        "date_diff('day', max(occurred_at) FILTER (WHERE event_type IN ('open', 'click')), cutoff) AS days_since_email_engagement",
        "CAST(count(*) FILTER (WHERE event_type = 'unsubscribe') > 0 AS INTEGER) AS email_unsubscribed",
    ]
    feats += [
        Feature("emails_sent_90d", "marketing emails sent in the last 90 days"),
        Feature("days_since_email_engagement", "days since the last email open or click (within a year)"),
        Feature("email_unsubscribed", "1 if they unsubscribed from emails in the last year"),
    ]
    rows = (
        "SELECT p.entity_id, p.cutoff, e.event_type, e.occurred_at, epoch(p.cutoff) - epoch(e.occurred_at) AS age "
        f"FROM {POPULATION_TABLE} p JOIN core.marketing_events e ON e.{event_key} = p.{key} "
        f"AND e.occurred_at < p.cutoff AND {_win('e.occurred_at', 365)}"
    )
    sql = f"SELECT entity_id, cutoff, {', '.join(cols)} FROM ({rows}) AS r GROUP BY entity_id, cutoff"
    return Family("email", ("marketing_events",), tuple(feats), sql)


def crm_family(key: str, contact_key: str) -> Family:
    # a 'customer' stage in a snapshot whose conversion is dated after the cutoff was not known then
    stage = "CASE WHEN c.became_customer_at >= p.cutoff AND c.lifecycle_stage IN ('customer', 'evangelist') THEN NULL ELSE c.lifecycle_stage END"
    changed = "CASE WHEN c.stage_changed_at IS NOT NULL AND c.stage_changed_at < p.cutoff THEN c.stage_changed_at ELSE c.valid_from END"
    sql = (
        f"SELECT p.entity_id, p.cutoff, arg_max({stage}, c.created_at) AS lifecycle_stage, "
        f"date_diff('day', arg_max({changed}, c.created_at), p.cutoff) AS lifecycle_stage_age_days, "
        "arg_max(c.lead_source, c.created_at) AS lead_source, "
        "date_diff('day', min(c.created_at), p.cutoff) AS contact_age_days "
        f"FROM {POPULATION_TABLE} p JOIN core.contacts c ON c.{contact_key} = p.{key} AND c.created_at < p.cutoff "
        "AND c.valid_from <= p.cutoff AND (c.valid_to IS NULL OR c.valid_to > p.cutoff) GROUP BY p.entity_id, p.cutoff"
    )
    feats = (
        Feature("lifecycle_stage", "CRM lifecycle stage", categorical=True),
        Feature("lifecycle_stage_age_days", "days in the current CRM lifecycle stage"),
        Feature("lead_source", "where the lead came from", categorical=True),
        Feature("contact_age_days", "days since the CRM contact was created"),
    )
    return Family("crm", ("contacts",), feats, sql)


def deals_family(key: str, deal_key: str) -> Family:
    open_ = "(d.closed_at IS NULL OR d.closed_at >= p.cutoff)"
    sql = (
        f"SELECT p.entity_id, p.cutoff, count(*) FILTER (WHERE {open_}) AS open_deals, "
        f"coalesce(sum(d.amount) FILTER (WHERE {open_}), 0) AS open_deal_amount, "
        f"count(*) FILTER (WHERE d.won AND d.closed_at < p.cutoff AND {_win('d.closed_at', 365)}) AS deals_won_365d "
        f"FROM {POPULATION_TABLE} p JOIN core.deals d ON d.{deal_key} = p.{key} AND d.created_at < p.cutoff "
        "AND d.valid_from <= p.cutoff AND (d.valid_to IS NULL OR d.valid_to > p.cutoff) GROUP BY p.entity_id, p.cutoff"
    )
    feats = (
        Feature("open_deals", "open sales deals"),
        Feature("open_deal_amount", "value of open sales deals"),
        Feature("deals_won_365d", "deals won in the last year"),
    )
    return Family("deals", ("deals",), feats, sql)


def tenure_family(key: str) -> Family:
    sql = (
        "SELECT p.entity_id, p.cutoff, date_diff('day', min(c.first_purchase_at), p.cutoff) AS tenure_days "
        f"FROM {POPULATION_TABLE} p JOIN ({FIRST_PURCHASES}) c ON c.customer_id = p.{key} AND c.first_purchase_at < p.cutoff "
        "GROUP BY p.entity_id, p.cutoff"
    )
    return Family(
        "tenure",
        ("payments", "orders", "subscriptions"),
        (Feature("tenure_days", "days since their first purchase"),),
        sql,
    )


# Computed from the families above in the final SELECT; {name} stands for that feature's expression.
DERIVED = (
    (
        Feature("days_since_last_activity", "days since the last payment or order (within a year)"),
        "least({days_since_last_payment}, {days_since_last_order})",
        ("payments", "orders"),
    ),
)


def families_for(entity: str) -> tuple[Family, ...]:
    """The built-in feature families for a recipe's entity ('customer' or 'contact')."""
    if entity == "customer":
        return (
            tenure_family("customer_id"),
            payments_family("customer_id"),
            orders_family("customer_id"),
            products_family("customer_id"),
            subscriptions_family("customer_id"),
            email_family("customer_id", "customer_id"),
            crm_family("customer_id", "customer_id"),
            deals_family("customer_id", "customer_id"),
        )
    if entity == "contact":
        return (
            crm_family("entity_id", "contact_id"),
            email_family("email", "email"),
            deals_family("entity_id", "contact_id"),
            payments_family("customer_id"),
            orders_family("customer_id"),
        )
    return ()


def catalog(entity: str) -> dict[str, Feature]:
    """Every built-in feature name for an entity, with its description."""
    out: dict[str, Feature] = {}
    families = families_for(entity)
    names = {f.name for f in families}
    for fam in families:
        for feat in fam.features:
            out[feat.name] = feat
    for feat, _, needs in DERIVED:
        if set(needs) <= names:
            out[feat.name] = feat
    return out
