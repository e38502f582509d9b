"""Invariants that hold for any input (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from soloml.experiments.assignment import assign, assign_many
from soloml.experiments.frequentist import holm
from soloml.experiments.spec import ExperimentSpec

weights = st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.floats(0.01, 100), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None)
@given(
    variants=weights, salt=st.text(min_size=1, max_size=10), ids=st.lists(st.text(max_size=20), min_size=1, max_size=50)
)
def test_batch_and_single_assignment_agree_for_any_ids_and_weights(variants, salt, ids):
    spec = ExperimentSpec.model_validate(
        {"name": "exp", "salt": salt, "variants": variants, "primary": {"name": "m", "sql": "select 1"}}
    )
    batch = assign_many(spec, ids)
    assert set(batch) == {str(i) for i in ids}
    for unit, variant in batch.items():
        assert variant in variants and assign(spec, unit) == variant


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_never_lowers_a_p_value_and_keeps_the_order(p_values):
    adjusted = holm(p_values)
    assert all(a >= p - 1e-15 and a <= 1.0 for a, p in zip(adjusted, p_values, strict=False))
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    assert all(adjusted[order[i]] <= adjusted[order[i + 1]] for i in range(len(order) - 1))
