"""What a load report says about routing beyond row counts: repeats collapsed or kept, rows that reached core
without a customer, and the time zone local times were read in.

`Routed` is what the router returns: rows written per core table (with '_'-prefixed counts such as
'_duplicate_rows') and `notes`, plain sentences the loader journals and `soloml load` prints.
"""

from __future__ import annotations

from collections.abc import Iterable

from soloml.canonical.adapters import Adapter
from soloml.canonical.table_types import Table
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import quote_ident

# Tables whose rows are money a customer paid: a load where none of them names a customer is a mapping problem.
CUSTOMER_TABLES = ("payments", "orders", "subscriptions")


class Routed(dict[str, int]):
    """Rows written per core table, plus plain-language notes for the load report."""

    def __init__(self, counts: dict[str, int], notes: Iterable[str] = ()) -> None:
        super().__init__(counts)
        self.notes: tuple[str, ...] = tuple(notes)


def repeats(con: Connection, table: Table, stage: str, *, keyless: bool) -> tuple[int, str | None]:
    """(rows collapsed into another row with the same key, a note) for one staged table of this load.

    `keyless`: the file has no id column, so ids are hashes of each row's values. Identical money rows (two
    identical purchases on one day) are separate events and arrive numbered '#2', '#3'...; other identical
    rows share one id and collapse."""
    cols = [d[0] for d in con.execute(f"SELECT * FROM {stage} LIMIT 0").description]
    keys = ", ".join(quote_ident(k) for k in table.key)
    content = ", ".join(quote_ident(c) for c in cols if c not in ("_source_row", "customer_id")) or "1"
    values = ", ".join(quote_ident(c) for c in cols if c not in ("_source_row", "customer_id", *table.key)) or "1"
    rows, distinct_keys, distinct_rows, distinct_values = con.execute(
        f"SELECT count(*), count(DISTINCT ({keys})), count(DISTINCT ({content})), count(DISTINCT ({values})) FROM {stage}"
    ).fetchone() or (0, 0, 0, 0)
    collapsed = rows - distinct_keys
    if keyless and not collapsed:
        kept = rows - distinct_values
        return 0, (
            f"{kept} row(s) of core.{table.name} are identical to another row of the file; with no id column to "
            f"tell them apart each was kept as its own row (ids end in #2, #3, ...). Delete true duplicates from "
            "the file if they are mistakes."
        ) if kept else None
    if not collapsed:
        return 0, None
    exact = rows - distinct_rows
    differing = collapsed - exact
    what = []
    if exact:
        what.append(f"{exact} exact cop{'y' if exact == 1 else 'ies'} dropped")
    if differing:
        what.append(f"{differing} with other values, of which the last row in the file was kept")
    why = " (the file has no id column, so identical rows get the same id)" if keyless else ""
    return collapsed, (
        f"{collapsed} row(s) repeat the id of another row of this file in core.{table.name} "
        f"({table.key[0]}){why}: {'; '.join(what)}."
    )


def missing_customers(con: Connection, name: str, stage: str) -> tuple[int, str | None]:
    """(rows, warning) when every row routed into a money table names no customer."""
    if name not in CUSTOMER_TABLES:
        return 0, None
    cols = {d[0] for d in con.execute(f"SELECT * FROM {stage} LIMIT 0").description}
    linked_sql = "count(customer_id)" if "customer_id" in cols else "0"
    rows, linked = con.execute(f"SELECT count(*), {linked_sql} FROM {stage}").fetchone() or (0, 0)
    if rows == 0 or linked:
        return 0, None
    return rows, (
        f"WARNING: none of the {rows} rows routed into core.{name} is linked to a customer: the file gives no customer id "
        "or email for them. Customer recipes (churn, spend, buy again) will not see these rows. If the file has a "
        "customer column, map it (`customer_id:` or `email:` in the mapping, see `soloml map`) and load it again."
    )


def zone_note(chosen: Adapter, zone: str | None) -> str | None:
    """Which zone an export's local times were read in."""
    if not chosen.local_times:
        return None
    vendor = chosen.vendor.title() if chosen.vendor != "hubspot" else "HubSpot"
    if zone:
        return (
            f"{vendor} export times have no offset; they were read in {zone} (settings crm.timezone) and stored as UTC."
        )
    return (
        f"{vendor} export times have no offset and crm.timezone is not set, so they were read as UTC. {vendor} writes "
        "them in your portal's / org's time zone: set it in soloml.yaml (crm: {timezone: America/New_York}) "
        "before loading CRM exports."
    )
