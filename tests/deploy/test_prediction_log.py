"""The service's prediction log: never blocks a request, writes in batches, survives a locked warehouse."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime

import pytest

from soloml.deploy.logger import PredictionLogger


def row(i: int, project: str = "churn") -> tuple:
    return (
        "serve-test",
        project,
        "v0001",
        f"cus_{i}",
        i / 100,
        i % 2 == 0,
        None,
        '["a reason"]',
        datetime(2026, 11, 2, 9, 0),
        "service",
    )


def count(ws, project: str = "churn") -> int:
    con = ws.connect(read_only=True)
    try:
        return con.execute("SELECT count(*) FROM ops.predictions WHERE project = ?", [project]).fetchone()[0]
    finally:
        con.close()


def test_logged_predictions_land_in_ops_predictions(ws):
    logger = PredictionLogger(ws.warehouse_url, flush_seconds=0.05)
    logger.start()
    for i in range(250):
        assert logger.log(row(i))
    logger.stop()
    assert count(ws) == 250
    assert logger.stats.logged == 250 and logger.stats.dropped == 0 and logger.stats.pending == 0
    con = ws.connect(read_only=True)
    try:
        stored = con.execute(
            "SELECT entity_id, score, decision, top_reasons->>0, origin FROM ops.predictions WHERE entity_id = 'cus_4'"
        ).fetchone()
    finally:
        con.close()
    assert stored == ("cus_4", 0.04, True, "a reason", "service")


def test_a_full_queue_that_nothing_drains_drops_and_counts_instead_of_blocking(ws):
    logger = PredictionLogger(ws.warehouse_url, max_queue=10)  # writer not started: nothing drains the queue
    started = time.perf_counter()
    accepted = [logger.log(row(i)) for i in range(25)]
    assert time.perf_counter() - started < 1.0
    assert accepted.count(True) == 10 and logger.stats.dropped == 15
    assert logger.flush() and count(ws) == 10


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_rows_wait_while_another_process_holds_the_warehouse(ws):
    ws.connect().close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, ws.warehouse_url, "1.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        logger = PredictionLogger(ws.warehouse_url, flush_seconds=0.1)
        logger.start()
        for i in range(20):
            logger.log(row(i))
        time.sleep(0.5)
        assert logger.stats.failed_writes >= 1 and logger.stats.pending == 20, "rows are kept while the file is locked"
        holder.wait(10)
        logger.stop(timeout=10)
    finally:
        holder.kill()
    assert count(ws) == 20 and logger.stats.logged == 20


@pytest.mark.parametrize("rows", [1, 5_001])
def test_batches_of_any_size_are_written_whole(ws, rows: int):
    logger = PredictionLogger(ws.warehouse_url, max_queue=rows, batch_rows=5_000)
    for i in range(rows):
        logger.log(row(i))
    logger.start()
    logger.stop()
    assert count(ws) == rows


def test_the_log_keeps_up_with_rows_arriving_faster_than_one_batch_per_tick(ws):
    """The service answers ~2,800 req/s; one 5,000-row batch per 2 s tick (2,500 rows/s) dropped ~2% of them."""
    logger = PredictionLogger(ws.warehouse_url, max_queue=2_000, batch_rows=500, flush_seconds=2.0)
    logger.start()
    accepted = sum(logger.log(row(i)) for i in range(30_000))  # as fast as one thread can: far above 250 rows/s
    logger.stop()
    assert logger.stats.dropped == 0 and accepted == 30_000
    assert logger.stats.logged == 30_000 and count(ws) == 30_000


def test_while_another_process_holds_the_warehouse_rows_beyond_the_queue_are_dropped_and_counted(ws):
    ws.connect().close()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, ws.warehouse_url, "1.0"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        logger = PredictionLogger(ws.warehouse_url, max_queue=50, batch_rows=10, flush_seconds=0.05, max_wait=30.0)
        logger.start()
        before = 0
        while logger.stats.failed_writes == 0:
            before += logger.log(row(0))
            time.sleep(0.01)
        accepted = [logger.log(row(i)) for i in range(1, 201)]  # waiting would not help: the writer cannot write
        holder.wait(10)
        logger.stop(timeout=10)
    finally:
        holder.kill()
    assert logger.stats.dropped == accepted.count(False) > 0
    assert count(ws) == logger.stats.logged == before + accepted.count(True)
