"""`soloml check` on a workspace with planted problems: each workspace check finds its problem and names the fix.

One warehouse holds every planted problem (real loads where a file can plant it, rows in core.* or the load
journal where only a state can); one check runs over it; each row of the table is one check's finding.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from soloml.canonical.schema import create_core_tables
from soloml.cli.app import app
from soloml.readiness import check_workspace
from soloml.workspace import init_workspace

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 12, 1, 12, 0)


def _csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.write_text(
        "\n".join([",".join(header), *(",".join("" if v is None else str(v) for v in r) for r in rows)]) + "\n",
        encoding="utf-8",
    )
    return path


def _load(root: Path, path: Path) -> None:
    result = CliRunner().invoke(app, ["load", str(path), "--workspace", str(root)])
    assert result.exit_code == 0, result.output


def _plant_files(root: Path) -> None:
    # an unknown export: never routed into core, an empty column, a constant one, numbers kept as text, two time zones
    rows = [
        [f"T{i}", 10 + i if i % 5 else "n/a", None, "Main St", "America/New_York" if i % 2 else "Europe/Berlin"]
        for i in range(40)
    ]
    _load(root, _csv(root / "legacy_pos.csv", ["Ticket", "Total", "Coupon", "Store", "Time Zone"], rows))
    # a file with one value that does not parse: that row is set aside at load
    bad = [[f"A{i}", f"{i}.5", f"2024-01-{i % 27 + 1:02d}"] for i in range(60)] + [["A99", "abc", "2024-01-03"]]
    _load(root, _csv(root / "accounts.csv", ["Account", "Amount", "Joined"], bad))
    # a Stripe export with an id on two different rows and a row listed twice
    _load(root, FIXTURES / "stripe_payments_repeats.csv")


def _plant_states(con) -> None:
    create_core_tables(con)
    loads = [
        ("L-old", "feed.csv", "raw.feed", NOW - timedelta(days=30), "loaded"),
        *((f"L-daily{i}", "daily.csv", "raw.daily", NOW - timedelta(days=3 + i), "loaded") for i in range(4)),
        ("L-bad", "broken.csv", "raw.broken", NOW - timedelta(hours=2), "failed"),
    ]
    for load_id, source, table, finished, status in loads:
        con.execute(
            "INSERT INTO ops.loads (load_id, source, target_table, finished_at, status, error) VALUES (?, ?, ?, ?, ?, ?)",
            [load_id, source, table, finished, status, "not a CSV" if status == "failed" else None],
        )
    # Shopify knows 30 customers, 10 of them also in Square: a low match rate
    for i in range(30):
        identity = (
            "INSERT INTO core.customer_identities (source, source_id, customer_id, matched_by) VALUES (?, ?, ?, ?)"
        )
        con.execute(identity, ["shopify", f"s{i}", f"c{i}", "new"])
        if i < 10:
            con.execute(identity, ["square", f"q{i}", f"c{i}", "email"])
    # Square orders: about 20 a month from 2025-01 to 2025-06, none at all in 2025-03; a quarter of them in EUR
    for month in (1, 2, 4, 5, 6):
        for day in range(1, 21):
            con.execute(
                "INSERT INTO core.orders (order_id, source, ordered_at, status, total, currency) VALUES (?, 'square', ?, 'paid', 10, ?)",
                [f"square:{month}-{day}", datetime(2025, month, day), "EUR" if day % 4 == 0 else "USD"],
            )


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    ws = init_workspace(tmp_path_factory.mktemp("planted") / "ws")
    _plant_files(ws.root)
    with ws.connect() as con:
        _plant_states(con)
        return check_workspace(con, now=NOW)


# check, severity, subject, words that say what was found, the fix's command (or words)
PLANTED = [
    ("freshness", "fix", "raw.feed", "was last loaded 30 days ago", "soloml load feed.csv"),
    ("freshness", "fix", "raw.daily", "it usually arrives every 24 hours", "soloml load daily.csv"),
    ("freshness", "fix", "raw.broken", "has never loaded successfully", "soloml load broken.csv"),
    ("routing", "note", "raw.legacy_pos", "none of it reached the business tables", "soloml map"),
    ("all_missing", "note", "raw.legacy_pos", "'Coupon'", "Check that the export includes 'Coupon'"),
    ("constant", "note", "raw.legacy_pos", "'Store' ('Main St')", "models leave it out"),
    (
        "text_typed",
        "fix",
        "raw.legacy_pos.total",
        "80% of its values are numbers (data row 1 holds 'n/a')",
        "soloml load",
    ),
    ("time_zones", "note", "raw.legacy_pos.time_zone", "about 2 time zones", "soloml map"),
    ("quarantine", "note", "raw.accounts", "1 row of accounts.csv (1.6% of its 61 rows) was set aside", "soloml load"),
    (
        "duplicate_keys",
        "fix",
        "raw.stripe_payments",
        "'ch_7ka6nSaEtkzsx7aegOZ8TNDD'",
        "Keep one row per id in stripe_payments_repeats.csv",
    ),
    (
        "repeated_rows",
        "note",
        "raw.stripe_payments",
        "2 rows of stripe_payments_repeats.csv repeat another row exactly",
        "Nothing to do",
    ),
    ("identity", "note", "shopify", "33% in Square", "soloml identities"),
    ("currencies", "fix", "core.orders", "2 currencies (USD 75%, EUR 25%)", "Converted Amount"),
    ("history_gaps", "fix", "core.orders/square", "no orders at all in 1 month (2025-03)", "covering 2025-03"),
]


@pytest.mark.parametrize(
    ("check", "severity", "subject", "words", "fix"), PLANTED, ids=[f"{p[0]}-{p[2]}" for p in PLANTED]
)
def test_each_planted_problem_gets_its_finding_and_fix(report, check, severity, subject, words, fix):
    found = [f for f in report.findings if f.check == check and f.subject == subject]
    assert len(found) == 1, [(f.check, f.subject) for f in report.findings]
    finding = found[0]
    assert finding.severity == severity
    assert words in finding.words
    assert fix in f"{finding.fix.command} {finding.fix.words}"


def test_the_planted_workspace_is_fix_first_with_every_fix_in_the_summary(report):
    assert report.outcome == "fix_first" and report.exit_code == 1
    fixes = [line for line in report.summary() if line.startswith("To fix: ")]
    assert len(fixes) == sum(p[1] == "fix" for p in PLANTED)


def test_an_empty_warehouse_is_not_ready_and_says_to_load(ws):
    with ws.connect() as con:
        report = check_workspace(con, now=NOW)
    assert report.outcome == "fix_first"
    (finding,) = report.of("fix")
    assert (
        finding.words == "The warehouse holds no data yet: nothing has been loaded."
        and finding.fix.command == "soloml load FILE"
    )
