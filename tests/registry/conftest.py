"""A small trained churn model, trained once per session for the registry tests."""

from __future__ import annotations

import pytest

from modeling.synthetic import churn_set, churn_spec
from soloml.modeling import train


@pytest.fixture(scope="session")
def result():
    return train(churn_set(customers=120, cutoffs=3, seed=6), churn_spec())
