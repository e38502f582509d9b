"""A workspace made by the release before ops.schema_version opens, migrates, keeps its history, trains and scores."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from soloml.demo import step_deploy, step_load, step_project, step_train
from soloml.demo.walkthrough import run_demo
from soloml.warehouse import connect, ops
from soloml.warehouse.migrations import LATEST, Migration, current_version, migrate, rename_column
from soloml.warehouse.postgres import PostgresConnection

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "workspace_v0"


def _old_warehouse(path: Path) -> dict[str, int]:
    """ops.* exactly as the previous release made it (frozen DDL + its rows); returns rows per table."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA ops")
    for statement in (FIXTURE / "ops_schema.sql").read_text().split(";\n"):
        body = "\n".join(line for line in statement.splitlines() if not line.startswith("--")).strip()
        if body:
            con.execute(body)
    counts = {}
    for csv in sorted((FIXTURE / "ops").glob("*.csv")):
        con.execute(
            f"INSERT INTO ops.{csv.stem} SELECT * FROM read_csv(?, header = true, auto_type_candidates = ['VARCHAR'])",
            [str(csv)],
        )
        counts[csv.stem] = con.execute(f"SELECT count(*) FROM ops.{csv.stem}").fetchone()[0]
    con.close()
    return counts


def _columns(con, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'ops' AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


@pytest.fixture
def old_workspace(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    root = tmp_path / "bluebird"
    root.mkdir()
    shutil.copy(FIXTURE / "soloml.yaml", root / "soloml.yaml")
    shutil.copytree(FIXTURE / "projects", root / "projects")
    return root, _old_warehouse(root / "warehouse.duckdb")


def test_old_workspace_is_version_zero_and_migrates_on_open(old_workspace):
    root, counts = old_workspace
    raw = duckdb.connect(str(root / "warehouse.duckdb"))
    assert current_version(raw) == 0
    assert "forecasts" not in {
        r[0]
        for r in raw.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'ops'").fetchall()
    }
    raw.close()

    con = connect(root / "warehouse.duckdb")
    assert current_version(con) == LATEST
    for name, spec in ops.SCHEMA.items():  # every table and column the schema names is there now
        assert set(spec.names) <= set(_columns(con, name)), name
    for name, n in counts.items():  # and no old row was lost
        assert con.execute(f"SELECT count(*) FROM ops.{name}").fetchone()[0] == n
    runs = ops.select(con, "runs", ["run_id", "kind", "status"], order_by="started_at")
    assert [r["kind"] for r in runs] == ["check", "train", "score"]
    assert migrate(con) == []  # a second open changes nothing
    con.close()


def test_old_workspace_trains_and_scores_after_migrating(old_workspace):
    root, counts = old_workspace
    # another seed: the old ops.loads names files of seed 7 whose raw tables this fixture does not carry
    run_demo(
        root, customers=300, seed=8, json=True, steps=(step_load.run, step_project.run, step_train.run, step_deploy.run)
    )
    con = connect(root / "warehouse.duckdb", read_only=True)
    kinds = [r[0] for r in con.execute("SELECT kind FROM ops.runs ORDER BY started_at").fetchall()]
    assert kinds[:3] == ["check", "train", "score"] and kinds.count("train") == 2 and kinds.count("score") == 2
    old = {
        r[0]
        for r in duckdb.execute(
            f"SELECT DISTINCT run_id FROM read_csv('{FIXTURE / 'ops' / 'predictions.csv'}')"
        ).fetchall()
    }
    per_run = dict(con.execute("SELECT run_id, count(*) FROM ops.predictions GROUP BY run_id").fetchall())
    assert sum(per_run[r] for r in old) == counts["predictions"]  # the old release's predictions are all still there
    new = {r: n for r, n in per_run.items() if r not in old}
    assert new and all(n > 0 for n in new.values())  # and the migrated workspace scored again
    assert current_version(con) == LATEST
    con.close()


def _raw(target: str):
    """A connection that creates nothing (no schemas, no migration), as an older release's warehouse was left."""
    return PostgresConnection(target) if target.startswith("postgresql://") else duckdb.connect(target)


def test_a_column_added_to_the_schema_reaches_an_old_table(target):
    """The first release's ops.predictions had no predicted_class: converge adds it, nullable, rows kept."""
    path = target
    raw = _raw(target)
    raw.execute("CREATE SCHEMA ops")
    raw.execute(
        "CREATE TABLE ops.predictions (run_id VARCHAR NOT NULL, project VARCHAR NOT NULL, model_version VARCHAR NOT NULL, "
        "entity_id VARCHAR, score DOUBLE, decision BOOLEAN, rank INTEGER, top_reasons JSON, scored_at TIMESTAMP NOT NULL, origin VARCHAR)"
    )
    raw.execute(
        "INSERT INTO ops.predictions VALUES ('r1', 'churn', 'v0001', 'c1', 0.5, true, 1, NULL, TIMESTAMP '2026-01-01', 'batch')"
    )
    raw.close()
    con = connect(path)
    assert _columns(con, "predictions") == list(ops.table("predictions").names)
    assert con.execute("SELECT entity_id, predicted_class, email FROM ops.predictions").fetchall() == [
        ("c1", None, None)
    ]


def test_a_rename_migration_runs_once_in_order_and_is_recorded(target):
    con = connect(target)
    con.execute("CREATE TABLE ops.scratch (old_name VARCHAR)")
    con.execute("INSERT INTO ops.scratch VALUES ('kept')")
    seen: list[int] = []

    def step(version: int):
        def run(c):
            seen.append(version)
            rename_column(c, "ops.scratch", "old_name", "new_name")

        return run

    later = (Migration(LATEST + 2, "second", step(LATEST + 2)), Migration(LATEST + 1, "first", step(LATEST + 1)))
    changed = migrate(con, later)
    assert seen == [LATEST + 1, LATEST + 2]
    assert changed[:2] == [f"migration {LATEST + 1}: first", f"migration {LATEST + 2}: second"]
    assert con.execute("SELECT new_name FROM ops.scratch").fetchall() == [("kept",)]
    assert current_version(con) == LATEST + 2
    assert migrate(con, later) == [] and seen == [LATEST + 1, LATEST + 2]


def test_a_failed_migration_leaves_the_workspace_as_it_was(target):
    con = connect(target)

    def broken(c):
        c.execute("CREATE TABLE ops.half_done (x INTEGER)")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        migrate(con, (Migration(LATEST + 1, "breaks", broken),))
    assert current_version(con) == LATEST
    assert (
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'half_done'").fetchone()[0] == 0
    )
