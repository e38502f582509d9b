"""`soloml train --table T --target C`: the settings typed are the settings used, said in plain words."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.workspace import find_workspace, init_workspace

runner = CliRunner()


def run(ws, *args):
    return runner.invoke(app, [*args, "--workspace", str(ws.root)])


def words(result) -> str:
    return " ".join(result.stdout.split())


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """A workspace holding raw.bookings: a date-sorted export of 300 bookings with a row number, a date,
    a price (regression) and a status (bad / good), loaded once through `soloml load`."""
    ws = init_workspace(tmp_path_factory.mktemp("bookings") / "ws", name="bookings")
    rng = np.random.default_rng(3)
    n = 300
    nights = rng.integers(1, 10, n)
    lead = rng.integers(0, 90, n)
    room = rng.choice(["single", "double", "suite"], n, p=[0.4, 0.45, 0.15])
    price = 40 * nights + 60 * (room == "suite") + 0.3 * lead + rng.normal(0, 15, n)
    bad = rng.random(n) < 1 / (1 + np.exp(-(-1.2 + 0.04 * lead - 0.8 * (room == "suite"))))
    df = pd.DataFrame(
        {
            "Row Number": np.arange(1, n + 1),
            "Booked On": pd.date_range("2024-01-01", periods=n, freq="D").date,
            "Room": room,
            "Nights": nights,
            "Lead Days": lead,
            "Price": price.round(2),
            "Status": np.where(bad, "bad", "good"),
        }
    )
    path = ws.root / "bookings.csv"
    df.to_csv(path, index=False)
    result = run(ws, "load", str(path), "--as", "bookings")
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture
def ws(loaded, tmp_path):
    """A copy of the loaded workspace, so that each test writes its own project files and registry."""
    return find_workspace(shutil.copytree(loaded.root, tmp_path / "ws"))


bookings = "raw.bookings"


def spec_file(ws, name):
    return yaml.safe_load((ws.projects_dir / f"{name}.yaml").read_text())


def test_a_changed_time_column_is_refused_naming_the_file_and_the_difference(ws):
    first = run(ws, "train", "--table", bookings, "--target", "price", "--random-split", "--no-save")
    assert first.exit_code == 0, first.output
    again = run(ws, "train", "--table", bookings, "--target", "price", "--time-column", "booked_on", "--no-save")
    assert again.exit_code == 1
    message = " ".join(again.stderr.split())
    assert (
        "bookings_price.yaml" in message
        and "cutoffs.time_column is not set in the file but 'booked_on' as typed" in message
    )
    assert "--replace" in message


def test_replace_writes_the_settings_typed_and_trains_on_them(ws):
    assert run(ws, "train", "--table", bookings, "--target", "price", "--random-split", "--no-save").exit_code == 0
    replaced = run(
        ws,
        "train",
        "--table",
        bookings,
        "--target",
        "price",
        "--time-column",
        "booked_on",
        "--replace",
        "--no-save",
        "--json",
    )
    assert replaced.exit_code == 0, replaced.output
    assert spec_file(ws, "bookings_price")["cutoffs"]["time_column"] == "booked_on"
    assert json.loads(replaced.stdout)["validation"]["kind"] == "time"


def test_the_same_settings_reuse_the_project_file_with_its_edits(ws):
    assert run(ws, "train", "--table", bookings, "--target", "price", "--no-save").exit_code == 0
    path = ws.projects_dir / "bookings_price.yaml"
    path.write_text(path.read_text().replace("stakeholder: (not set)", "stakeholder: Ana"))
    assert run(ws, "train", "--table", bookings, "--target", "price", "--no-save").exit_code == 0
    assert spec_file(ws, "bookings_price")["stakeholder"] == "Ana"


def test_a_date_column_gives_a_time_ordered_split_by_default_and_says_where(ws):
    result = run(ws, "train", "--table", bookings, "--target", "price", "--no-save")
    assert result.exit_code == 0, result.output
    text = words(result)
    assert "validated in time order on booked_on" in text
    assert (
        "trained on the rows dated before 2024-08-27 (dated by booked_on), judged on the 61 rows from 2024-08-27 to 2024-10-26"
        in text
    )
    assert spec_file(ws, "bookings_price")["cutoffs"]["time_column"] == "booked_on"


def test_opting_out_of_the_time_split_warns_that_random_folds_are_optimistic(ws):
    result = run(ws, "train", "--table", bookings, "--target", "price", "--random-split", "--no-save")
    assert result.exit_code == 0, result.output
    assert "rows carry dates (booked_on) but were split at random, so the score is likely optimistic" in words(result)


@pytest.mark.parametrize("where", ["quick path", "project"])
def test_test_from_trains_before_the_date_and_judges_from_it_on(ws, where):
    if where == "quick path":
        result = run(
            ws, "train", "--table", bookings, "--target", "price", "--test-from", "2024-09-01", "--no-save", "--json"
        )
    else:
        assert run(ws, "train", "--table", bookings, "--target", "price", "--no-save").exit_code == 0
        result = run(ws, "train", "bookings_price", "--test-from", "2024-09-01", "--no-save", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["validation"]["validation_cutoff"] == "2024-09-01"
    assert out["validation"]["rows"] == 56  # 2024-09-01 .. 2024-10-26
    assert "trained on the rows dated before 2024-09-01" in out["validation"]["description"]


def test_a_test_from_outside_the_data_is_a_clear_error(ws):
    result = run(ws, "train", "--table", bookings, "--target", "price", "--test-from", "2026-01-01", "--no-save")
    assert result.exit_code == 1
    assert (
        "test_from 2026-01-01 leaves nothing to judge: the rows of 'bookings_price' are dated 2024-01-01 to 2024-10-26"
        in " ".join(result.stderr.split())
    )


def test_the_quick_path_prints_no_money_and_says_money_needs_the_interview(ws):
    result = run(ws, "train", "--table", bookings, "--target", "status", "--no-save")
    assert result.exit_code == 0, result.output
    text = words(result)
    assert "$" not in text and "a week" not in text and "Stop here and ship it" not in text
    assert "soloml's default line" in text and "`soloml interview bookings_status`" in text
    assert (
        json.loads(run(ws, "train", "--table", bookings, "--target", "status", "--no-save", "--json").stdout)[
            "business"
        ]["expected_value"]
        is None
    )


def test_regression_reports_rmse_and_mae_against_the_mean_and_the_median_in_the_targets_units(ws):
    result = run(ws, "train", "--table", bookings, "--target", "price", "--no-save")
    text = words(result)
    assert (
        "Typical error (in units of price): RMSE" in text
        and "for no model, " in text
        and "for the median" in text
        and "; MAE " in text
    )
    assert "precision at capacity" not in text.lower() and "ranks highest" not in text


def test_the_positive_class_is_named_and_can_be_chosen(ws):
    default = json.loads(run(ws, "train", "--table", bookings, "--target", "status", "--no-save", "--json").stdout)
    assert default["training"]["positive_class"] == "bad"  # a bad-like word
    chosen = run(ws, "train", "--table", bookings, "--target", "status", "--positive", "good", "--replace", "--no-save")
    assert chosen.exit_code == 0, chosen.output
    assert "Predicting: status = 'good' (the positive class;" in words(chosen)
    assert spec_file(ws, "bookings_status")["label"]["positive"] == "good"


def test_an_unknown_positive_value_lists_the_values(ws):
    result = run(ws, "train", "--table", bookings, "--target", "status", "--positive", "goodd", "--no-save")
    assert result.exit_code == 1
    assert "label.positive 'goodd' is not a value of 'status' in raw.bookings. Did you mean 'good'?" in " ".join(
        result.stderr.split()
    )


def test_a_header_as_it_appears_in_the_file_is_mapped_and_said(ws):
    result = run(ws, "train", "--table", bookings, "--target", "Status", "--time-column", "Booked On", "--no-save")
    assert result.exit_code == 0, result.output
    assert "--target Status is the column status" in words(result)
    saved = spec_file(ws, "bookings_status")
    assert (saved["label"]["target"], saved["cutoffs"]["time_column"]) == ("status", "booked_on")


def test_a_row_number_is_left_out_and_said_so(ws):
    result = run(ws, "train", "--table", bookings, "--target", "price", "--no-save", "--json")
    out = json.loads(result.stdout)
    assert {
        "column": "row_number",
        "kind": "id",
        "reason": "a row id (a different whole number in every row, 1 to 300)",
    } in out["left_out"]
    assert "row_number" not in [f["name"] for f in out["top_features"]]
    assert "row_number: a row id" in words(run(ws, "train", "--table", bookings, "--target", "price", "--no-save"))
