"""Helpers shared by the load tests: write a file, and take the state a failed load must leave unchanged."""

from __future__ import annotations

from pathlib import Path


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def snapshot(con) -> dict[str, int]:
    """Every data table and its row count, plus the quarantine: what must not change after a failed load."""
    tables = con.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN ('raw', 'core', 'features') ORDER BY 1"
    ).fetchall()
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for (t,) in tables}
    counts["ops.quarantine"] = con.execute("SELECT count(*) FROM ops.quarantine").fetchall()[0][0]
    return counts


def journal(con) -> list[tuple[str, str]]:
    """(file name, status) of every journal row, oldest first."""
    rows = con.execute("SELECT source, status FROM ops.loads ORDER BY started_at, load_id").fetchall()
    return [
        (Path(source.split(" [")[0]).name + (" [" + source.split(" [")[1] if " [" in source else ""), status)
        for source, status in rows
    ]
