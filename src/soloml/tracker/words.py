"""Numbers and names in the words a stakeholder reads: money, shares, dates, metric labels, verdicts."""

from __future__ import annotations

from datetime import date

from soloml.modeling.verdict import VERDICT_WORDS as VERDICT_WORDS  # re-exported: the wording modules read it here

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$"}
CYCLE_WORDS = {"daily": "a day", "weekly": "a week", "monthly": "a month"}
CYCLE_NOUNS = {"daily": "day", "weekly": "week", "monthly": "month"}
CYCLE_DAYS = {"daily": 1.0, "weekly": 7.0, "monthly": 365.25 / 12}
BASELINE_WORDS = {"prior": "doing nothing", "today_rule": "today's rule", "random": "a random pick"}
METRIC_LABELS = {
    "precision_at_capacity": "hit rate among those acted on",
    "roc_auc": "ranking quality",
    "pr_auc": "ranking quality on the rare cases",
    "log_loss": "probability error (log loss)",
    "multi_logloss": "probability error (log loss)",
    "rmse": "typical error",
    "mae": "average error",
    "mape": "average error in percent",
    "accuracy": "accuracy",
}
PERCENT_METRICS = ("precision_at_capacity", "accuracy", "mape")


def money(amount: float, currency: str = "USD") -> str:
    """$1,230 — three significant figures above 100, like a person says it; the sign is the caller's words."""
    amount = abs(float(amount))
    if amount >= 100:
        amount = round(amount, -(len(str(int(amount))) - 3))
        text = f"{amount:,.0f}"
    else:
        text = f"{amount:,.2f}".removesuffix(".00")
    symbol = SYMBOLS.get(currency.upper())
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


def share(value: float, digits: int = 0) -> str:
    """A share between 0 and 1 as a bounded percentage: never '100%' for 0.9996, never '0%' for 0.0004."""
    if value <= 0:
        return "0%"
    if value >= 1:
        return "100%"
    if value < 0.001:
        return "under 0.1%"
    if value > 0.999:
        return "over 99.9%"
    return f"{value:.{digits}%}" if 0.01 <= value <= 0.99 else f"{value:.{max(digits, 1)}%}"


def metric_label(metric: str | None) -> str:
    return METRIC_LABELS.get(metric or "", (metric or "the metric").replace("_", " "))


def metric_value(metric: str | None, value: float | None) -> str:
    if value is None:
        return "not measured"
    if metric in PERCENT_METRICS:
        return share(value, 1)
    text = f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return "0" if text.strip("-0.,") == "" else text


def done_line(metric: str, value: float, higher_is_better: bool) -> str:
    """'at least 35%' (the Metric column names the metric)."""
    return f"{'at least' if higher_is_better else 'at most'} {metric_value(metric, value)}"


def per_cycle(cycle: str | None) -> str:
    return CYCLE_WORDS.get(cycle or "weekly", "a cycle")


def day(value: date) -> str:
    """ISO date, the one form no reader misreads."""
    return value.isoformat()


def days_between(earlier: date, later: date) -> str:
    n = (later - earlier).days
    return "1 day" if abs(n) == 1 else f"{abs(n):,} days"


def ordinal(n: int) -> str:
    words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
    return words.get(n, f"number {n}")


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
