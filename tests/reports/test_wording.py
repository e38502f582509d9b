"""The wording rules (docs/wording.md) as a table: text a person would trip on -> the rule it breaks."""

from __future__ import annotations

import pytest

from soloml.reports.wording import wording_problems


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("Verdict: KEEP_GOING.", "internal-code"),
        ("precision_at_capacity 38%", "internal-code"),
        ("Saved in ops.predictions.", "internal-code"),
        ("Run `soloml promote churn v0002`.", "code-span"),
        ("Due None.", "placeholder"),
        ("Lift nan points.", "placeholder"),
        ("A 100.0% chance the offer beats control.", "unbounded-chance"),
        ("The chance it is better: 0%.", "unbounded-chance"),
        ("Retention rose to 135% of customers.", "unbounded-percentage"),
        ("The offer kept -0 customers.", "minus-zero"),
        ("a change of -0.00 points", "minus-zero"),
        ("about 1,000 a week at stake", "unit-missing"),
        ("a score of 0.734567", "too-precise"),
        ("Due 03/04/2026.", "ambiguous-date"),
        ("The 95% CI runs from 3 to 9.", "unexplained-abbreviation"),
        ("PSI 0.31 on tenure", "unexplained-abbreviation"),
    ],
)
def test_a_text_that_breaks_a_rule_is_flagged_with_that_rule(text, rule):
    assert rule in [p.rule for p in wording_problems(text)]


@pytest.mark.parametrize(
    "text",
    [
        "churn first: about $1,000 a week at stake, model already done, 3 days of work left.",
        "The offer kept 44 more customers (between 25 and 62), worth about $7,870 a month.",
        "Hit rate among those acted on 38.0% (done line 35.0%, today's rule 21.0%).",
        "Retention grew +150% since the spring.",
        "An over 99.9% chance the offer beats control.",
        "Loaded 2 files into the warehouse: stripe_payments.csv, shopify_orders.csv.",
        "Due 2026-12-31, in 30 days; 100 customers a week; a change of -0.5 points.",
        "The confidence interval (CI) runs from 3 to 9; the CI is narrow.",
        "Sent as CSV and XLSX to the CEO, A/B test ID 7.",
    ],
)
def test_a_text_that_reads_well_passes_every_rule(text):
    assert wording_problems(text) == []


def test_each_problem_names_the_rule_the_words_and_the_fix():
    [problem] = wording_problems("The verdict was NOT_WORTH_IT today.")
    assert (
        problem.words()
        == "internal-code: 'The verdict was NOT_WORTH_IT today.' (use the label a person reads (e.g. 'not there yet'), not the code)"
    )
