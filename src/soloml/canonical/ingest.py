"""The canonical stage's side of a load: which vendor object a file is, and routing it into core.*.

`detect` scores every adapter's signature against a file's header; `route` runs inside the load's
transaction: this load's raw rows -> quarantine of unparseable money/dates -> test-mode rows dropped ->
adapter SELECTs -> identity -> upserts (history tables get versions). Only the keys in this load are
touched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import duckdb
import pandas as pd

from soloml.canonical import identity
from soloml.canonical.adapters import Adapter
from soloml.canonical.adapters import values as v
from soloml.canonical.adapters.adapter_catalog import BUILT_IN, AdapterCatalog
from soloml.canonical.identity_people import refresh_purchases
from soloml.canonical.quarantine import quarantine_checks, quarantine_rows
from soloml.canonical.route_report import Routed, missing_customers, repeats, zone_note
from soloml.canonical.schema import create_core_tables, table
from soloml.canonical.writer import staged_columns, write
from soloml.errors import AdapterError
from soloml.sources.contracts import Detection, LandedTable
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident
from soloml.warehouse.names import column_names, table_name

MIN_SCORE = 0.5  # share of an adapter's signature a header must have to be that vendor object
MIN_SCORE_COMPLETE = 0.3  # ... when every required column is present
ROWS = "_soloml_rows"
SUGGESTION = "Run `soloml map FILE` to map it onto a canonical table."


def detect(
    headers: list[str], sample: pd.DataFrame, as_name: str | None = None, *, catalog: AdapterCatalog = BUILT_IN
) -> Detection | None:
    """Recognise a vendor object from its header (and values), among the adapters `catalog` knows.

    Unrecognised: a Detection with no name or vendor_object (the loader names the raw table) and a suggestion.

    `as_name` 'vendor.object' forces that adapter; a plain name only names the raw table.
    """
    columns = set(column_names(list(headers)))
    if as_name and "." in as_name:
        forced = catalog.adapter(as_name)
        _require(forced, columns)
        return Detection(
            name=forced.name,
            key=forced.key,
            vendor_object=forced.vendor_object,
            confidence=1.0,
            reason=f"--as {as_name}",
        )
    scored = sorted(
        ((_score(a, columns), a) for a in catalog if a.accepts is None or _accepts(a, sample)),
        key=lambda pair: pair[0],
        reverse=True,
    )
    complete = [(s, a) for s, a in scored if not a.missing(columns) and s[0] >= MIN_SCORE_COMPLETE]
    if complete:
        (score, precision, hits), best = complete[0]
        name = table_name(as_name) if as_name else best.name
        return Detection(
            name=name,
            key=best.key,
            vendor_object=best.vendor_object,
            confidence=round(min(1.0, (score + precision) / 2 + 0.25), 3),
            reason=f"header matches {hits} of {len(best.signature_columns)} {best.vendor.title()} {best.object} {best.shape} columns",
        )
    if scored and scored[0][0][0] >= MIN_SCORE:
        _require(scored[0][1], columns)
    closest = (
        f" (closest: {scored[0][1].vendor_object}, {scored[0][0][2]} of {len(scored[0][1].signature_columns)} columns)"
        if scored and scored[0][0][2]
        else ""
    )
    return Detection(
        name="",
        vendor_object=None,
        confidence=0.0,
        reason=f"header matches no known vendor export{closest}",
        suggestion=SUGGESTION,
    )


def _score(a: Adapter, columns: set[str]) -> tuple[float, float, int]:
    hits = len(a.signature_columns & a.known(columns))
    return hits / len(a.signature_columns), hits / max(len(columns), 1), hits


def _accepts(a: Adapter, sample: pd.DataFrame) -> bool:
    try:
        return bool(a.accepts(sample)) if a.accepts else True
    except (KeyError, ValueError, TypeError):
        return False


def _require(a: Adapter, columns: set[str]) -> None:
    missing = a.missing(columns)
    if missing:
        raise AdapterError(
            f"This looks like a {a.vendor.title()} {a.object} {a.shape} but is missing required column"
            f"{'s' if len(missing) > 1 else ''}: {', '.join(repr(m) for m in missing)}.",
            hint=f"Export it again with {'these columns' if len(missing) > 1 else 'this column'} included, "
            "or pass a plain --as NAME to load it as a raw table only.",
        )


def route(
    con: Connection,
    landed: LandedTable,
    *,
    crm_timezone: str | None = None,
    ask_crm_timezone: Callable[[str], str | None] | None = None,
    catalog: AdapterCatalog = BUILT_IN,
) -> Routed:
    """Apply a landed raw table to core.* (only the keys this load touched). Returns rows written per core
    table, plus '_quarantined' (rows with unparseable values, in ops.quarantine), '_test_mode' (dropped),
    '_duplicate_rows' (collapsed into another row with the same id) and '_without_customer', with notes.

    `crm_timezone`: the zone HubSpot/Salesforce exports write their times in; when it is None and the file is
    such an export, `ask_crm_timezone(vendor)` is asked once (it may return None: UTC is used and the notes say so).
    `catalog`: the adapters of the workspace the file was detected in (the one `detect` was given)."""
    detection = landed.detection
    if detection is None or detection.vendor_object is None:
        return Routed({})
    chosen = catalog.adapter(detection.vendor_object)
    create_core_tables(con)
    zone = crm_timezone
    if chosen.local_times and zone is None and ask_crm_timezone is not None:
        zone = ask_crm_timezone(chosen.vendor)
    loaded_at = _load_time(con, landed)
    headers = dict(zip(landed.columns, landed.headers, strict=False))
    for column, alias in chosen.renames(set(landed.columns)).items():
        headers.setdefault(column, headers.get(alias, alias))
    stages: list[str] = []
    notes = [n for n in (zone_note(chosen, zone),) if n]
    con.execute(f"SET VARIABLE {v.LOCAL_ZONE_VARIABLE} = ?", [zone or "UTC"])
    try:
        _land_rows(con, landed, chosen)
        stages += create_lookups(con, chosen)
        rows_in = _count(con, f"{ROWS} WHERE _current")
        quarantined = quarantine_checks(con, ROWS, chosen, landed.load_id, headers, source=landed.source)
        _refuse_if_nothing_maps(con, chosen, landed, rows_in, quarantined)
        test_mode = _drop_test_mode(con, chosen)
        staged = _stage_outputs(con, chosen, stages)
        quarantined += quarantine_rows(con, ROWS, staged, landed.load_id, source=landed.source)
        ident = _resolve(con, chosen, staged, landed.load_id)
        if ident.merged:
            notes.append(
                f"{len(ident.merged)} customer id(s) were rewritten everywhere in core: this file showed their "
                "records belong to a person known under another id."
            )
        result, duplicates, unlinked = _write_staged(con, chosen, staged, landed, loaded_at, notes)
        for statement in chosen.after(ROWS) if chosen.after else ():
            con.execute(statement)
        refreshed = refresh_purchases(con, identity.LOOKUP, load_id=landed.load_id)
        result = {
            "customers": len(set(ident.written) | refreshed),
            "customer_identities": ident.identities_written,
            **result,
        }
        result.update(
            _quarantined=quarantined, _test_mode=test_mode, _duplicate_rows=duplicates, _without_customer=unlinked
        )
        return Routed(result, notes)
    finally:
        _drop(con, (*stages, ROWS, identity.LOOKUP))
        try:
            con.execute(f"RESET VARIABLE {v.LOCAL_ZONE_VARIABLE}")
        except duckdb.Error:  # an aborted transaction: the error that caused it is the one to see
            pass


def _stage_outputs(con: Connection, chosen: Adapter, stages: list[str]) -> dict[str, str]:
    """Each adapter output into temp `_soloml_stage_<table>`; names go into `stages` as they are made (for the drop)."""
    staged = {}
    for name, sql in chosen.outputs(ROWS).items():
        stage = f"_soloml_stage_{name}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {stage} AS {sql}")
        stages.append(stage)
        staged[name] = stage
    return staged


def _write_staged(
    con: Connection, chosen: Adapter, staged: dict[str, str], landed: LandedTable, loaded_at: datetime, notes: list[str]
) -> tuple[dict[str, int], int, int]:
    """Upsert every staged core table (customers feed identity only): rows written per table, collapsed repeats,
    rows without a customer; the notes about repeats and missing customers are added to `notes`."""
    result: dict[str, int] = {}
    duplicates = unlinked = 0
    for name, stage in staged.items():
        if name == "customers":
            continue
        collapsed, note = repeats(con, table(name), stage, keyless=not chosen.key)
        missing, warning = missing_customers(con, name, stage)
        duplicates, unlinked = duplicates + collapsed, unlinked + missing
        notes += [n for n in (note, warning) if n]
        result[name] = write(
            con,
            table(name),
            stage,
            load_id=landed.load_id,
            loaded_at=loaded_at,
            complete_parents=chosen.shape == "export",
        )
    return result, duplicates, unlinked


def create_lookups(con: Connection, chosen: Adapter) -> list[str]:
    """`_soloml_lookup_<name>` for each raw table the adapter may join: its rows as text, or empty when not loaded."""
    made = []
    for name, (raw, columns) in chosen.lookups.items():
        temp = f"_soloml_lookup_{name}"
        have = set(column_names_of(con, raw))
        cols = ", ".join(
            f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}"
            if c in have
            else f"NULL::VARCHAR AS {quote_ident(c)}"
            for c in columns
        )
        source = raw if have else "(SELECT 1) WHERE false"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {temp} AS SELECT {cols} FROM {source}")
        made.append(temp)
    return made


def column_names_of(con: Connection, qualified: str) -> list[str]:
    """The columns of a table, or [] when it does not exist."""
    schema, _, name = qualified.partition(".")
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, name],
        ).fetchall()
    ]


def _drop(con: Connection, temps: tuple[str, ...]) -> None:
    """Remove this load's temp tables; after a failed statement the transaction is aborted and the rollback
    removes them, so a failure here must not hide the error that caused it."""
    for temp in temps:
        try:
            con.execute(f"DROP TABLE IF EXISTS {temp}")
        except duckdb.Error:
            return


def _refuse_if_nothing_maps(con: Connection, chosen: Adapter, landed: LandedTable, rows_in: int, bad: int) -> None:
    """Every row unparseable means the wrong adapter (or a broken export), not bad rows: abort the load."""
    if rows_in == 0 or bad < rows_in:
        return
    examples = [
        r[0]
        for r in con.execute(
            "SELECT reason FROM ops.quarantine WHERE load_id = ? ORDER BY row_number LIMIT 2", [landed.load_id]
        ).fetchall()
    ]
    raise AdapterError(
        f"None of the {rows_in} rows of {landed.source} could be read as {chosen.vendor_object}: " + " ".join(examples),
        hint="Check that the file is that vendor's export (or drop --as to let soloml detect it); nothing was loaded.",
    )


def _load_time(con: Connection, landed: LandedTable) -> datetime:
    """When this load happened: the raw rows' `_loaded_at`, else the journal, else now (UTC)."""
    columns = {d[0] for d in con.execute(f"SELECT * FROM {landed.raw_table} LIMIT 0").description}
    if "_loaded_at" in columns:
        row = con.execute(
            f"SELECT max(_loaded_at) FROM {landed.raw_table} WHERE _load_id = ?", [landed.load_id]
        ).fetchone()
        if row and row[0] is not None:
            return row[0]
    row = con.execute("SELECT started_at FROM ops.loads WHERE load_id = ?", [landed.load_id]).fetchone()
    if row and row[0] is not None:
        return row[0]
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _text(column: str, dtype: str) -> str:
    """A raw column as text the value helpers parse, whatever type the loader gave it."""
    c = quote_ident(column)
    upper = dtype.upper()
    if upper == "VARCHAR":
        return c
    if upper.startswith("TIMESTAMP WITH TIME ZONE") or upper == "TIMESTAMPTZ":
        return f"strftime({c} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') || ' +0000'"
    if upper.startswith("TIMESTAMP"):
        return f"strftime(CAST({c} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S.%f')"
    if upper == "DATE":
        return f"strftime({c}, '%Y-%m-%d')"
    if upper in ("JSON",) or upper.startswith(("STRUCT", "MAP")) or upper.endswith("]"):
        return f"CAST(to_json({c}) AS VARCHAR)"
    return f"CAST({c} AS VARCHAR)"


def _land_rows(con: Connection, landed: LandedTable, chosen: Adapter) -> None:
    """This load's rows as text, with every signature column present (NULL when the file lacks it).

    For adapters with a `group` (an order's lines), rows of the same groups from earlier loads are added
    with `_current` = false: the loader lands only new or changed rows, and an order needs all its lines."""
    described = con.execute(f"DESCRIBE SELECT * FROM {landed.raw_table}").fetchall()
    types = {row[0]: row[1] for row in described}
    meta = ("_load_id", "_source_row", "_loaded_at", "_row_hash")
    parts = [f"{_text(c, t)} AS {quote_ident(c)}" for c, t in types.items() if c not in meta]
    renames = chosen.renames(set(types))
    parts += [f"{_text(renames[c], types[renames[c]])} AS {quote_ident(c)}" for c in sorted(renames)]
    parts += [
        f"NULL::VARCHAR AS {quote_ident(c)}"
        for c in sorted(chosen.signature_columns)
        if c not in types and c not in renames
    ]
    row_number = "CAST(_source_row AS BIGINT)" if "_source_row" in types else "CAST(row_number() OVER () AS BIGINT)"
    where = "_load_id = ?"
    group = [c for c in chosen.group if c in types]
    if group:
        cols = ", ".join(quote_ident(c) for c in group)
        tuple_cols = cols if len(group) == 1 else f"({cols})"
        # earlier rows of the same groups, except those quarantined back then (they never reached core)
        where = (
            f"_load_id = ? OR ({tuple_cols} IN (SELECT {tuple_cols} FROM {landed.raw_table} WHERE _load_id = ?) "
            "AND NOT EXISTS (SELECT 1 FROM ops.quarantine q WHERE q.load_id = _load_id AND q.row_number = _source_row))"
        )
    params = [landed.load_id] * (where.count("?") + 1)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {ROWS} AS
        SELECT {", ".join(parts)}, {row_number} AS _source_row, _load_id = ? AS _current
        FROM {landed.raw_table} WHERE {where}
    """,
        params,
    )


def _drop_test_mode(con: Connection, chosen: Adapter) -> int:
    if not chosen.exclude:
        return 0
    condition = f"coalesce({chosen.exclude}, false)"
    row = con.execute(f"SELECT count(*) FROM {ROWS} WHERE _current AND {condition}").fetchone()
    con.execute(f"DELETE FROM {ROWS} WHERE {condition}")
    return int(row[0]) if row else 0


def _resolve(con: Connection, chosen: Adapter, staged: dict[str, str], load_id: str) -> identity.IdentityResult:
    """Collect identity hints from every staged output, resolve them, and fill customer_id in the stages."""
    parts = []
    for name, stage in staged.items():
        cols = set(staged_columns(con, stage))
        if not cols & {"source_customer_id", "email", "linked_source_id", "reference_id"}:
            continue

        def pick(c: str, cols: set[str] = cols) -> str:
            return f"CAST({quote_ident(c)} AS VARCHAR)" if c in cols else "NULL::VARCHAR"

        source = pick("source") if "source" in cols else f"'{chosen.vendor}'"
        seen = table(name).time_column if name != "customers" else "created_at"
        seen_sql = f"CAST({quote_ident(seen)} AS TIMESTAMP)" if seen and seen in cols else "NULL::TIMESTAMP"
        own = name == "customers"  # a customers SELECT names its hints name/country/phone/zip
        hints = {
            h: pick(h.removeprefix("customer_") if own else h)
            for h in ("customer_name", "customer_country", "customer_phone", "customer_zip")
        }
        parts.append(
            f"SELECT {source} AS source, {pick('source_customer_id')} AS source_customer_id, {pick('email')} AS email, "
            + "".join(f"{sql} AS {h}, " for h, sql in hints.items())
            + f"{pick('linked_source')} AS linked_source, {pick('linked_source_id')} AS linked_source_id, "
            f"{pick('reference_id')} AS reference_id, '{name}' AS kind, {seen_sql} AS seen_at FROM {stage}"
        )
    if not parts:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {identity.LOOKUP} (source VARCHAR, source_key VARCHAR, customer_id VARCHAR)"
        )
        return identity.IdentityResult(0, 0, ())
    con.execute("CREATE OR REPLACE TEMP TABLE _soloml_id_input AS " + " UNION ALL ".join(parts))
    try:
        result = identity.resolve(con, "_soloml_id_input", load_id=load_id)
    finally:
        con.execute("DROP TABLE IF EXISTS _soloml_id_input")
    key = identity.email_key_sql("s.email")
    for name, stage in staged.items():
        cols = set(staged_columns(con, stage))
        if name == "customers" or not cols & {"source_customer_id", "email"}:
            continue
        if "customer_id" not in cols:
            con.execute(f"ALTER TABLE {stage} ADD COLUMN customer_id VARCHAR")
        source = "s.source" if "source" in cols else f"'{chosen.vendor}'"
        sid = "NULLIF(trim(s.source_customer_id), '')" if "source_customer_id" in cols else "NULL"
        email = key if "email" in cols else "NULL"
        con.execute(f"""
            UPDATE {stage} s SET customer_id = l.customer_id FROM {identity.LOOKUP} l
            WHERE l.source = {source} AND l.source_key = coalesce({sid}, {email})
        """)
    return result


def _count(con: Connection, relation: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
    return int(row[0]) if row else 0
