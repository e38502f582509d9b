"""`soloml features PROJECT` through the CLI runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from soloml.cli.app import app
from soloml.projects import table_spec
from soloml.projects.spec import save_spec

from .test_recipes import shop, spec_for  # noqa: F401 - fixture

runner = CliRunner()


def test_features_summarises_cutoffs_and_says_when_it_reused_the_cache(ws, con, shop):  # noqa: F811
    save_spec(spec_for("churn").model_copy(update={"name": "churn"}), ws.projects_dir)
    con.close()
    first = runner.invoke(app, ["features", "churn", "--workspace", str(ws.root), "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["reused"] is False
    assert [(c["cutoff"][:10], c["rows"], c["base_rate"]) for c in report["cutoffs"]] == [
        ("2024-04-01", 4, 0.25),
        ("2024-05-01", 4, 0.5),
        ("2024-06-01", 5, 0.6),
    ]  # E paid at 05-01 00:00: inside [05-01, 05-31)
    nulls = {f["name"]: f["null_share"] for f in report["features"]}
    assert nulls["payments_30d"] == 0.0 and 0 < nulls["days_since_last_order"] < 1
    second = runner.invoke(app, ["features", "churn", "--workspace", str(ws.root)])
    assert "reused from the cache" in second.output
    assert "2024-05-01: 4 rows, base rate 50.0%" in second.output
    assert (
        "Population: customers who bought in the 90 days before the cutoff, or with a running subscription"
        in second.output
    )


def test_audit_flag_reports_the_windows_and_fails_on_a_leak(ws, con, shop):  # noqa: F811
    (ws.features_dir / "leaky.sql").write_text(
        "SELECT customer_id AS entity_id, count(*) AS all_payments FROM core.payments GROUP BY 1", encoding="utf-8"
    )
    save_spec(spec_for("churn").model_copy(update={"name": "churn"}), ws.projects_dir)
    save_spec(spec_for("churn", features_sql=["leaky.sql"]).model_copy(update={"name": "leaky"}), ws.projects_dir)
    con.close()
    clean = runner.invoke(app, ["features", "churn", "--audit", "--workspace", str(ws.root)])
    assert clean.exit_code == 0, clean.output
    assert "Leakage audit passed" in clean.output and "[cutoff, cutoff + 30 days)" in clean.output
    leaky = runner.invoke(app, ["features", "leaky", "--audit", "--workspace", str(ws.root)])
    assert leaky.exit_code == 1
    assert "feature 'all_payments'" in leaky.output and "leaky.sql" in leaky.output


def test_unknown_project_exits_1_with_a_suggestion(ws):
    save_spec(spec_for("churn").model_copy(update={"name": "churn"}), ws.projects_dir)
    result = runner.invoke(app, ["features", "chrun", "--workspace", str(ws.root)])
    assert result.exit_code == 1
    assert "Did you mean 'churn'" in result.output


def test_table_project_summary_marks_categories_and_has_no_cutoffs(ws, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(
        "account_id,plan,seats,churned\n"
        + "".join(f"a{i},{'pro' if i % 3 else 'basic'},{i % 7},{i % 2}\n" for i in range(30))
    )
    save_spec(table_spec(str(path), "churned"), ws.projects_dir)
    result = runner.invoke(app, ["features", "accounts_churned", "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "plan [category]" in result.output
    assert "(no time): 30 rows, base rate 50.0%" in result.output
    report = json.loads(
        runner.invoke(app, ["features", "accounts_churned", "--workspace", str(ws.root), "--json"]).stdout
    )
    assert report["reused"] is True and report["cutoffs"] == [{"cutoff": None, "rows": 30, "base_rate": 0.5}]
