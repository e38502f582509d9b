"""Validation's folds run side by side on the machine's cores, with the same model and numbers as one after another."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from soloml.errors import ModelError
from soloml.modeling import parallel, train

from .synthetic import flat_set, table_spec


def _table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.integers(0, 12, n)
    amount = rng.normal(size=n)
    frame = pd.DataFrame({"region": [f"r{r}" for r in region], "amount": amount, "noise": rng.normal(size=n)})
    frame["y"] = rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 0.15 * region - 0.8 * amount)))
    return frame


@pytest.fixture(scope="module")
def two_ways():
    """The same training under 1 and 2 workers (three seeds x three members x five folds below 5,000 rows)."""
    ts = flat_set(_table(900, seed=11), "y", "binary")
    out = {}
    with pytest.MonkeyPatch.context() as env:
        for n in ("1", "2"):
            env.setenv(parallel.ENVIRONMENT, n)
            out[n] = train(ts, table_spec("binary", "roc_auc"), seed=0)
    return out


def test_the_saved_model_is_the_same_under_one_worker_and_two(two_ways):
    one, two = two_ways["1"], two_ways["2"]
    assert one.booster.model_to_string() == two.booster.model_to_string()
    assert one.blend == two.blend and len(one.blend) == 9


def test_every_judged_number_is_the_same_under_one_worker_and_two(two_ways):
    one, two = two_ways["1"], two_ways["2"]
    np.testing.assert_array_equal(one.validation.predictions, two.validation.predictions)
    assert one.model_score == two.model_score and one.metrics == two.metrics
    assert one.seed_spread == two.seed_spread and one.seed_spread is not None


def test_tasks_run_on_several_threads_and_come_back_in_order(monkeypatch):
    monkeypatch.setenv(parallel.ENVIRONMENT, "2")
    started = threading.Barrier(2, timeout=10)  # both tasks must be running at once to pass it

    def task(item: int) -> tuple[int, str]:
        if item < 2:
            started.wait()
        time.sleep(0.01 * (5 - item))  # later items finish first
        return item, threading.current_thread().name

    done = parallel.run_all(task, list(range(5)))
    assert [i for i, _ in done] == list(range(5))
    assert len({name for _, name in done}) == 2


def test_one_worker_or_a_multithreaded_fit_runs_one_task_after_another(monkeypatch):
    monkeypatch.setenv(parallel.ENVIRONMENT, "1")
    names = parallel.run_all(lambda _: threading.current_thread().name, [0, 1, 2])
    assert set(names) == {threading.current_thread().name}
    monkeypatch.setenv(parallel.ENVIRONMENT, "4")
    names = parallel.run_all(lambda _: threading.current_thread().name, [0, 1, 2], side_by_side=False)
    assert set(names) == {threading.current_thread().name}


@pytest.mark.parametrize("typed", ["0", "two", "-3"])
def test_a_bad_worker_count_is_refused_naming_the_variable(monkeypatch, typed):
    monkeypatch.setenv(parallel.ENVIRONMENT, typed)
    with pytest.raises(ModelError, match=f"SOLOML_WORKERS={typed!r} is not a number of workers") as err:
        parallel.workers()
    assert "whole number from 1" in (err.value.hint or "")


def test_by_default_one_worker_per_core_this_process_may_use(monkeypatch):
    monkeypatch.delenv(parallel.ENVIRONMENT, raising=False)
    cores = len(__import__("os").sched_getaffinity(0))
    assert parallel.workers() == max(1, min(parallel.MAX_WORKERS, cores))


def test_lightgbm_is_held_to_one_thread_while_fits_run_side_by_side_then_let_go(monkeypatch):
    """LightGBM's thread count is one process-wide setting that any call without num_threads resets (to every
    core) while another thread's fit runs with buffers for one: the cap keeps every call to one thread."""
    monkeypatch.setenv(parallel.ENVIRONMENT, "2")
    before = parallel.lightgbm_max_threads()
    seen = parallel.run_all(lambda _: parallel.lightgbm_max_threads(), [0, 1, 2])
    assert seen == [1, 1, 1]
    assert parallel.lightgbm_max_threads() == before
    monkeypatch.setenv(parallel.ENVIRONMENT, "1")  # one after another: LightGBM is left as it was
    assert parallel.run_all(lambda _: parallel.lightgbm_max_threads(), [0, 1]) == [before, before]


def test_tuning_searches_side_by_side_choose_what_they_choose_one_after_another(monkeypatch):
    """--tune runs one search inside each fold and one over every row: independent, so side by side."""
    ts = flat_set(_table(500, seed=12), "y", "binary")
    got = {}
    for n in ("1", "2"):
        monkeypatch.setenv(parallel.ENVIRONMENT, n)
        got[n] = train(ts, table_spec("binary", "roc_auc"), tune=3, seed=0)
    one, two = got["1"], got["2"]
    assert one.params == two.params and one.tuned_on == two.tuned_on and one.tuned_on is not None
    assert one.booster.model_to_string() == two.booster.model_to_string()
    np.testing.assert_array_equal(one.validation.predictions, two.validation.predictions)
