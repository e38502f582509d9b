"""gather_events: one typed, dated event log from a real workspace's files, registry and ops.* journals."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from modeling.synthetic import churn_set, churn_spec
from soloml.experiments.assignment import assign_units
from soloml.experiments.spec import ExperimentSpec, save_experiment
from soloml.modeling import train
from soloml.projects.spec import save_spec
from soloml.registry import promote, save_model
from soloml.tracker.event_log import EVENT_KINDS, Event, EventLog, make_log
from soloml.tracker.events import gather_events
from soloml.tracker.stages import stage_of

T = datetime(2026, 11, 20, 8, 0)


@pytest.fixture(scope="module")
def trained():
    return train(churn_set(customers=120, cutoffs=3, seed=6), churn_spec())


def _journals(con) -> None:
    """What scoring, loading, monitoring and (one day) the readiness check write, row by row."""
    con.execute(
        "INSERT INTO ops.runs VALUES ('score-1', 'churn', 'score', 'v0001', ?, ?, 'succeeded', 40, NULL, '{}')", [T, T]
    )
    con.execute(
        "INSERT INTO ops.runs VALUES ('score-2', 'churn', 'score', 'v0001', ?, ?, 'failed', 0, 'locked', NULL)",
        [T.replace(day=21), T.replace(day=21)],
    )
    con.execute(
        "INSERT INTO ops.runs VALUES ('check-1', 'churn', 'check', NULL, ?, ?, 'succeeded', NULL, NULL, '{\"outcome\": \"ready\"}')",
        [T, T],
    )
    con.execute(
        "INSERT INTO ops.loads (load_id, source, target_table, rows_loaded, rows_quarantined, started_at, finished_at, status) "
        "VALUES ('L1', '/data/stripe_payments.csv', 'raw.stripe_payments', 120, 2, ?, ?, 'loaded'), "
        "('L2', '/data/bad.csv', NULL, 0, 0, ?, ?, 'failed')",
        [T, T, T, T],
    )
    con.executemany(
        "INSERT INTO ops.monitoring VALUES (?, 'churn', 'v0001', ?, ?, ?, ?, ?, ?, ?)",
        [
            ["m1", T.replace(day=22), "drift", "tenure", 0.4, 0.25, True, "{}"],
            ["m1", T.replace(day=22), "freshness", "stripe_payments", 300.0, 168.0, True, "{}"],
            ["m2", T.replace(day=23), "drift", "tenure", 0.01, 0.25, False, "{}"],
        ],
    )


def _experiment(ws, con) -> None:
    spec = ExperimentSpec.model_validate(
        {
            "name": "offer",
            "salt": "s",
            "variants": {"control": 0.5, "offer": 0.5},
            "project": "churn",
            "description": "The retention offer",
            "primary": {"name": "kept", "csv": "outcome.csv", "unit_words": "customers", "verb": "kept"},
        }
    )
    save_experiment(spec, ws.experiments_dir)
    ids = [f"c{i}" for i in range(400)]
    assign_units(con, spec, ids, exposed_at=T.replace(day=24))
    from soloml.experiments.assignment import assign_many

    arms = assign_many(spec, ids)
    lines = ["unit_id,value"] + [f"{u},{1 if arms[u] == 'offer' or i % 3 == 0 else 0}" for i, u in enumerate(ids)]
    (ws.root / "outcome.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_gather_reads_every_source_into_typed_dated_events(ws, con, trained):
    save_spec(churn_spec(), ws.projects_dir)
    (ws.projects_dir / "broken.yaml").write_text("name: broken\nquestion: [\n", encoding="utf-8")
    save_model(ws.models_dir, trained, con=con)
    promote(con, ws.models_dir, "churn", "v0001")
    _journals(con)
    _experiment(ws, con)
    con.close()
    log = gather_events(ws, now=datetime(2026, 12, 1))
    kinds = {e.kind for e in log.events}
    assert kinds == {
        "project_agreed",
        "contract_invalid",
        "model_trained",
        "model_promoted",
        "scoring_run",
        "scoring_failed",
        "check_passed",
        "data_loaded",
        "load_failed",
        "monitoring_alert",
        "monitoring_clear",
        "experiment_planned",
        "experiment_started",
        "experiment_decided",
    }
    assert [e.at for e in log.events] == sorted(e.at for e in log.events)
    model = log.latest("churn", "model_trained")
    assert (
        model.subject == "v0001"
        and model.facts["verdict"] == trained.verdict.decision
        and model.facts["spec_hash"] == trained.spec_hash
    )
    agreed = log.latest("churn", "project_agreed")
    assert agreed.facts["capacity"] == 20 and agreed.facts["spec_hash"] == churn_spec().spec_hash()
    alert = log.latest("churn", "monitoring_alert")
    assert alert.facts["alerts"] == [
        "the input 'tenure' looks different from the training data",
        "the source stripe_payments was last loaded 12 days ago (the limit is 7 days)",
    ]
    loaded = next(e for e in log.events if e.kind == "data_loaded")
    assert (loaded.project, loaded.subject, loaded.facts["rows"], loaded.facts["quarantined"]) == (
        None,
        "stripe_payments.csv",
        120,
        2,
    )
    started, decided = log.latest("churn", "experiment_started"), log.latest("churn", "experiment_decided")
    assert started.facts["units"] == 400 and sum(started.facts["variants"].values()) == 400
    assert decided.facts["shipped"] is True and decided.facts["decision"] == "ship offer"
    assert decided.facts["decision_words"] == "roll out the retention offer"  # what the update prints, not the code
    assert stage_of(log.for_project("churn")) == "proven"
    assert log.latest("broken", "contract_invalid").facts["error"].startswith(str(ws.projects_dir / "broken.yaml"))


def test_an_event_log_round_trips_through_its_facts():
    log = make_log(
        [
            Event("scoring_run", T, "churn", "score-1", {"rows": 40}),
            Event("data_loaded", T, None, "a.csv", {"rows": 1}),
        ],
        T,
    )
    again = EventLog.from_facts(json.loads(json.dumps(log.to_facts())))
    assert again.to_facts() == log.to_facts()


def test_an_unknown_event_kind_is_refused_with_the_kinds_that_exist():
    from soloml.errors import TrackerError

    with pytest.raises(TrackerError, match="Unknown event kind 'model_baked'.*model_trained"):
        Event.from_facts({"kind": "model_baked", "at": "2026-11-01T00:00:00", "subject": "x"})
    assert "check_passed" in EVENT_KINDS  # the readiness stage's event is defined before the stage exists


def test_a_workspace_without_a_warehouse_file_still_gives_its_file_events(ws):
    save_spec(churn_spec(), ws.projects_dir)
    (ws.root / "warehouse.duckdb").unlink()
    log = gather_events(ws)
    assert [e.kind for e in log.events] == ["project_agreed"]


def test_event_times_are_on_the_business_clock_from_soloml_yaml(ws, con):
    con.execute(
        "INSERT INTO ops.runs VALUES ('score-1', 'churn', 'score', 'v0001', ?, ?, 'succeeded', 40, NULL, '{}')",
        [datetime(2026, 11, 20, 3, 0), datetime(2026, 11, 20, 3, 0)],
    )
    con.close()
    (ws.root / "soloml.yaml").write_text("name: x\ntimezone: America/New_York\n", encoding="utf-8")
    from soloml.workspace import open_workspace

    log = gather_events(open_workspace(ws.root), now=datetime(2026, 11, 20, 4, 0))
    assert [e.at for e in log.events] == [datetime(2026, 11, 19, 22, 0)] and log.gathered_at == datetime(
        2026, 11, 19, 23, 0
    )
    (ws.root / "soloml.yaml").write_text("name: x\ntimezone: Mars/Olympus\n", encoding="utf-8")
    from soloml.errors import ConfigError

    with pytest.raises(ConfigError, match="timezone 'Mars/Olympus' is not a time zone name"):
        gather_events(open_workspace(ws.root))


def test_a_decided_experiment_is_told_in_the_experiments_own_decision_words_not_its_code():
    from soloml.tracker.happenings import LINES

    e = Event(
        "experiment_decided",
        T,
        "churn",
        "offer",
        {
            "headline": "The offer kept 64 more customers.",
            "decision": "ship offer",
            "decision_words": "roll out the retention offer",
            "shipped": True,
        },
    )
    line = LINES["experiment_decided"](e, make_log([e], T))
    assert line.endswith("Decision: roll out the retention offer.") and "ship offer" not in line
