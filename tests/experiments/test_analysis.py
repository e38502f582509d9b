from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportions_ztest

from soloml.errors import ExperimentError
from soloml.experiments.analysis import analyze_experiment
from soloml.experiments.assignment import assign_units
from soloml.experiments.spec import ExperimentSpec

EXPOSED = "SELECT unit_id FROM ops.exposures WHERE experiment = 'offer'"


def make_spec(**overrides) -> ExperimentSpec:
    raw = {
        "name": "offer",
        "description": "The retention offer to high-risk customers",
        "salt": "nov",
        "variants": {"control": 1, "offer": 1},
        "primary": {
            "name": "retained",
            "kind": "conversion",
            "sql": f"SELECT unit_id, value FROM outcome WHERE unit_id IN ({EXPOSED})",
            "unit_words": "customers",
            "verb": "kept",
            "value_per_unit": 300,
        },
        "value_period": "month",
    }
    raw.update(overrides)
    return ExperimentSpec.model_validate(raw)


def simulate(con, spec, n=4000, base=0.30, effect=0.05, seed=1, covariate=False):
    ids = [f"cus_{i}" for i in range(n)]
    result = assign_units(con, spec, ids)
    variants = dict(con.execute("SELECT unit_id, variant FROM ops.exposures").fetchall())
    rng = np.random.default_rng(seed)
    treated = np.array([variants[u] != spec.control_variant for u in ids])
    value = (rng.random(n) < base + effect * treated).astype(int)
    frame = pd.DataFrame({"unit_id": ids, "value": value})
    if covariate:
        x = rng.normal(100, 20, n)
        frame["covariate"] = x
        frame["value"] = 0.8 * x + rng.normal(0, 10, n) + 5.0 * treated
    con.register("outcome_df", frame)
    con.execute("CREATE OR REPLACE TABLE outcome AS SELECT * FROM outcome_df")
    con.unregister("outcome_df")
    return result, frame, treated


def test_conversion_result_agrees_with_statsmodels_and_reads_in_business_words(con):
    spec = make_spec()
    _, frame, treated = simulate(con, spec)
    result = analyze_experiment(con, spec)
    x = [int(frame.value[treated].sum()), int(frame.value[~treated].sum())]
    n = [int(treated.sum()), int((~treated).sum())]
    _, p = proportions_ztest(x, n)
    data = result.to_facts()
    assert data["p_value"] == pytest.approx(p, abs=1e-9)
    assert data["absolute_lift"] == pytest.approx(x[0] / n[0] - x[1] / n[1], abs=1e-12)
    for key in (
        "variants",
        "absolute_lift",
        "relative_lift",
        "ci_low",
        "ci_high",
        "p_value",
        "chance_to_beat_control",
        "srm_p_value",
        "decision",
    ):
        assert key in data
    assert data["decision"] == "ship offer"
    extra = round(data["absolute_lift"] * n[0])
    assert result.headline.startswith("The retention offer to high-risk customers")
    assert (
        f"kept {extra:,} more customers than the control group would have, among the {n[0]:,} customers who got it (likely between"
        in result.headline
    )
    assert "a month" in result.headline and "$" in result.headline


def test_no_effect_keeps_control(con):
    spec = make_spec()
    simulate(con, spec, effect=0.0, seed=4)
    assert analyze_experiment(con, spec).decision in {"no detectable effect: keep control"}


def test_before_the_planned_size_the_decision_uses_the_always_valid_interval(con):
    spec = make_spec(planned_units_per_arm=20000)
    simulate(con, spec, effect=0.03, seed=2)
    result = analyze_experiment(con, spec)
    best = result.best()
    assert not result.final
    assert best.sequential.ci_high - best.sequential.ci_low > best.lift.ci_high - best.lift.ci_low
    assert result.decision in {"keep running", "ship offer"}
    assert (result.decision == "ship offer") == best.sequential.rejects_null


def test_cuped_is_used_when_the_metric_returns_a_covariate(con):
    spec = make_spec(
        primary={"name": "spend", "kind": "mean", "sql": f"SELECT * FROM outcome WHERE unit_id IN ({EXPOSED})"}
    )
    simulate(con, spec, covariate=True, seed=9)
    best = analyze_experiment(con, spec).best()
    assert best.variance_reduction > 0.5
    assert best.lift.se < 0.75 * best.unadjusted.se
    assert best.lift.ci_low < 5.0 < best.lift.ci_high


def test_skewed_split_warns_loudly(con):
    spec = make_spec()
    simulate(con, spec)
    con.execute("DELETE FROM ops.exposures WHERE variant = 'offer' AND hash(unit_id) % 5 = 0")
    con.execute(f"DELETE FROM outcome WHERE unit_id NOT IN ({EXPOSED})")
    result = analyze_experiment(con, spec)
    assert result.srm.mismatch
    assert result.decision == "investigate: sample ratio mismatch"
    assert "SAMPLE RATIO MISMATCH" in result.warnings[0]


def test_three_variants_get_holm_adjusted_p_values(con):
    spec = make_spec(variants={"control": 1, "a": 1, "b": 1})
    simulate(con, spec, effect=0.02)
    result = analyze_experiment(con, spec)
    ps = sorted(c.lift.p_value for c in result.primary.comparisons)
    adjusted = sorted(c.p_value_adjusted for c in result.primary.comparisons)
    assert adjusted[0] == pytest.approx(min(1.0, 2 * ps[0]))


def test_guardrail_harm_turns_ship_into_check_before_rolling_out(con):
    spec = make_spec(
        guardrails=[
            {
                "name": "complaints",
                "kind": "conversion",
                "good_direction": "decrease",
                "sql": f"SELECT unit_id, value FROM outcome WHERE unit_id IN ({EXPOSED})",
            }
        ]
    )
    simulate(con, spec, effect=0.08)
    assert analyze_experiment(con, spec).decision == "ship offer, but complaints rose: check before rolling out"


def test_metric_listing_units_never_assigned_is_refused(con):
    spec = make_spec(primary={"name": "retained", "sql": "SELECT unit_id, value FROM outcome"})
    simulate(con, spec)
    con.execute("INSERT INTO outcome VALUES ('stranger', 1)")
    with pytest.raises(ExperimentError, match=r"never assigned \(e.g. 'stranger'\)"):
        analyze_experiment(con, spec)


def test_variant_without_data_is_an_error_not_nan(con):
    spec = make_spec()
    simulate(con, spec)
    con.execute("DELETE FROM ops.exposures WHERE variant = 'offer'")
    with pytest.raises(ExperimentError, match="Variant 'offer' .* has no units"):
        analyze_experiment(con, spec)


def test_mean_metric_with_missing_values_names_the_fix(con):
    spec = make_spec(
        primary={
            "name": "spend",
            "kind": "mean",
            "sql": f"SELECT * FROM outcome WHERE unit_id IN ({EXPOSED}) AND value > 0",
        }
    )
    simulate(con, spec)
    with pytest.raises(ExperimentError, match="missing_value"):
        analyze_experiment(con, spec)


@pytest.mark.parametrize(
    "sql, words",
    [
        ("SELECT unit_id FROM outcome", "lacks \\['value'\\]"),
        ("SELECT unit_id, 'yes' AS value FROM outcome", "column 'value' = 'yes', which is not a number"),
        ("SELECT unit_id, 2 AS value FROM outcome", "conversion metric but unit"),
        ("SELECT 'cus_1' AS unit_id, 1 AS value FROM outcome", "more than once"),
        ("SELECT * FROM nowhere", "SQL of metric 'retained' failed"),
    ],
)
def test_bad_metric_queries_get_clear_errors(con, sql, words):
    spec = make_spec(primary={"name": "retained", "sql": sql})
    simulate(con, spec, n=200)
    with pytest.raises(ExperimentError, match=words):
        analyze_experiment(con, spec)


def test_csv_metric_is_read_relative_to_the_workspace(ws, con):
    spec = make_spec(primary={"name": "retained", "csv": "outcome.csv"}, end=date.today())
    _, frame, _ = simulate(con, spec, n=500)
    frame.to_csv(ws.root / "outcome.csv", index=False)
    result = analyze_experiment(con, spec, root=ws.root, today=date.today() + timedelta(days=30))
    assert result.final and result.units == 500


def test_no_exposures_says_to_assign_first(con):
    with pytest.raises(ExperimentError, match="soloml experiment assign offer"):
        analyze_experiment(con, make_spec())
