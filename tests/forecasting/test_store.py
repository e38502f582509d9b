"""A forecaster saved in open formats, reloaded and re-forecast, gives identical numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from soloml.errors import ForecastError
from soloml.forecasting import Forecaster, load_forecaster, save_forecaster, series_from_frame

from .helpers import monthly


@pytest.fixture(scope="module")
def fitted() -> Forecaster:
    """Six related series, so the LightGBM global model is a candidate beside the statistical ones."""
    return Forecaster(6, holidays=("2021-12-25",)).fit(series_from_frame(monthly(48, series=6, seed=5), "month"))


def test_saved_then_reloaded_forecaster_reforecasts_identical_numbers(fitted, tmp_path):
    folder = save_forecaster(fitted, tmp_path / "forecaster")
    loaded = load_forecaster(folder)
    again = loaded.forecast()
    cols = ["forecast", "lower", "upper"]
    assert np.array_equal(again[cols].to_numpy(), fitted.forecast_[cols].to_numpy(), equal_nan=True)
    assert list(again["model"]) == list(fitted.forecast_["model"])
    assert any(
        "lightgbm" in c.members for c in loaded.choices_.values()
    )  # the shared model's forecasts are checked too
    assert loaded.global_ is not None and loaded.global_.text == fitted.global_.text


def test_the_backtested_ces_form_is_saved_and_kept_on_reload(fitted, tmp_path):
    loaded = load_forecaster(save_forecaster(fitted, tmp_path / "forecaster"))
    forms = {uid: c.forms for uid, c in fitted.choices_.items()}
    assert any("ces" in f for f in forms.values())  # CES is refitted in its backtested season type
    assert {uid: c.forms for uid, c in loaded.choices_.items()} == forms


def test_saved_folder_holds_only_open_formats(fitted, tmp_path):
    folder = save_forecaster(fitted, tmp_path / "forecaster")
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "backtest.parquet",
        "forecaster.json",
        "forecasts.parquet",
        "history.parquet",
        "lightgbm_global.txt",
    ]
    meta = json.loads((folder / "forecaster.json").read_text())
    assert meta["format"] == "soloml.forecaster/1" and set(meta["files"]) == set(names) - {"forecaster.json"}
    choice = next(iter(meta["choices"].values()))
    assert {"model", "members", "q", "scale", "fitted"} <= set(choice)
    assert all(b"pickle" not in (folder / n).read_bytes()[:64] for n in names)


def test_a_changed_file_is_refused_on_load(fitted, tmp_path):
    folder = save_forecaster(fitted, tmp_path / "forecaster")
    (folder / "history.parquet").write_bytes((folder / "history.parquet").read_bytes() + b"x")
    with pytest.raises(ForecastError, match="history.parquet is missing or changed"):
        load_forecaster(folder)


def test_saving_again_replaces_the_folder_whole(fitted, tmp_path):
    folder = save_forecaster(fitted, tmp_path / "forecaster")
    (folder / "stray.txt").write_text("old")
    save_forecaster(fitted, folder)
    assert not (folder / "stray.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_folder_without_a_forecaster_says_what_to_point_at(tmp_path):
    with pytest.raises(ForecastError, match="holds no saved forecaster"):
        load_forecaster(tmp_path)
