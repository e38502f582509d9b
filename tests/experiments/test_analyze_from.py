"""`soloml experiment analyze --from / --counts` end to end on published randomized experiments, against statsmodels.

The data ship in the `causaldata` package (Huntington-Klein, MIT licence):
- thornton_hiv: Thornton (2008), "The Demand for, and Impact of, Learning HIV Status", American
  Economic Review 98(5). Malawians were randomly offered a cash incentive (`any`) to collect their
  HIV test result; `got` is whether they did (a conversion).
- nsw_mixtape: the National Supported Work demonstration (LaLonde 1986; Dehejia & Wahba 1999
  experimental sample). Job training was randomised (`treat`); `re78` is 1978 earnings (a mean),
  `re75` the pre-period earnings (a CUPED covariate).
"""

import json
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportions_ztest, score_test_proportions_2indep
from typer.testing import CliRunner

from soloml.cli.app import app

causaldata = pytest.importorskip("causaldata")
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def analyze(ws, *args):
    result = run("experiment", "analyze", *args, "--json", "-w", ws.root)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def thornton(ws):
    data = causaldata.thornton_hiv.load_pandas().data
    data.insert(0, "unit_id", [f"p{i}" for i in range(len(data))])
    data.to_csv(ws.root / "thornton.csv", index=False)
    return data.dropna(subset=["any", "got"])


def exposures(ws, name):
    con = ws.connect()
    n = con.execute("SELECT count(*) FROM ops.exposures WHERE experiment = ?", [name]).fetchone()[0]
    con.close()
    return n


def test_from_a_query_over_the_published_file_matches_statsmodels_and_records_arms_once(ws, thornton):
    query = f"SELECT * FROM read_csv('{ws.root / 'thornton.csv'}') WHERE got IS NOT NULL AND \"any\" IS NOT NULL"
    data = analyze(ws, "hiv-incentive", "--from", query, "--arm", "any", "--outcome", "got")
    got = thornton.groupby("any")["got"].agg(["sum", "count"])
    x, n = (
        [int(got.loc[1.0, "sum"]), int(got.loc[0.0, "sum"])],
        [int(got.loc[1.0, "count"]), int(got.loc[0.0, "count"])],
    )
    _, p = proportions_ztest(x, n)
    assert data["control"] == "0" and data["best_variant"] == "1" and data["kind"] == "conversion"
    assert data["absolute_lift"] == pytest.approx(x[0] / n[0] - x[1] / n[1], abs=1e-12)
    assert data["p_value"] == pytest.approx(p, abs=1e-12)
    for bound in (data["ci_low"], data["ci_high"]):
        assert score_test_proportions_2indep(
            x[0], n[0], x[1], n[1], value=bound, compare="diff", correction=False
        ).pvalue == pytest.approx(0.05, abs=1e-7)
    assert data["decision"] == "ship 1" and data["srm_checked"] is False
    assert exposures(ws, "hiv-incentive") == len(thornton)
    again = analyze(ws, "hiv-incentive", "--from", query, "--arm", "any", "--outcome", "got")
    assert exposures(ws, "hiv-incentive") == len(thornton) and again["p_value"] == data["p_value"]
    counts = analyze(ws, "hiv-counts", "--counts", f"0={x[1]}/{n[1]},1={x[0]}/{n[0]}")
    assert {
        k: counts[k] for k in ("absolute_lift", "ci_low", "ci_high", "p_value", "relative_ci_low")
    } == pytest.approx(
        {k: data[k] for k in ("absolute_lift", "ci_low", "ci_high", "p_value", "relative_ci_low")}, abs=1e-12
    )


def test_from_the_raw_file_names_the_row_with_no_outcome(ws, thornton):
    result = run(
        "experiment",
        "analyze",
        "hiv",
        "--from",
        ws.root / "thornton.csv",
        "--arm",
        "any",
        "--outcome",
        "got",
        "-w",
        ws.root,
    )
    assert result.exit_code == 1
    assert "thornton.csv, row 3: column 'got' is empty" in result.stderr and "WHERE" in result.stderr
    assert exposures(ws, "hiv") == 0


def test_from_an_excel_file_with_a_covariate_uses_cuped_and_matches_ols(ws):
    nsw = causaldata.nsw_mixtape.load_pandas().data[["treat", "re75", "re78"]].astype(float)
    nsw.insert(0, "person", [f"n{i}" for i in range(len(nsw))])
    nsw.to_excel(ws.root / "nsw.xlsx", index=False)
    data = analyze(
        ws,
        "training",
        "--from",
        ws.root / "nsw.xlsx",
        "--unit",
        "person",
        "--arm",
        "treat",
        "--outcome",
        "re78",
        "--covariate",
        "re75",
        "--control",
        "0",
    )
    ols = sm.OLS(nsw.re78, sm.add_constant(nsw[["treat", "re75"]])).fit()
    t, c = nsw.re78[nsw.treat == 1], nsw.re78[nsw.treat == 0]
    welch = stats.ttest_ind(t, c, equal_var=False)
    top = data["comparisons"][0]
    assert data["kind"] == "mean" and top["cuped_theta"] is not None
    assert data["absolute_lift"] == pytest.approx(ols.params["treat"], rel=1e-9)
    assert top["unadjusted_absolute_lift"] == pytest.approx(t.mean() - c.mean(), rel=1e-9)
    sums = ",".join(f"{arm}={len(v)}/{float(v.sum())!r}/{float((v**2).sum())!r}" for arm, v in (("0", c), ("1", t)))
    counts = analyze(ws, "training-counts", "--counts", sums)
    assert counts["p_value"] == pytest.approx(welch.pvalue, rel=1e-6)
    assert counts["absolute_lift"] == pytest.approx(t.mean() - c.mean(), rel=1e-9)


def _mailchimp(ws, rows=4000, seed=3):
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(rows) < 0.5, "A", "B")
    b = group == "B"
    today = date.today()
    sent = [today - timedelta(days=int(d)) for d in rng.integers(0, 40, rows)]
    frame = pd.DataFrame(
        {
            "email": [f"c{i}@example.com" for i in range(rows)],
            "group": group,
            "sent_at": [d.isoformat() for d in sent],
            "clicked": np.where(rng.random(rows) < 0.10 + 0.06 * b, "yes", "no"),
            "unsubscribed": np.where(rng.random(rows) < 0.01 + 0.03 * b, "TRUE", "FALSE"),
        }
    )
    frame.to_csv(ws.root / "mailchimp.csv", index=False)
    return frame, today


def test_guardrail_from_the_same_export_turns_ship_into_check_first(ws):
    _mailchimp(ws)
    (ws.experiments_dir / "subject.yaml").write_text(
        "name: subject\nsplit_by: Mailchimp\nvariants: {A: 1, B: 1}\nlabels: {A: the old subject line, B: the new subject line}\nunit: subscriber\n"
        "primary: {name: clicks, column: clicked, unit_words: subscribers, verb: got clicks from}\n"
        "guardrails:\n  - {name: unsubscribes, column: unsubscribed, good_direction: decrease}\n"
    )
    data = analyze(ws, "subject", "--from", ws.root / "mailchimp.csv")
    assert data["decision"] == "ship B, but unsubscribes rose: check before rolling out"
    assert data["guardrails"][0]["guardrail_p_holm"] < 0.05
    assert "the new subject line" in data["paragraph"] and "unsubscribes rose" in data["paragraph"]


def test_window_filters_exposures_and_before_the_end_is_an_early_look(ws):
    frame, today = _mailchimp(ws)
    start, end = today - timedelta(days=20), today + timedelta(days=10)
    (ws.experiments_dir / "subject.yaml").write_text(
        f"name: subject\nsplit_by: Mailchimp\nvariants: {{A: 1, B: 1}}\nstart: {start}\nend: {end}\nprimary: {{name: clicks, column: clicked}}\n"
    )
    data = analyze(ws, "subject", "--from", ws.root / "mailchimp.csv")
    inside = int((pd.to_datetime(frame.sent_at).dt.date >= start).sum())
    assert data["units"] == inside < len(frame)
    assert data["early_look"] and data["interval_basis"] == "always-valid"
    assert data["decision_ci_low"] == data["comparisons"][0]["sequential_ci_low"]
    assert data["headline"].startswith(f"Early look (the experiment runs until {end})")
    assert "early look" in data["paragraph"]


def test_column_options_without_from_are_refused_not_ignored(ws):
    (ws.experiments_dir / "subject.yaml").write_text(
        "name: subject\nsplit_by: Mailchimp\nvariants: {A: 1, B: 1}\nprimary: {name: clicks, column: clicked}\n"
    )
    result = run("experiment", "analyze", "subject", "--arm", "group", "-w", ws.root)
    assert result.exit_code == 1 and "--arm only apply with --from" in result.stderr


def test_an_experiment_split_elsewhere_never_gets_arms_drawn(ws):
    _mailchimp(ws)
    (ws.experiments_dir / "subject.yaml").write_text(
        "name: subject\nsplit_by: Mailchimp\nvariants: {A: 1, B: 1}\nprimary: {name: clicks, column: clicked}\n"
    )
    pd.DataFrame({"unit_id": ["x1", "x2"]}).to_csv(ws.root / "more.csv", index=False)
    result = run("experiment", "assign", "subject", "--units", ws.root / "more.csv", "-w", ws.root)
    assert result.exit_code == 1 and "was split by Mailchimp" in result.stderr
    assert exposures(ws, "subject") == 0
