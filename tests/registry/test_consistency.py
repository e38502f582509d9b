"""A version whose metadata does not fit its booster is refused on load, naming the field; other versions still load.

The forged files below keep matching checksums (whoever edits metadata.json can rewrite checksums.json too),
so only the consistency check stands between them and a service that answers 500 to every request.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modeling.synthetic import churn_set, churn_spec
from registry.forgery import forge
from soloml.errors import RegistryError
from soloml.modeling import train
from soloml.registry import load_model, save_model


@pytest.fixture(scope="module")
def result():
    return train(churn_set(customers=150, cutoffs=3, seed=8), churn_spec())


def set_key(key: str, value):  # noqa: ANN001, ANN201
    return lambda meta: meta.__setitem__(key, value)


def signature(edit: Callable[[dict], None]):  # noqa: ANN201
    return lambda meta: edit(meta["signature"])


def _retype(sig: dict, name: str, kind: str) -> None:
    sig["dtypes"][name] = kind


FORGERIES = {
    "threshold is text": (set_key("threshold", "abc"), r"threshold.*'abc'.*number"),
    "threshold is a boolean": (set_key("threshold", True), r"threshold.*true.*number"),
    "threshold is missing": (lambda meta: meta.pop("threshold"), r"threshold.*missing"),
    "unknown task": (set_key("task", "banana"), r"task.*'banana'.*binary, regression, multiclass"),
    "signature is not a mapping": (set_key("signature", ["orders_30d"]), r"signature"),
    "fewer names than the booster reads": (
        signature(lambda s: s.__setitem__("names", s["names"][:2])),
        r"signature names 2 features.*model reads 6",
    ),
    "names differ from the booster's": (
        signature(lambda s: s.__setitem__("names", [*s["names"][:-1], "renamed"])),
        r"'renamed'.*'noise'",
    ),
    "a name without a type": (signature(lambda s: s["dtypes"].pop("noise")), r"'noise'.*no type"),
    "an unknown type": (
        signature(lambda s: _retype(s, "noise", "complex")),
        r"'noise'.*'complex'.*float, int, bool, category, string",
    ),
    "a number declared a category": (
        signature(lambda s: _retype(s, "orders_30d", "category")),
        r"'orders_30d'.*category.*numeric",
    ),
    "a category declared a number": (signature(lambda s: _retype(s, "plan", "float")), r"'plan'.*float.*categor"),
    "categories are not a list": (
        signature(lambda s: s["categories"].__setitem__("plan", "basic")),
        r"categories of 'plan'",
    ),
    "feature stats are not a mapping": (set_key("feature_stats", [1, 2]), r"feature_stats"),
}


@pytest.mark.parametrize("case", list(FORGERIES), ids=list(FORGERIES))
def test_metadata_that_does_not_fit_the_booster_is_refused_naming_the_field(tmp_path, result, case: str):
    change, message = FORGERIES[case]
    good = save_model(tmp_path, result)
    bad = save_model(tmp_path, result)
    forge(tmp_path / "churn" / bad, change)
    with pytest.raises(RegistryError, match=message) as caught:
        load_model(tmp_path, "churn", bad)
    assert f"churn {bad}" in str(caught.value) and "Train a new version" in str(caught.value)
    assert load_model(tmp_path, "churn", good).version == good, "only the forged version is refused"


def test_an_untouched_model_passes_the_check(tmp_path, result):
    model = load_model(tmp_path, "churn", save_model(tmp_path, result))
    assert model.signature.names == result.signature.names and model.threshold == pytest.approx(result.threshold)
