"""The wording rules of docs/experiments.md, one row each: what a CEO reads never misleads."""

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from soloml.experiments import words
from soloml.experiments.analysis import analyze_experiment
from soloml.experiments.assignment import assign_units
from soloml.experiments.counts import analyze_counts, parse_counts
from soloml.experiments.paragraph import plain_paragraph
from soloml.experiments.spec import ExperimentSpec

TODAY = date(2026, 6, 1)


def spec(**overrides):
    raw = {
        "name": "subject-line",
        "split_by": "Mailchimp",
        "unit": "customer",
        "variants": {"old": 1, "new": 1},
        "labels": {"old": "the old subject line", "new": "the new subject line"},
        "primary": {
            "name": "bought",
            "kind": "conversion",
            "unit_words": "customers",
            "verb": "brought back",
            "value_per_unit": 40,
        },
    }
    raw.update(overrides)
    return ExperimentSpec.model_validate(raw)


def read(counts, **overrides):
    s = spec(**overrides)
    _, arms = parse_counts(counts)
    r = analyze_counts(s, arms, today=TODAY)
    facts = r.to_facts()
    texts = [r.headline, *r.details, plain_paragraph(r), facts["decision_words"]]
    return r, facts, "\n".join(texts)


WIN = "old=120/1500,new=171/1500"
LOSS = "old=171/1500,new=120/1500"
NOISE = "old=120/1500,new=128/1500"
HUGE = "old=100/5000,new=400/5000"
FUTURE = {"start": str(TODAY - timedelta(days=10)), "end": str(TODAY + timedelta(days=20))}

RULES = [
    # (rule, counts, spec overrides, pattern that must NOT appear, pattern that MUST appear)
    ("the variant's label, not its code", WIN, {}, r"\b(variant 'new'|ship new)\b", r"the new subject line"),
    ("the unit's own word, never 'units'", WIN, {}, r"\bunits\b", r"1,500 customers"),
    ("'95% CI' said in words", WIN, {}, r"\bCI\b", r"with 95% confidence"),
    ("no double negative: a fall is a range of 'fewer'", LOSS, {}, r"fewer[^.]*-\d", r"between \d+ and \d+ fewer"),
    (
        "expected loss never reads as a gain",
        WIN,
        {},
        r"expected loss \+|loss \+",
        r"if new is chosen and is in fact worse, it costs on average \d",
    ),
    ("no '100.0%' chance", HUGE, {}, r"100\.0%|0\.0% chance", r"> 99\.9% chance"),
    ("no '0.0%' chance", "old=400/5000,new=100/5000", {}, r"\b0\.0% chance|100\.0%", r"< 0\.1% chance"),
    ("no '-0'", NOISE, {}, r"(?<![\d.])-0(?![.,\d])", r"likely"),
    ("no dollar value while it is too early to call", NOISE, FUTURE, r"\$", r"Early look"),
    ("no dollar value for an effect that could be chance", NOISE, {}, r"\$", r"could well be chance"),
]


@pytest.mark.parametrize("rule, counts, overrides, forbidden, required", RULES, ids=[r[0] for r in RULES])
def test_wording_rule(rule, counts, overrides, forbidden, required):
    _, _, text = read(counts, **overrides)
    assert not re.search(forbidden, text), f"{rule}: found {re.search(forbidden, text).group(0)!r} in\n{text}"
    assert re.search(required, text), f"{rule}: missing {required!r} in\n{text}"


def test_a_ship_is_never_printed_next_to_an_interval_that_includes_zero():
    r, facts, text = read(
        "old=1200/15000,new=1310/15000"
    )  # significant at the end; the always-valid interval still spans 0
    assert facts["decision"] == "ship new"
    best = r.best()
    assert best.sequential.ci_low < 0 < best.lift.ci_low
    assert words.percent_points(best.sequential.ci_low) not in text and "always-valid" not in text
    assert facts["decision_ci_low"] > 0


def test_one_effect_has_one_dollar_figure_wherever_it_is_said():
    _, _, text = read(WIN)
    assert set(re.findall(r"\$[\d,.]+\d", text)) == {"$2,040"}


@pytest.mark.parametrize(
    "value, expected",
    [(-0.3, "0"), (-0.0, "0"), (0.4, "0"), (-1.2, "-1"), (12_245.4, "12,245")],
)
def test_numbers_never_round_to_minus_zero(value, expected):
    assert words.number(value) == expected


@pytest.mark.parametrize(
    "p, expected", [(1.0, "> 99.9%"), (0.99951, "> 99.9%"), (0.0, "< 0.1%"), (0.0004, "< 0.1%"), (0.5, "50.0%")]
)
def test_chances_at_the_extremes_say_more_or_less_than(p, expected):
    assert words.chance(p) == expected


def test_mean_metric_headline_says_the_per_customer_effect_and_the_total_separately(con):
    s = ExperimentSpec.model_validate(
        {
            "name": "offer",
            "description": "The retention offer",
            "salt": "nov",
            "variants": {"control": 1, "offer": 1},
            "primary": {
                "name": "spend",
                "kind": "mean",
                "sql": "SELECT unit_id, value FROM outcome",
                "unit_words": "dollars per customer",
                "verb": "spent",
            },
        }
    )
    ids = [f"cus_{i}" for i in range(10_000)]
    assign_units(con, s, ids)
    arm = dict(con.execute("SELECT unit_id, variant FROM ops.exposures").fetchall())
    rng = np.random.default_rng(7)
    treated = np.array([arm[u] == "offer" for u in ids])
    con.register("df", pd.DataFrame({"unit_id": ids, "value": rng.gamma(2.0, 20.0, len(ids)) + 2.45 * treated}))
    con.execute("CREATE TABLE outcome AS SELECT * FROM df")
    r = analyze_experiment(con, s)
    est, n = r.best().lift.estimate, int(treated.sum())
    assert (
        f"Each customer who got the retention offer spent {words.money(est)} more than the control group" in r.headline
    )
    assert f"about {words.money(est * n)} over the {n:,} who got it" in r.headline
    assert f"{est * n:,.0f}" not in r.headline and "dollars per customer" not in r.headline


def test_a_money_metric_cannot_also_be_priced():
    with pytest.raises(ValueError, match="priced twice"):
        spec(primary={"name": "spend", "kind": "mean", "currency": "USD", "value_per_unit": 1.0})
