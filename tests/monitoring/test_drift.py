import numpy as np
import pandas as pd
import pytest
from scipy import stats

from soloml.errors import MonitorError
from soloml.monitoring.drift import PSI_ALERT, categorical_drift, feature_drift, numeric_drift, psi_from_shares


def test_psi_matches_a_hand_computed_decile_example():
    # reference deciles hold 10% each; current shares as below
    current = np.array([0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.15, 0.15])
    expected = sum((c - 0.1) * np.log(c / 0.1) for c in current)
    assert psi_from_shares(np.full(10, 0.1), current) == pytest.approx(expected, abs=1e-12)


def test_numeric_psi_uses_reference_deciles_like_pandas_qcut():
    rng = np.random.default_rng(1)
    ref, cur = rng.normal(0, 1, 5000), rng.normal(0.3, 1.2, 3000)
    bins = pd.qcut(ref, 10, retbins=True)[1]
    bins[0], bins[-1] = -np.inf, np.inf
    r = pd.Series(pd.cut(ref, bins)).value_counts(sort=False).to_numpy() / len(ref)
    c = pd.Series(pd.cut(cur, bins)).value_counts(sort=False).to_numpy() / len(cur)
    reference_psi = float(np.sum((c - r) * np.log(c / r)))
    got = numeric_drift("x", pd.Series(ref), pd.Series(cur))
    assert got.psi == pytest.approx(reference_psi, abs=1e-6)
    ks = stats.ks_2samp(ref, cur)
    assert (got.statistic, got.p_value) == pytest.approx((ks.statistic, ks.pvalue), abs=1e-9)


def test_categorical_test_is_chi_square_of_the_contingency_table():
    ref = pd.Series(["a"] * 500 + ["b"] * 300 + ["c"] * 200)
    cur = pd.Series(["a"] * 380 + ["b"] * 320 + ["c"] * 300)
    got = categorical_drift("plan", ref, cur)
    reference = stats.chi2_contingency([[500, 300, 200], [380, 320, 300]], correction=False)
    assert got.p_value == pytest.approx(reference.pvalue, abs=1e-12)
    shares_r, shares_c = np.array([0.5, 0.3, 0.2]), np.array([0.38, 0.32, 0.3])
    assert got.psi == pytest.approx(float(np.sum((shares_c - shares_r) * np.log(shares_c / shares_r))), abs=1e-12)


def _frame(rng, n, shift=0.0, mix=(0.5, 0.3, 0.2), missing=0.0):
    x = rng.normal(50 + shift, 10, n)
    x[rng.random(n) < missing] = np.nan
    return pd.DataFrame(
        {"entity_id": np.arange(n).astype(str), "orders_90d": x, "plan": rng.choice(["basic", "pro", "team"], n, p=mix)}
    )


def test_monitor_stays_quiet_on_a_million_rows_from_the_same_distribution():
    rng = np.random.default_rng(2)
    drift = feature_drift(_frame(rng, 200_000), _frame(rng, 1_000_000))
    assert [d.alert for d in drift] == [False, False]
    assert all(d.psi < 0.01 for d in drift)


@pytest.mark.parametrize(
    "kwargs, drifted",
    [({"shift": 6.0}, "orders_90d"), ({"mix": (0.2, 0.3, 0.5)}, "plan"), ({"missing": 0.4}, "orders_90d")],
)
def test_monitor_flags_an_injected_drift(kwargs, drifted):
    rng = np.random.default_rng(3)
    drift = {d.feature: d for d in feature_drift(_frame(rng, 20_000), _frame(rng, 5_000, **kwargs))}
    assert drift[drifted].alert and drift[drifted].psi > PSI_ALERT
    assert [f for f, d in drift.items() if d.alert] == [drifted]


def test_a_tiny_noisy_sample_does_not_alert_on_noise_alone():
    rng = np.random.default_rng(4)
    alerts = sum(
        d.alert
        for seed in range(20)
        for d in feature_drift(_frame(rng, 5_000), _frame(np.random.default_rng(seed), 25))
    )
    assert alerts == 0


def test_missing_feature_in_recent_rows_is_a_clear_error():
    rng = np.random.default_rng(5)
    with pytest.raises(MonitorError, match=r"lack feature\(s\) \['plan'\]"):
        feature_drift(_frame(rng, 100), _frame(rng, 100).drop(columns="plan"), ["orders_90d", "plan"])
