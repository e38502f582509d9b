"""Model kinds: every version says lightgbm or forecaster; a version written before kinds existed is a LightGBM model."""

from __future__ import annotations

import hashlib
import json

import pytest

from soloml.errors import RegistryError
from soloml.registry import list_versions, load_model, save_model
from soloml.registry.forecasters import load_forecaster_version


def _rewrite_metadata(folder, change) -> None:
    """Edit metadata.json and re-seal its checksum (what an older soloml, or a hand, would have written)."""
    meta = json.loads((folder / "metadata.json").read_text())
    change(meta)
    (folder / "metadata.json").write_text(json.dumps(meta))
    sums = json.loads((folder / "checksums.json").read_text())
    sums["metadata.json"] = hashlib.sha256((folder / "metadata.json").read_bytes()).hexdigest()
    (folder / "checksums.json").write_text(json.dumps(sums))


def test_a_new_version_says_it_is_a_lightgbm_model(tmp_path, result):
    version = save_model(tmp_path, result)
    assert json.loads((tmp_path / "churn" / version / "metadata.json").read_text())["kind"] == "lightgbm"
    assert [i.kind for i in list_versions(tmp_path, "churn")] == ["lightgbm"]


def test_an_old_version_without_a_kind_still_loads_as_a_lightgbm_model(tmp_path, result):
    version = save_model(tmp_path, result)
    _rewrite_metadata(tmp_path / "churn" / version, lambda m: m.pop("kind"))
    model = load_model(tmp_path, "churn", version)
    assert model.version == version and model.booster.num_trees() > 0
    assert [i.kind for i in list_versions(tmp_path, "churn")] == ["lightgbm"]


def test_a_lightgbm_model_is_not_a_forecaster(tmp_path, result):
    version = save_model(tmp_path, result)
    with pytest.raises(RegistryError, match=rf"churn {version} is a lightgbm model, not a forecaster") as err:
        load_forecaster_version(tmp_path, "churn", version)
    assert "soloml score churn" in err.value.hint


def test_an_unknown_kind_is_refused_by_name(tmp_path, result):
    version = save_model(tmp_path, result)
    _rewrite_metadata(tmp_path / "churn" / version, lambda m: m.update(kind="neural"))
    with pytest.raises(RegistryError, match=r"says kind 'neural', which this soloml does not know"):
        load_model(tmp_path, "churn", version)
