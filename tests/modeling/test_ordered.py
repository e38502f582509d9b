"""The rule for ordered categories: grades, numbers with units and level words are ordered; names and codes are not."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from soloml.modeling import train
from soloml.modeling.ordered import natural_order

from .synthetic import flat_set, table_spec

SUB_GRADES = [f"{letter}{digit}" for letter in "ABCDEFG" for digit in range(1, 6)]


def shuffled(values: list[str], seed: int = 0) -> list[str]:
    out = list(values)
    random.Random(seed).shuffle(out)
    return out


@pytest.mark.parametrize(
    "natural",
    [
        SUB_GRADES,
        list("ABCDEFG"),
        list("abcd"),
        ["A", "B", "C", "D", "F"],  # school grades: no E
        ["A+", "A", "A-", "B+", "B", "C"],
        ["< 1 year", "1 year", "2 years", "3 years", "10+ years"],
        ["1 day", "7 days", "30 days", "90 days"],
        ["0", "1", "2", "3+"],
        ["low", "medium", "high"],
        ["Very Low", "Low", "Medium", "High", "Very High"],
        ["poor", "fair", "good", "excellent"],
        ["strongly_disagree", "disagree", "neutral", "agree", "strongly_agree"],
    ],
)
def test_ordered_values_come_back_in_their_natural_order(natural):
    assert natural_order(shuffled(natural)) == natural
    assert natural_order(sorted(natural)) == natural


@pytest.mark.parametrize(
    "values",
    [
        ["AK", "AL", "AZ", "CA", "NY"],  # state codes
        ["CA", "NY", "TX"],
        ["monthly", "annual", "weekly"],  # plans: no order a rule can know
        ["Basic", "Premium", "Gold"],
        ["area_code_408", "area_code_415", "area_code_510"],  # codes with a number
        ["10001", "94105", "60601"],  # plain numbers as text: zip codes, ids
        ["1", "2", "3"],
        ["emp_1", "emp_2", "emp_lt_1", "emp_ge_10", "emp_unk"],  # an unknown level has no place in the order
        ["low", "medium", "high", "unknown"],
        ["A1", "B2"],  # two values: a split is the same either way
        ["A", "B", "D"],  # a gap: labels, not grades
        ["A", "b", "C"],  # mixed case
        ["A1", "A+", "B"],  # two scales
        ["A10", "A2", "B1"],
        ["1 year", "2 kg", "3 years"],  # two units
        ["1 widget", "2 widgets", "3 widgets"],  # not a unit
        ["the quick brown fox", "jumps over", "the lazy dog"],
        ["1-2", "3-5", "6+"],  # ranges are not read
    ],
)
def test_other_values_are_not_ordered(values):
    assert natural_order(values) is None


def test_a_regressions_note_counts_the_one_booster_reading_the_order_and_the_others_as_categories():
    """A small regression with a many-valued grade: defaults, smoothing in order, small leaves; only the second
    reads the grade by rank, so the note must not say that the defaults alone read it as a category."""
    rng = np.random.default_rng(21)
    grades = [f"{letter}{n}" for letter in "ABC" for n in range(1, 6)]
    grade = rng.integers(0, len(grades), 600)
    frame = pd.DataFrame({"grade": [grades[g] for g in grade], "x": rng.normal(size=600)})
    frame["price"] = 10.0 * grade + 5.0 * frame["x"] + rng.normal(0, 2, 600)
    result = train(flat_set(frame, "price", "regression"), table_spec("regression", "rmse"), spread=False)
    said = [n for n in result.notes if n.startswith("grade is read in its order")]
    assert said == [
        "grade is read in its order (A1 < A2 < ... < C5) by 1 of the model's 3 boosters, as a category by the others."
    ]
