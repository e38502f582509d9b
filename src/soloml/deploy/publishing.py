"""Publishing a scoring run to its targets, recorded so that a crash at any point is found and settled later.

    1. stage the run's local files under scoring/<project>/ (look-up rows, a copy of its predictions);
    2. record the run in ops.runs as 'publishing', naming every staging table and file it will create;
    3. stage every target (tables as <table>__new_<hex>, files beside themselves);
    4. publish them, one swap each;
    5. one warehouse transaction: the run's ops.predictions rows, and the run 'succeeded'.

A process killed anywhere leaves a 'publishing' row. `reconcile` (at the start of the next score, and in
`soloml.deploy.recovery`) asks each recorded target which run it holds. If one holds this run, its swap
happened: the run is recorded from the staged copy of its predictions ('succeeded', with a note). If
none does, the run is recorded as 'failed': the previous predictions stayed in force everywhere. Either
way its staging tables and files are dropped. A target it cannot reach (e.g. a URL whose password is not
stored) keeps the run 'publishing', and says so, until a run given that URL settles it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from soloml.crashpoints import pause_at
from soloml.deploy.models import scoring_dir
from soloml.deploy.staging import Staged, StagedTable, from_record
from soloml.deploy.writeback import WriteBack, plan_target, row_columns
from soloml.errors import DeployError, SolomlError
from soloml.warehouse import ops

PUBLISHING = "publishing"
TMP_MARK = ".tmp-"  # hidden files under scoring/<project>/ named `.<file>.tmp-<pid>-<token>` are a run's staged files


class UnsettledRun(DeployError):
    """A target was replaced but the warehouse could not record the run: it stays 'publishing' for `reconcile`."""


def insert_predictions(con: Any, frame: pd.DataFrame) -> None:
    """The run's rows into ops.predictions (origin 'batch'), replacing any rows of the same run_id."""
    # the write-back COLUMNS: every one is a column of ops.predictions too (ops.insert_frame checks)
    for run_id in frame["run_id"].drop_duplicates():
        ops.delete(con, "predictions", run_id=run_id)
    exprs = {"origin": "'batch'"} | ({"top_reasons": '"top_reasons"::JSON'} if "top_reasons" in frame.columns else {})
    ops.insert_frame(con, "predictions", frame, exprs=exprs)


def publish_run(
    con: Any,
    out: pd.DataFrame,
    frame: pd.DataFrame | Path,
    root: Path,
    *,
    run_id: str,
    project: str,
    version: str,
    started: datetime,
    targets: Sequence[str],
    table: str | None,
    details: dict[str, Any],
) -> list[WriteBack]:
    """Steps 1-5 above for the scored rows `out` (one run) and the feature rows `frame` it was scored from
    (a frame, or a Parquet file of them written elsewhere, e.g. by the Dask engine, moved into place unread)."""
    plans = [
        plan_target(t, table=table, project=project, rows=len(out)) for t in targets
    ]  # names only: bad ones fail here
    staged = [s for _, s in plans]
    local = _stage_local(out, frame, root, project, run_id, version, details.get("as_of"))
    try:
        record = {
            **details,
            "targets": [s.record() for s in staged],
            "staged": {k: str(p.relative_to(root)) for k, p in local.items()},
        }
        _record(con, run_id, project, version, started, len(out), record)
        rows = out.loc[:, row_columns(out)]
        for target in staged:
            target.stage(rows)
    except BaseException:
        _discard(staged, local)
        raise
    pause_at("score.staged")
    _publish(staged, local, run_id)
    pause_at("score.published")
    outputs = [done for done, _ in plans]
    details = {
        **details,
        "decided": int(out["decision"].sum()),
        "outputs": [{"target": o.target, "table": o.table, "rows": o.rows} for o in outputs],
    }
    try:
        _record_succeeded(con, run_id, out, details)
    except Exception as exc:  # noqa: BLE001 - every target holds the run now: leave it for reconcile
        raise UnsettledRun(
            f"Scoring run {run_id} replaced every target but the warehouse could not record it: {exc}.",
            hint="The next `soloml score` (or any soloml command) records it from its staged copy.",
        ) from exc
    _settle_local(local, publish_lookup=True)
    return outputs


def _stage_local(
    out: pd.DataFrame,
    frame: pd.DataFrame | Path,
    root: Path,
    project: str,
    run_id: str,
    version: str,
    as_of: str | None,
) -> dict[str, Path]:
    folder = scoring_dir(root, project)
    folder.mkdir(parents=True, exist_ok=True)
    token = f"{os.getpid()}-{secrets.token_hex(3)}"
    local = {
        name: folder / f".{name}{TMP_MARK}{token}" for name in ("features.parquet", "run.json", "predictions.parquet")
    }
    try:
        if isinstance(frame, Path):
            shutil.move(frame, local["features.parquet"])
            rows = pq.ParquetFile(local["features.parquet"]).metadata.num_rows
        else:
            frame.to_parquet(local["features.parquet"], index=False)
            rows = len(frame)
        local["run.json"].write_text(
            json.dumps({"run_id": run_id, "model_version": version, "as_of": as_of, "rows": rows}),
            encoding="utf-8",
        )
        out.loc[:, row_columns(out)].to_parquet(local["predictions.parquet"], index=False)
    except BaseException:
        _settle_local(local, publish_lookup=False)
        raise
    return local


def _record(
    con: Any, run_id: str, project: str, version: str, started: datetime, rows: int, details: dict[str, Any]
) -> None:
    ops.record_run(
        con,
        run_id=run_id,
        project=project,
        kind="score",
        model_version=version,
        started_at=started.replace(tzinfo=None),
        status=PUBLISHING,
        rows=rows,
        details=details,
        replace=True,
    )


def _publish(staged: list[Staged], local: dict[str, Path], run_id: str) -> None:
    for i, target in enumerate(staged):
        try:
            target.publish()
        except BaseException as exc:
            for rest in staged[i + 1 :]:
                rest.discard()
            if i == 0:
                _settle_local(local, publish_lookup=False)
                raise
            raise UnsettledRun(
                f"Scoring run {run_id} replaced {', '.join(_shown(s) for s in staged[:i])} but then failed on {_shown(target)}: {exc}.",
                hint="The next `soloml score` (or any soloml command) records what was published; re-run to update the rest.",
            ) from exc


def _record_succeeded(con: Any, run_id: str, out: pd.DataFrame, details: dict[str, Any]) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        insert_predictions(con, out.loc[:, row_columns(out)])
        ops.finish_run(con, run_id, status="succeeded", finished_at=_now(), details=details)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _discard(staged: list[Staged], local: dict[str, Path]) -> None:
    for target in staged:
        target.discard()
    _settle_local(local, publish_lookup=False)


def _settle_local(local: dict[str, Path], *, publish_lookup: bool) -> None:
    """Move the look-up rows into place (features first: run.json changing is what the service watches); drop the rest."""
    for name, path in local.items():
        if publish_lookup and name != "predictions.parquet" and path.exists():
            os.replace(path, path.with_name(name))
        else:
            path.unlink(missing_ok=True)


def _shown(staged: Staged) -> str:
    rec = staged.record()
    return f"{rec['target']} (table {rec['table']})" if "table" in rec else rec["target"]


def reconcile(con: Any, root: Path, *, project: str | None = None, urls: Sequence[str] = ()) -> list[str]:
    """Settle every score run left 'publishing' (of `project`, or all); returns what was done, in words."""
    where = {"kind": "score", "status": PUBLISHING} | ({} if project is None else {"project": project})
    rows = ops.select(con, "runs", ["run_id", "project", "started_at", "details"], order_by="started_at", **where)
    return [
        note
        for r in rows
        if (note := _settle(con, root, r["run_id"], r["project"], r["started_at"], r["details"], urls=urls))
    ]


def _settle(
    con: Any, root: Path, run_id: str, project: str, started: datetime, details_text: Any, *, urls: Sequence[str]
) -> str | None:
    details = json.loads(details_text) if isinstance(details_text, str) else dict(details_text or {})
    holds: list[str] = []
    kept: list[str] = []
    for record in details.get("targets", []):
        staged = from_record(record, urls)
        name = f"{record['target']}" + (f" (table {record['table']})" if record.get("table") else "")
        try:
            if staged is None:
                raise DeployError("its URL's password is not stored")
            (holds if staged.live_run_id() == run_id else kept).append(name)
            staged.discard()
        except SolomlError as exc:
            again = (
                f"`soloml score {project} --to URL`"
                if staged is None or isinstance(staged, StagedTable)
                else f"`soloml score {project}`"
            )
            return (
                f"Score run {run_id} of '{project}' was interrupted while publishing, and {name} cannot be checked ({exc.message}); "
                f"it stays '{PUBLISHING}' until {again} is run with that target."
            )
    local = {name: root / path for name, path in details.get("staged", {}).items()}
    copy = local.get("predictions.parquet")
    if holds and copy is not None and copy.is_file():
        out = pd.read_parquet(copy)
        note = (
            f"Score run {run_id} of '{project}' was interrupted after replacing {', '.join(holds)} but before the warehouse recorded it: "
            f"recorded its {len(out):,} predictions now"
            + (f"; {', '.join(kept)} kept the previous rows (re-run to update)" if kept else "")
            + "."
        )
        _record_succeeded(
            con,
            run_id,
            out,
            {**details, "reconciled": note, "outputs": [{"target": t, "rows": len(out)} for t in holds]},
        )
        later = con.execute(
            "SELECT count(*) FROM ops.runs WHERE project = ? AND kind = 'score' AND status = 'succeeded' AND started_at > ?",
            [project, started],
        ).fetchone()[0]
        _settle_local(local, publish_lookup=later == 0)
        return note
    why = (
        "it replaced nothing"
        if not holds
        else f"its staged copy {copy} is gone, so {', '.join(holds)} holds rows the warehouse cannot record"
    )
    note = (
        f"Score run {run_id} of '{project}' was interrupted before it finished publishing ({why}): recorded it as failed"
        + (
            "; the previous predictions stayed in force."
            if not holds
            else "; re-run `soloml score` to bring them in line."
        )
    )
    ops.finish_run(con, run_id, status="failed", finished_at=_now(), error=note)
    _settle_local(local, publish_lookup=False)
    return note


def staged_files(con: Any) -> set[str]:
    """Workspace-relative paths of local files that runs still 'publishing' need."""
    rows = ops.select(con, "runs", ["details"], kind="score", status=PUBLISHING)
    return {
        p
        for r in rows
        for p in (json.loads(r["details"]) if isinstance(r["details"], str) else {}).get("staged", {}).values()
    }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
