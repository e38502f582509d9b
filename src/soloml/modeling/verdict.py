"""The done verdict: stop and ship, keep going, or not worth it — always with the numbers behind it.

    DONE          the model meets the spec's done threshold (and its required lift over today's rule)
    KEEP_GOING    it beats the baselines by a meaningful margin but not the threshold; says what to try
    NOT_WORTH_IT  it does not beat the best baseline by a meaningful margin; says why

"Meaningful" is the 95% bootstrap interval of (model - best baseline) lying wholly on the better side;
without an interval, a fixed margin of 1% of the baseline's value (at least 0.005).

Without agreed business inputs (the quick path's project) the done line is soloml's default, not a
stakeholder's: the verdict says so and never tells anyone to ship on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from soloml.errors import ModelError
from soloml.modeling.metrics import HIGHER_IS_BETTER, METRIC_NAMES

Decision = Literal["DONE", "KEEP_GOING", "NOT_WORTH_IT"]
FIXED_MARGIN = 0.01
MIN_MARGIN = 0.005
# A verdict code in the words a stakeholder reads (the code itself stays in --json).
VERDICT_WORDS = {"DONE": "done", "KEEP_GOING": "not there yet", "NOT_WORTH_IT": "not better than today's way"}
BASELINE_WORDS = {"prior": "no model", "today_rule": "today's rule", "median": "the median (a naive rule)"}

# feature families a churn / conversion / spend model usually draws on: name -> (words in feature names, the gap in words)
FAMILIES: dict[str, tuple[tuple[str, ...], str]] = {
    "email": (
        ("email", "open", "click"),
        "no email engagement data (e.g. a Mailchimp activity export) is loaded; opens and clicks often signal churn or intent",
    ),
    "payments": (("payment", "failed", "refund"), "no payment data (e.g. a Stripe payments export) is loaded"),
    "orders": (("order",), "no order data (e.g. a Shopify orders export) is loaded"),
    "subscriptions": (("subscription", "plan"), "no subscription data (e.g. a Stripe subscriptions export) is loaded"),
}


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    headline: str
    reasons: tuple[str, ...]
    next_steps: tuple[str, ...]
    metric: str
    model_value: float
    best_baseline: str
    best_baseline_value: float
    done_value: float
    lift_over_rule: float | None
    difference_ci: tuple[float, float] | None


def decide(
    *,
    metric: str,
    model: float,
    baselines: Mapping[str, float | None],
    done_value: float,
    min_lift_over_rule: float = 0.0,
    difference_ci: tuple[float, float] | None = None,
    suggestions: Sequence[str] = (),
    agreed: bool = True,
    project: str = "PROJECT",
) -> Verdict:
    """The verdict for `model`'s value of `metric` against the baselines' values and the done line.

    `difference_ci` is the 95% interval of model - best baseline, in the metric's own units. `agreed`
    False: the done line is a default and no business inputs exist (see the module docstring).
    """
    if metric not in HIGHER_IS_BETTER:
        raise ModelError(
            f"The done metric '{metric}' is unknown.", hint="Use one of: " + ", ".join(HIGHER_IS_BETTER) + "."
        )
    if model is None or math.isnan(model):
        raise ModelError(
            f"The model's {metric} could not be computed on the validation rows.",
            hint="Check the validation rows hold both label values.",
        )
    up = HIGHER_IS_BETTER[metric]
    known = {k: v for k, v in baselines.items() if v is not None and not math.isnan(v)}
    if not known:
        raise ModelError(f"No baseline has a {metric}; there is nothing to compare the model with.")
    best = max(known, key=lambda k: known[k] if up else -known[k])
    best_value = known[best]
    gain = (model - best_value) if up else (best_value - model)
    if difference_ci is not None:
        low = difference_ci[0] if up else -difference_ci[1]
        meaningful = low > 0
        margin_words = (
            f"95% interval of the difference {_signed(difference_ci[0], metric)} to {_signed(difference_ci[1], metric)}"
        )
    else:
        margin = max(MIN_MARGIN, FIXED_MARGIN * abs(best_value))
        meaningful = gain > margin
        margin_words = f"the margin needed is {format_metric(margin, metric)}"
    name = METRIC_NAMES.get(metric, metric)
    rule = known.get("today_rule")
    lift = None
    if rule is not None and rule != 0:
        lift = (model - rule) / abs(rule) if up else (rule - model) / abs(rule)
    facts = [
        f"model {name} {format_metric(model, metric)}",
        *(f"{BASELINE_WORDS.get(k, k)} {format_metric(v, metric)}" for k, v in known.items()),
        f"done line {format_metric(done_value, metric)}",
    ]
    if lift is not None:
        facts.append(f"lift over today's rule {lift:+.0%} (required {min_lift_over_rule:+.0%})")
    if not meaningful:
        headline = (
            f"Not worth it yet: the model's {name} ({format_metric(model, metric)}) is not meaningfully better than "
            f"{BASELINE_WORDS.get(best, best)} ({format_metric(best_value, metric)}); {margin_words}."
        )
        steps = ("Keep today's way of deciding for now.", *suggestions)
        return Verdict(
            "NOT_WORTH_IT",
            headline,
            tuple(facts),
            tuple(steps),
            metric,
            model,
            best,
            best_value,
            done_value,
            lift,
            difference_ci,
        )
    meets_line = model >= done_value if up else model <= done_value
    meets_lift = lift is None or lift >= min_lift_over_rule
    interview = f"Agree what acting is worth: `soloml interview {project}` asks what a right call is worth, what an action costs and how many you can act on; the money figures need it."
    if meets_line and meets_lift:
        if not agreed:
            headline = (
                f"Done by soloml's default line: the model's {name} ({format_metric(model, metric)}) meets {format_metric(done_value, metric)} and beats "
                f"{BASELINE_WORDS.get(best, best)} ({format_metric(best_value, metric)}) meaningfully ({margin_words}). That line is a default, "
                "not one agreed with anyone, so this says the model has learnt something, not that it is worth shipping."
            )
            return Verdict(
                "DONE",
                headline,
                tuple(facts),
                (interview,),
                metric,
                model,
                best,
                best_value,
                done_value,
                lift,
                difference_ci,
            )
        headline = f"Done: the model's {name} ({format_metric(model, metric)}) meets the done line ({format_metric(done_value, metric)}) and beats {BASELINE_WORDS.get(best, best)} ({format_metric(best_value, metric)}). Stop here and ship it."
        return Verdict(
            "DONE",
            headline,
            tuple(facts),
            ("Promote it (`soloml promote`) and start an A/B test to prove the impact.",),
            metric,
            model,
            best,
            best_value,
            done_value,
            lift,
            difference_ci,
        )
    short = []
    if not meets_line:
        short.append(f"the done line is {format_metric(done_value, metric)}")
    if not meets_lift:
        short.append(f"it needs {min_lift_over_rule:+.0%} over today's rule and has {lift:+.0%}")
    line = "the done line" if agreed else "soloml's default done line"
    short = [s.replace("the done line", line) for s in short]
    headline = f"Keep going: the model's {name} ({format_metric(model, metric)}) beats {BASELINE_WORDS.get(best, best)} ({format_metric(best_value, metric)}) but {' and '.join(short)}."
    steps = tuple(suggestions) if agreed else (interview, *suggestions)
    return Verdict(
        "KEEP_GOING", headline, tuple(facts), steps, metric, model, best, best_value, done_value, lift, difference_ci
    )


def suggest(
    *,
    project: str = "PROJECT",
    features: Sequence[str],
    recipe: str,
    n_snapshots: int,
    n_rows: int,
    tuned: bool,
    top_features: Sequence[str],
) -> tuple[str, ...]:
    """What to try next, most promising first: more history, named data gaps, a feature family, tuning."""
    out = []
    if n_snapshots and n_snapshots < 12:
        out.append(
            f"More history: the model learnt from {n_snapshots} snapshot(s) ({n_rows} rows); load older exports to give it more."
        )
    elif n_rows < 1000:
        out.append(f"More rows: only {n_rows} rows to learn from.")
    if recipe in ("churn", "buy_again", "conversion", "spend"):
        lowered = [f.lower() for f in features]
        for words, gap in FAMILIES.values():
            if not any(w in name for name in lowered for w in words):
                out.append(f"Data gap: {gap}.")
    if top_features:
        out.append(
            f"Feature family: add more features like '{top_features[0]}' (the strongest signal), e.g. other windows or trends of it, as SQL in features/."
        )
    if not tuned:
        out.append(f"Tuning: try `soloml train {project} --tune 30` for a small hyper-parameter search.")
    return tuple(out)


UNIT_METRICS = ("rmse", "mae")  # in the target's own units


def format_metric(value: float, metric: str) -> str:
    if metric in ("precision_at_capacity", "accuracy"):
        return f"{value:.1%}"
    if metric in UNIT_METRICS and abs(value) >= 100:
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.1f}"
    return f"{value:.3f}"


def _signed(value: float, metric: str) -> str:
    if metric in ("precision_at_capacity", "accuracy"):
        return f"{value * 100:+.1f} points"
    if metric in UNIT_METRICS and abs(value) >= 100:
        return f"{value:+,.0f}" if abs(value) >= 1000 else f"{value:+.1f}"
    return f"{value:+.3f}"
