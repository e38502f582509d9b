"""Currencies and time zones mixed: money in several currencies is added up as it is (so sums mix them);
times written in several zones are converted to UTC only where soloml knows the zone."""

from __future__ import annotations

import re

from soloml.canonical.schema import TABLES
from soloml.readiness.findings import Finding, Fix, Severity
from soloml.readiness.profile import TableProfile
from soloml.readiness.sources import RawSource
from soloml.warehouse.base import Connection
from soloml.warehouse.connection import table_exists

MINOR_SHARE = 0.05  # a second currency above this share of rows must be fixed; below, it is worth knowing
ZONE_NAMES = re.compile(r"(^|_)(time_?zone|tz|zone)($|_)")


def check_currencies(con: Connection) -> tuple[Finding, ...]:
    out = []
    checked: list[str] = []
    currencies: set[str] = set()
    for spec in TABLES.values():
        if "currency" not in spec.column_names or not table_exists(con, spec.qualified):
            continue
        rows = con.execute(
            f"SELECT upper(currency), count(*) FROM {spec.qualified} WHERE currency IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
        if not rows:
            continue
        checked.append(spec.qualified)
        currencies.update(c for c, _ in rows)
        if len(rows) == 1:
            continue
        total = sum(n for _, n in rows)
        minor = 1 - rows[0][1] / total
        split = ", ".join(f"{c} {n / total:.0%}" for c, n in rows[:4])
        severity: Severity = "fix" if minor >= MINOR_SHARE else "note"
        words = f"Money in {spec.qualified} is in {len(rows)} currencies ({split}); amounts are added up as they are, so totals mix them."
        fix = Fix(
            f"Export these records in one currency (Stripe: the 'Converted Amount' column; Shopify: the shop currency), or leave out "
            f"the {rows[1][0]} records, then load again.",
            command="soloml tables",
            column="currency",
        )
        out.append(
            Finding("currencies", severity, spec.qualified, words, fix, figures={"currencies": {c: n for c, n in rows}})
        )
    if out or not checked:
        return tuple(out)
    if len(currencies) > 1:
        return (
            Finding(
                "currencies",
                "note",
                "money",
                f"The business tables each use one currency, but not the same one ({', '.join(sorted(currencies))}).",
                Fix("Compare amounts across tables only after converting them to one currency.", column="currency"),
                figures={"tables": checked, "currencies": sorted(currencies)},
            ),
        )
    return (
        Finding(
            "currencies",
            "ok",
            "money",
            f"All money is in one currency ({next(iter(currencies))}).",
            figures={"tables": checked},
        ),
    )


def check_time_zones(profiles: tuple[TableProfile, ...], sources: dict[str, RawSource]) -> tuple[Finding, ...]:
    """A note for each loaded column naming time zones that holds more than one."""
    out = []
    for profile in profiles:
        if not profile.table.startswith("raw."):
            continue
        source = sources.get(profile.table)
        for col in profile.columns:
            if col.kind == "text" and col.distinct > 1 and ZONE_NAMES.search(col.name):
                file = source.file_name if source else profile.table
                header = source.header(col.name) if source else col.name
                converted = source is not None and source.routed
                words = (
                    f"{file} records times in about {col.distinct} time zones (column '{header}', e.g. {col.minimum!r} and {col.maximum!r}); "
                    + (
                        "soloml converts each to UTC."
                        if converted
                        else "they are not converted, because the file is not mapped."
                    )
                )
                fix = Fix(
                    "Nothing to do: the times are converted."
                    if converted
                    else f"Map {file} so its times are converted to UTC with their zone.",
                    command=None if converted else f"soloml map {source.file if source else file}",
                    file=file,
                    column=header,
                )
                out.append(
                    Finding(
                        "time_zones", "note", f"{profile.table}.{col.name}", words, fix, figures={"zones": col.distinct}
                    )
                )
    return tuple(out)
