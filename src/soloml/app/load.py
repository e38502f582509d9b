"""`soloml load`'s use case: files, folders and database tables into raw.*, recognised and routed into core.*.

What a load means lives here, so `soloml load`, `soloml.load(...)`, the demo and the dashboard do the same:
no paths means the sources listed in soloml.yaml; the workspace's own mappings (mappings/*.yaml) join the
vendor adapters; recognised exports are routed into core.* with the CRM time zone from the settings (or one
asked for through `ask_timezone`); each file is all-or-nothing, and a failed file never stops the others.
`failure` is the per-file failure rule: the error to raise after the summary is shown, if any.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import get_args

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.canonical.adapters.adapter_catalog import AdapterCatalog
from soloml.config import DateOrder
from soloml.errors import ConfigError, LoadError, SolomlError
from soloml.sources import LoadSummary
from soloml.sources.contracts import Router
from soloml.workspace import Workspace

NOTHING_TO_LOAD_HINT = (
    "Pass files or folders (`soloml load exports/`), or list them in soloml.yaml so `soloml load` alone loads them:\n"
    "sources:\n  - path: exports/\n  - url: postgresql://app@db:5432/shop\n    table: public.orders\n(see docs/loading.md)."
)

AskTimezone = Callable[[str], str]  # vendor name -> the account's IANA time zone (asked once, remembered by the caller)


def load(
    workspace: WorkspaceLike,
    paths: Sequence[str | Path] = (),
    *,
    as_name: str | None = None,
    table: str | None = None,
    date_format: str | None = None,
    max_bad_rows_share: float | None = None,
    ask_timezone: AskTimezone | None = None,
    progress: bool = False,
    check: bool = True,
) -> LoadSummary:
    """Load `paths` (none: the sources in soloml.yaml) into the workspace's warehouse, as `soloml load` does.

    `date_format` (mdy, dmy, ymd, auto) and `max_bad_rows_share` default to the workspace settings. Every
    file is loaded or left unchanged on its own; then, with `check`, the failure rule raises (`failure`).
    `check=False` returns the summary of a run with failed files instead (the CLI prints it first).

    >>> summary = soloml.load("shop/", ["exports/"])   # doctest: +SKIP
    >>> [r.raw_table for r in summary.results]         # doctest: +SKIP
    ['raw.stripe_payments', 'raw.customers']
    """
    from soloml.canonical import ingest
    from soloml.canonical.schema import create_core_tables
    from soloml.sources import LoadRequest, load_all
    from soloml.sources.configured import requests_for
    from soloml.sources.postgres_load import load_into_postgres
    from soloml.warehouse.postgres import PostgresConnection

    ws = as_workspace(workspace)
    order = date_format or ws.settings.load.date_order
    if order not in get_args(DateOrder):
        raise ConfigError(
            f"--date-format must be one of auto, mdy, dmy, ymd; got '{order}'.",
            hint="For 31/01/2024 pass --date-format dmy.",
        )
    if paths:
        requests = [LoadRequest(str(p), as_name, table) for p in paths]
    elif as_name or table:
        raise ConfigError(
            "--as and --table apply to the files given: pass PATH too.",
            hint="e.g. `soloml load orders.csv --as orders`.",
        )
    else:
        requests = requests_for(ws.settings.sources, root=ws.root, env=os.environ)
    if not requests:
        raise ConfigError(
            f"Nothing to load: no PATH was given and {ws.root / 'soloml.yaml'} lists no sources.",
            hint=NOTHING_TO_LOAD_HINT,
        )
    # the workspace's own mappings (mappings/*.yaml, drafted by `soloml map`) join the vendor adapters
    catalog = AdapterCatalog.from_folder(ws.mappings_dir)  # this workspace's own: no process-wide registry
    with ws.connect() as con:
        # a Postgres warehouse: DuckDB types and routes each file locally, then the raw and core rows arrive by COPY
        # in one transaction (sources/postgres_load.py)
        postgres = partial(load_into_postgres, core_tables=create_core_tables)
        run = postgres if isinstance(con, PostgresConnection) else load_all
        summary = run(
            con,
            requests,
            date_order=order,  # type: ignore[arg-type]  # checked against DateOrder above
            max_quarantine_share=ws.settings.load.max_quarantine_share
            if max_bad_rows_share is None
            else max_bad_rows_share,
            detector=partial(ingest.detect, catalog=catalog),
            router=router(ws, ask_timezone, catalog=catalog),
            temp_dir=ws.root / ".soloml" / "tmp",
            as_for=catalog.mapping_for_file,
            progress=progress,
        )
    error = failure(summary) if check else None
    if error is not None:
        error.outcomes = summary.results  # type: ignore[attr-defined]  # every file's LoadResult, as load_paths gives
        raise error
    return summary


def router(ws: Workspace, ask_timezone: AskTimezone | None = None, *, catalog: AdapterCatalog | None = None) -> Router:
    """The canonical router with the workspace's CRM time zone and adapters (built-ins + its mappings);
    `ask_timezone` is asked when the zone is unset."""
    from soloml.canonical import ingest

    catalog = catalog or AdapterCatalog.from_folder(ws.mappings_dir)
    zone = ws.settings.crm.timezone
    if zone:
        return partial(ingest.route, crm_timezone=zone, catalog=catalog)
    if ask_timezone is None:
        return partial(ingest.route, catalog=catalog)
    return partial(ingest.route, crm_timezone=None, ask_crm_timezone=ask_timezone, catalog=catalog)


def failure(summary: LoadSummary) -> SolomlError | None:
    """The per-file failure rule: one file that failed alone is its own error; several name every failed file."""
    from soloml.sources.results import shown

    if summary.ok:
        return None
    if len(summary.errors) == 1 and summary.files == 1:
        return summary.errors[0]
    names = sorted({shown(r.source).split(" [")[0] for r in summary.failed})
    return LoadError(
        f"{len(summary.errors)} of {summary.files} files failed and changed nothing: {', '.join(names)}.",
        hint="The others are loaded. Fix the failed files and run `soloml load` on them again.",
    )
