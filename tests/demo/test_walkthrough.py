"""`soloml demo` end to end: a workspace, the exports, every step, and a summary a person can follow."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from bluebird_helpers import normalise, read
from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.demo import DemoContext, StepResult, run_demo
from soloml.demo.walkthrough import STEP_MODULES, STEPS
from soloml.errors import FeatureError
from soloml.workspace import open_workspace

CUSTOMERS = 300


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> tuple[Path, dict]:
    """`soloml demo --customers 300 --json` run once for the module."""
    folder = tmp_path_factory.mktemp("demo") / "bluebird"
    result = CliRunner().invoke(
        app, ["demo", "--dir", str(folder), "--customers", str(CUSTOMERS), "--seed", "7", "--json"]
    )
    assert result.exit_code == 0, result.output
    return folder, json.loads(result.stdout)


def _core_counts(folder: Path) -> dict[str, int]:
    con = open_workspace(folder).connect(read_only=True)
    try:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'core' ORDER BY 1"
        ).fetchall()
        return {t: con.execute(f"SELECT count(*) FROM core.{t}").fetchone()[0] for (t,) in tables}
    finally:
        con.close()


def test_demo_makes_a_workspace_with_the_exports_and_a_summary(demo_run):
    folder, summary = demo_run
    assert summary["business"] == "Bluebird Coffee"
    assert Path(summary["workspace"]) == folder.resolve()
    assert open_workspace(folder).settings.name == "Bluebird Coffee"
    assert set(summary["exports"]) == {
        "stripe_payments",
        "stripe_subscriptions",
        "shopify_orders",
        "hubspot_contacts",
        "mailchimp_activity",
    }
    for path in summary["exports"].values():
        assert Path(path).parent == folder.resolve() / "exports"
    assert Path(summary["truth"]).is_file()
    assert [s["name"] for s in summary["steps"]][0] == "load"
    assert summary["lines"][0].startswith("Done.")


def test_load_step_lands_every_export_and_fills_the_core_tables(demo_run):
    folder, summary = demo_run
    load = summary["steps"][0]["data"]
    assert [item["status"] for item in load["loads"]] == ["loaded"] * 5
    assert all(n > 0 for n in load["raw_rows"].values()) and len(load["raw_rows"]) == 5
    core = _core_counts(folder)
    for table in ("customers", "payments", "orders", "order_items", "subscriptions", "contacts", "marketing_events"):
        assert core[table] > 0, table
    assert load["core_rows"]["core.payments"] == core["payments"]


def test_load_step_counts_buyers_and_leads_apart_as_a_ceo_counts_customers(demo_run):
    folder, summary = demo_run
    con = open_workspace(folder).connect(read_only=True)
    try:
        buyers, leads = con.execute(
            "SELECT count(*) FILTER (has_purchased), count(*) FILTER (NOT has_purchased) FROM core.customers"
        ).fetchone()
    finally:
        con.close()
    assert leads > 0  # CRM contacts who never bought: the demo's HubSpot holds prospects
    text = " ".join(summary["steps"][0]["lines"])
    assert f"{buyers:,} customers who bought and {leads:,} leads who have not yet" in text
    assert f"{buyers + leads:,} customers" not in text  # leads are not counted as customers
    assert summary["steps"][0]["data"]["customers"] == {"bought": buyers, "leads": leads}


def test_test_mode_payments_never_reach_the_core_tables(demo_run):
    folder, _ = demo_run
    test_ids = read(folder / "exports" / "stripe_payments.csv").query("Mode == 'Test'")["id"]
    con = open_workspace(folder).connect(read_only=True)
    try:
        ids = {row[0] for row in con.execute("SELECT payment_id FROM core.payments").fetchall()}
    finally:
        con.close()
    assert len(test_ids) > 0
    assert not any(pid.endswith(t) for pid in ids for t in test_ids)


def test_every_real_person_is_one_customer_across_tools(demo_run):
    """Addresses that differ by case, spaces, +tags, gmail dots, or only via HubSpot's Stripe id resolve to one customer."""
    folder, _ = demo_run
    truth = read(folder / "exports" / "_truth" / "customers.csv")
    con = open_workspace(folder).connect(read_only=True)
    try:
        rows = con.execute("SELECT source, source_id, email, customer_id FROM core.customer_identities").fetchall()
    finally:
        con.close()
    by_email: dict[str, set[str]] = {}
    by_stripe: dict[str, set[str]] = {}
    for source, source_id, email, customer in rows:
        if email:
            by_email.setdefault(normalise(email), set()).add(customer)
        if source == "stripe":
            by_stripe.setdefault(source_id, set()).add(customer)
    split = []
    for person in truth.itertuples():
        found = set().union(*(by_email.get(normalise(e), set()) for e in person.emails.split(";")))
        found |= by_stripe.get(person.stripe_customer_id, set())
        if len(found) != 1:
            split.append((person.person_id, person.emails, found))
    assert not split, split[:5]


def test_running_the_demo_again_changes_nothing_and_says_where_everything_is(demo_run):
    folder, _ = demo_run
    before = _core_counts(folder)
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder), "--customers", str(CUSTOMERS), "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert _core_counts(folder) == before
    text = result.output
    assert "5 export file(s) were already loaded and did not change" in text
    assert "Stripe payments (stripe_payments.csv): unchanged" in text
    assert "Bluebird Coffee" in text and "Done." in text
    assert str(folder.resolve()) in text and "warehouse.duckdb" in text and str(folder.resolve() / "exports") in text


def test_an_impossible_customer_count_fails_with_a_clear_message(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "x"), "--customers", "3"])
    assert result.exit_code == 1
    assert "between 20 and 200,000 customers; got 3" in result.output


def _count_orders(ctx: DemoContext) -> StepResult:
    rows = read(ctx.exports.files["shopify_orders"])
    return StepResult(
        "orders", (f"Bluebird took {rows['Name'].nunique():,} orders.",), {"orders": rows["Name"].nunique()}
    )


def test_later_steps_see_earlier_results(tmp_path):
    def per_customer(ctx: DemoContext) -> StepResult:
        orders = ctx.results["orders"].data["orders"]
        return StepResult(
            "per_customer",
            (f"{orders / ctx.exports.customers:.1f} orders per customer.",),
            {"ratio": orders / ctx.exports.customers},
        )

    summary = run_demo(tmp_path / "d", customers=40, steps=(_count_orders, per_customer))
    assert [s.name for s in summary.steps] == ["orders", "per_customer"]
    assert summary.steps[1].data["ratio"] == summary.steps[0].data["orders"] / 40 > 0
    assert any("orders per customer" in line for line in summary.lines)


def test_a_failing_step_names_itself_and_keeps_the_earlier_work(tmp_path):
    def broken(ctx: DemoContext) -> StepResult:
        raise FeatureError("No customers were active at any cutoff.", hint="Load more history.")

    with pytest.raises(FeatureError) as info:
        run_demo(tmp_path / "d", customers=40, steps=(_count_orders, broken))
    assert "step 2 (broken)" in str(info.value) and "Load more history." in str(info.value)
    assert (tmp_path / "d" / "exports" / "shopify_orders_export.csv").is_file()
    assert (tmp_path / "d" / "warehouse.duckdb").is_file()


def test_a_failing_step_fails_the_command_with_one_paragraph(tmp_path, monkeypatch):
    def broken(ctx: DemoContext) -> StepResult:
        raise FeatureError("No customers were active at any cutoff.", hint="Load more history.")

    monkeypatch.setattr("soloml.demo.walkthrough.STEPS", (broken,))
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path / "d"), "--customers", "40"])
    assert result.exit_code == 1
    assert "The demo stopped at step 1 (broken): No customers were active" in result.output
    assert "Traceback" not in result.output


def test_every_listed_step_module_has_a_run_function():
    assert STEP_MODULES[0] == "step_load"
    for name, step in zip(STEP_MODULES, STEPS, strict=True):
        assert importlib.import_module(f"soloml.demo.{name}").run is step


def test_without_a_console_the_demo_prints_nothing(tmp_path, capsys):
    run_demo(tmp_path / "quiet", customers=40, steps=(_count_orders,))
    assert capsys.readouterr().out == ""


def test_a_dir_that_is_a_file_is_refused_with_what_to_do(tmp_path):
    target = tmp_path / "file"
    target.write_text("not a folder")
    result = CliRunner().invoke(app, ["demo", "--dir", str(target), "--customers", "40"])
    assert result.exit_code == 1
    assert "is a file" in result.output and "--dir" in result.output
    assert target.read_text() == "not a folder"


def test_forecast_step_agrees_a_revenue_forecast_and_writes_its_verdict_chart_and_forecaster(demo_run):
    from soloml.projects import load_spec
    from soloml.registry.forecasters import load_forecaster_version

    folder, summary = demo_run
    step = next(s for s in summary["steps"] if s["name"] == "forecast")
    data, lines = step["data"], step["lines"]
    spec = load_spec(folder / "projects" / "revenue.yaml")
    assert (spec.recipe, spec.forecast.series, spec.forecast.frequency, spec.forecast.horizon) == (
        "forecast",
        "revenue",
        "month",
        3,
    )
    assert (spec.done.metric, spec.done.value) == ("miss_cost", 500.0)  # $2,000 a missed month x one month in four
    assert data["verdict"] in ("DONE", "KEEP_GOING", "NOT_WORTH_IT") and lines[0].startswith(
        {"DONE": "Done: ", "KEEP_GOING": "Keep going: ", "NOT_WORTH_IT": "Not worth it"}[data["verdict"]]
    )  # the verdict in words, said once
    assert any(line.strip().startswith("Next quarter's revenue: $") and "most likely $" in line for line in lines)
    assert Path(data["chart"]).is_file() and Path(data["chart"]).suffix == ".png" and Path(data["csv"]).is_file()
    models = open_workspace(folder).models_dir
    saved = load_forecaster_version(models, "revenue", data["version"])
    assert saved.metadata["verdict"] == data["verdict"] and saved.metadata["kind"] == "forecaster"
    assert (
        load_forecaster_version(models, "revenue", "production").metadata["kind"] == "forecaster"
    )  # a later test re-runs the demo


def test_impact_step_says_the_decision_in_words_and_keeps_the_code_for_json(demo_run):
    _, summary = demo_run
    step = next(s for s in summary["steps"] if s["name"] == "impact")
    line = next(line for line in step["lines"] if line.startswith("Decision: "))
    code = step["data"]["experiment"]["decision"]
    assert line.endswith(".") and "(" not in line and code not in line
    assert line == f"Decision: {step['data']['experiment']['decision_words']}."
