"""`list_tables` gathers every table's columns, exact row count and last load in a few queries: same answer as asking
each table on its own."""

from __future__ import annotations

from soloml.warehouse.tables import list_tables


def test_counts_columns_and_last_load_match_the_tables_themselves(con):
    con.execute("CREATE TABLE raw.b_things (id INTEGER, name VARCHAR)")
    con.execute("INSERT INTO raw.b_things SELECT i, 'x' || i FROM range(7) t(i)")
    con.execute("CREATE TABLE raw.a_empty (k VARCHAR)")
    con.execute('CREATE TABLE core."odd name" (v DOUBLE)')
    con.execute('INSERT INTO core."odd name" VALUES (1.5), (2.5)')
    for load_id, finished in (("L1", "2026-01-01 10:00"), ("L2", "2026-01-02 10:00"), ("L0", "2025-12-31 10:00")):
        con.execute(
            "INSERT INTO ops.loads (load_id, source, target_table, status, started_at, finished_at, rows_loaded, rows_quarantined) "
            "VALUES (?, ?, 'raw.b_things', 'loaded', ?, ?, 7, 0)",
            [load_id, f"{load_id}.csv", finished, finished],
        )
    infos = {t.table: t for t in list_tables(con)}
    assert [t for t in infos if t in ("raw.a_empty", "raw.b_things", "core.odd name")] == [
        "raw.a_empty",
        "raw.b_things",
        "core.odd name",
    ]
    for name, info in infos.items():
        schema, _, table = name.partition(".")
        assert info.rows == con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
        expected = con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
        assert [c.name for c in info.columns] == [c for (c,) in expected]
    assert infos["raw.b_things"].rows == 7
    assert infos["raw.b_things"].last_load.load_id == "L2"
    assert infos["raw.a_empty"].last_load is None
