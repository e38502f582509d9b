"""A load killed half-way leaves a trace (`running` in ops.loads) that the next load marks and cleans up."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from soloml.sources import LoadRequest, load_all, load_paths
from soloml.warehouse import connect

from .samples import write

# A real second process: loads a Windows-1252 file and, at the chosen point, says where it is and waits to be
# killed: while reading the file (its transcoded temp copy exists) or while routing inside the load's transaction.
LOAD_AND_HANG = """
import sys, time
from pathlib import Path
import soloml.sources.csvfile as csvfile
from soloml.sources import load_paths
from soloml.warehouse import connect

db, export, marker, scratch, point = sys.argv[1:]

def hang(*args):
    Path(marker).write_text("here")
    time.sleep(600)

if point == "reading":
    real = csvfile.sniff_dialect
    csvfile.sniff_dialect = lambda text, **kw: hang() or real(text, **kw)
load_paths(connect(db), [export], router=lambda con, landed: hang() or {}, temp_dir=Path(scratch))
"""


def _wait_for(path: Path, proc: subprocess.Popen, limit: float = 120.0) -> str:
    deadline = time.monotonic() + limit
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "the loader exited"
        assert time.monotonic() < deadline, "the loader never reached the point where it waits"
        time.sleep(0.05)
    return path.read_text()


@pytest.mark.parametrize(("point", "temp_files"), [("reading", 1), ("routing", 0)])
def test_a_killed_load_shows_as_running_and_the_next_load_marks_it_interrupted_and_removes_its_temp_copy(
    tmp_path, point, temp_files
):
    db, scratch, marker = tmp_path / "warehouse.duckdb", tmp_path / ".soloml" / "tmp", tmp_path / "here"
    export = write(tmp_path, "windows.csv", "id,name\n1,Zoë\n2,Çelik\n", encoding="cp1252")
    connect(db).close()
    args = [sys.executable, "-c", LOAD_AND_HANG, str(db), str(export), str(marker), str(scratch), point]
    proc = subprocess.Popen(args, stderr=subprocess.PIPE)
    try:
        _wait_for(marker, proc)
    finally:
        proc.kill()
        proc.wait()
    left = list(scratch.iterdir()) if scratch.exists() else []
    assert len(left) == temp_files and all(p.stat().st_size > 0 for p in left)  # the transcoded copy being read
    con = connect(db)
    try:
        ((killed_id, status, finished),) = con.execute("SELECT load_id, status, finished_at FROM ops.loads").fetchall()
        assert (status, finished) == ("running", None)
        assert not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw'").fetchone()[
            0
        ]
        summary = load_all(con, [LoadRequest(str(write(tmp_path, "next.csv", "id\n1\n")))], temp_dir=scratch)
        status, error, finished = con.execute(
            "SELECT status, error, finished_at FROM ops.loads WHERE load_id = ?", [killed_id]
        ).fetchall()[0]
        assert status == "interrupted" and finished is not None and "nothing of it was written" in error
        assert any(killed_id in line and "interrupted" in line and "windows.csv" in line for line in summary.cleaned), (
            summary.cleaned
        )
        assert any("1 temporary file" in line for line in summary.cleaned) == bool(temp_files), summary.cleaned
        assert not scratch.exists() or list(scratch.iterdir()) == []
        assert [r.status for r in summary.results] == ["loaded"]
    finally:
        con.close()


def test_a_load_writes_its_running_row_before_it_lands_anything(con, tmp_path):
    seen = {}

    def router(connection, landed):
        seen["status"] = connection.execute(
            "SELECT status FROM ops.loads WHERE load_id = ?", [landed.load_id]
        ).fetchall()
        return {}

    (result,) = load_paths(con, [write(tmp_path, "a.csv", "id\n1\n")], router=router)
    assert seen["status"] == [("running",)]
    assert con.execute("SELECT status FROM ops.loads WHERE load_id = ?", [result.load_id]).fetchall() == [("loaded",)]
