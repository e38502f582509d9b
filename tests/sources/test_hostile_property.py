"""Property: any CSV, JSON or XLSX file - any encoding, cut off anywhere, quoted badly, ragged - either loads whole
or leaves the warehouse as it was, except for `failed` journal rows; and no temporary file outlives the load."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from soloml.sources import LoadRequest, load_all
from soloml.warehouse import connect

TEXT = st.text(alphabet='ab Zé€Ç,;"\n\t$-.0123456789/:', max_size=10)
CELL = st.one_of(
    st.integers(-(10**6), 10**6).map(str),
    st.decimals(-(10**4), 10**4, places=2, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:.2f}"),
    st.dates().map(lambda d: d.isoformat()),
    TEXT,
    st.just(""),
)
HEADERS = st.sampled_from(
    [
        ["id", "name", "amount"],
        ["id"],
        ["a", "a_2", "a"],
        ["rowid", "value"],
        ["Email", "", "_source_row", "Created (UTC)"],
    ]
)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    records: int | None  # rows the file holds when it is well-formed and whole; None when it is not


@st.composite
def tables(draw, headers=HEADERS) -> tuple[list[str], list[list[str]]]:
    header = draw(headers)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=25))
    return header, rows


def _cut(draw, data: bytes) -> tuple[bytes, bool]:
    """Now and then the file as an interrupted download leaves it (the cut drawn as a share: XLSX bytes vary by run)."""
    if len(data) > 2 and draw(st.integers(0, 4)) == 0:
        return data[: max(1, len(data) * draw(st.integers(1, 999)) // 1000)], True
    return data, False


@st.composite
def csv_files(draw) -> Case:
    header, rows = draw(tables())
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    style = draw(st.sampled_from(["minimal", "all", "unquoted"]))
    out = io.StringIO()
    if style == "unquoted":  # joined by hand: stray quotes and delimiters inside values break the layout
        out.write("\n".join(delimiter.join(r) for r in [header, *rows]) + "\n")
    else:
        quoting = csv.QUOTE_MINIMAL if style == "minimal" else csv.QUOTE_ALL
        csv.writer(
            out, delimiter=delimiter, quoting=quoting, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))
        ).writerows([header, *rows])
    text = out.getvalue()
    ragged = bool(rows) and draw(st.booleans()) and style != "unquoted"
    if ragged:
        text += delimiter.join(["x"] * (len(header) + 1)) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "mixed"]))
    if encoding == "mixed":  # a few lines in Latin-1 among UTF-8 ones
        data = b"".join(
            line.encode("cp1252", "replace") if i % 3 == 2 else line.encode()
            for i, line in enumerate(text.splitlines(True))
        )
    else:
        data = text.encode(encoding, "replace")
    corrupt = draw(st.integers(0, 9)) == 0
    if corrupt:
        data = data[: len(data) // 2] + draw(st.sampled_from([b"\x81", b"\x00", b"\xff\xfe"])) + data[len(data) // 2 :]
    data, cut = _cut(draw, data)
    whole = rows and not (cut or corrupt) and style != "unquoted"
    return Case("export.csv", data, len(rows) + ragged if whole else None)


@st.composite
def json_files(draw) -> Case:
    _, rows = draw(tables(st.just(["id", "name", "amount"])))
    records = [{"id": r[0], "name": r[1], "amount": r[2]} for r in rows]
    shape = draw(st.sampled_from(["array", "pretty", "ndjson", "envelope"]))
    if shape == "ndjson":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif shape == "envelope":
        text = json.dumps({"object": "list", "data": records, "has_more": False}, ensure_ascii=False)
    else:
        text = json.dumps(records, ensure_ascii=False, indent=2 if shape == "pretty" else None)
    data, cut = _cut(draw, text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig"]))))
    return Case(
        "export.json" if shape != "ndjson" else "export.ndjson", data, None if cut or not records else len(records)
    )


@st.composite
def xlsx_files(draw) -> Case:
    book = openpyxl.Workbook()
    book.remove(book.active)
    total = 0
    for index in range(draw(st.integers(1, 2))):
        header, rows = draw(tables())
        sheet = book.create_sheet(f"Sheet {index + 1}")
        sheet.append(header)
        for row in rows:
            sheet.append([int(c) if c.lstrip("-").isdigit() and len(c) < 10 else (c or None) for c in row])
        if rows and draw(st.booleans()):
            sheet.append(["x"] * (len(header) + 2))  # a row running past the header
            total += 1
        total += sum(any(c.strip() for c in r) for r in rows)
    out = io.BytesIO()
    book.save(out)
    data, cut = _cut(draw, out.getvalue())
    return Case("export.xlsx", data, None if cut else total)


def _state(con) -> tuple:
    tables_ = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('raw', 'core') ORDER BY 1"
    ).fetchall()
    return tables_, con.execute("SELECT count(*) FROM ops.quarantine").fetchone()[0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=st.one_of(csv_files(), json_files(), xlsx_files()), share=st.sampled_from([0.0, 0.05, 1.0]))
def test_any_file_loads_whole_or_changes_nothing_but_a_failed_journal_row(case, share):
    with tempfile.TemporaryDirectory() as tmp:
        path, scratch = Path(tmp) / case.name, Path(tmp) / "scratch"
        path.write_bytes(case.data)
        con = connect(":memory:")
        before = _state(con)
        summary = load_all(con, [LoadRequest(str(path))], max_quarantine_share=share, temp_dir=scratch)
        statuses = [s for (s,) in con.execute("SELECT status FROM ops.loads").fetchall()]
        assert not scratch.exists() or list(scratch.iterdir()) == []
        if not summary.ok:
            event(f"{Path(case.name).suffix}: failed cleanly")
            assert _state(con) == before
            assert statuses and set(statuses) == {"failed"}
            assert all(r.status in ("failed", "not_attempted") for r in summary.results)
            assert case.records is None or share < 1.0, summary.results[
                0
            ].message  # a whole, well-formed file always loads
            return
        event(f"{Path(case.name).suffix}: loaded")
        assert set(statuses) == {"loaded"} and len(statuses) == len(summary.results)
        for result in summary.results:
            assert result.rows_in == result.rows_loaded + result.rows_quarantined + result.rows_skipped
            assert result.rows_quarantined <= share * result.rows_in
            landed = con.execute(
                f"SELECT count(*) FROM {result.raw_table} WHERE _load_id = ?", [result.load_id]
            ).fetchone()[0]
            assert landed == result.rows_loaded
            assert (
                con.execute("SELECT count(*) FROM ops.quarantine WHERE load_id = ?", [result.load_id]).fetchone()[0]
                == result.rows_quarantined
            )
        if case.records is not None:
            assert sum(r.rows_in for r in summary.results) == case.records
        con.close()
