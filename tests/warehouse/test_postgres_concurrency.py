"""Two soloml processes on one Postgres warehouse at once: a writer holding its transaction open does not lock a
reader (or another writer) out, and neither sees the other's rows before they are committed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from soloml.warehouse import connect, ops

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime
    from soloml.warehouse import connect, ops

    con = connect(sys.argv[1])
    con.execute("BEGIN TRANSACTION")
    ops.record_run(con, run_id="writer", kind="score", status="running", started_at=datetime(2026, 1, 1))
    con.execute("CREATE TABLE raw.written (x INTEGER)")
    print("holding", flush=True)
    sys.stdin.readline()  # the test says when to commit
    con.execute("COMMIT")
    print("committed", flush=True)
    """
)


def test_a_writer_mid_transaction_does_not_lock_out_another_process(postgres_warehouse_url):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, postgres_warehouse_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdin is not None
        # the writer and this process open (and migrate) the new warehouse at about the same time
        reader = connect(postgres_warehouse_url)
        assert writer.stdout.readline().strip() == "holding", writer.stderr.read() if writer.stderr else ""
        reader.execute("SET lock_timeout = '10s'")  # a lock-out would fail here rather than hang the suite
        assert reader.execute("SELECT count(*) FROM ops.runs").fetchall() == [(0,)]  # not yet committed
        ops.record_run(reader, run_id="reader", kind="train", status="done")  # a second writer, meanwhile
        reader.execute("CREATE TABLE raw.read_side (x INTEGER)")
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "committed"
        assert writer.wait(timeout=60) == 0
        assert sorted(r[0] for r in reader.execute("SELECT run_id FROM ops.runs").fetchall()) == ["reader", "writer"]
        assert reader.execute("SELECT count(*) FROM raw.written").fetchall() == [(0,)]
        reader.close()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
