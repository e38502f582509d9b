"""`soloml score PROJECT`: predictions for the current population, to ops.predictions, a CSV or the business's database."""

from __future__ import annotations

import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from soloml.cli.output import JsonOption, SchedulerOption, WorkspaceOption, console, emit, handled, workspace
from soloml.cli.recover import announce


def executable() -> str:
    """The soloml command of this installation (for cron and systemd, which have a bare PATH)."""
    beside = Path(sys.executable).with_name("soloml")
    return str(beside) if beside.exists() else (shutil.which("soloml") or "soloml")


def register(app: typer.Typer) -> None:
    @app.command("score")
    def score_cmd(
        project: Annotated[str, typer.Argument(help="The project to score (projects/PROJECT.yaml).")],
        to: Annotated[
            list[str] | None,
            typer.Option(
                "--to",
                help="Also write to a .csv/.parquet file or a database URL (postgresql+psycopg://..., mysql+pymysql://...). Repeatable.",
            ),
        ] = None,
        table: Annotated[
            str | None, typer.Option(help="Table for a database --to (default soloml_<project>_predictions).")
        ] = None,
        capacity: Annotated[
            str | None,
            typer.Option(
                help="Act on the N highest scores (or 'spec' for the project's capacity) instead of the model's threshold."
            ),
        ] = None,
        run_id: Annotated[
            str | None, typer.Option("--run-id", help="Name the run; re-running the same id replaces its rows.")
        ] = None,
        as_of: Annotated[
            datetime | None, typer.Option("--as-of", help="Score as of this date (default: the latest data).")
        ] = None,
        reasons: Annotated[
            str, typer.Option(help="Top reasons: fast (path contributions), exact (TreeSHAP) or none.")
        ] = "fast",
        all_reasons: Annotated[
            bool, typer.Option("--all-reasons", help="Write reasons for every row, not only the rows to act on.")
        ] = False,
        engine: Annotated[
            str,
            typer.Option(
                "--engine",
                help="Where to predict: local (this process) or dask (partition-wise on a Dask cluster; extra soloml[scale]).",
            ),
        ] = "local",
        scheduler: SchedulerOption = None,
        cron: Annotated[
            str | None,
            typer.Option(
                help='Instead of scoring, print the crontab line and systemd units that run this on the cron schedule, e.g. "0 6 * * 1".'
            ),
        ] = None,
        ws_dir: WorkspaceOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Score the current population with the production model and write the predictions (atomically)."""
        with handled():
            from soloml.app.score import schedule_score, score

            if cron is not None:
                plan = schedule_score(
                    workspace(ws_dir),
                    project,
                    cron,
                    executable=executable(),
                    to=to or (),
                    table=table,
                    capacity=capacity,
                    reasons=reasons,
                    all_reasons=all_reasons,
                )
                emit(plan, as_json, _render_schedule)
                return
            result = score(
                workspace(ws_dir),
                project,
                to=to or (),
                table=table,
                capacity=capacity,
                run_id=run_id,
                as_of=as_of,
                reasons=reasons,
                all_reasons=all_reasons,
                engine=engine,
                scheduler=scheduler,
                announce=announce,
            )
            emit(result, as_json, _render_result)


def _render_result(r) -> None:  # noqa: ANN001
    console.print(
        f"Scored {r.rows:,} {r.project} entities with model {r.model_version} (run {r.run_id}"
        + (f", on {r.engine}" if r.engine != "local" else "")
        + ")."
    )
    console.print(f"{r.decided:,} to act on ({r.decided_by}).")
    for t in r.top[:3]:
        why = "; ".join(t["reasons"]) or "no strong reason"
        own = ", ".join(
            str(v) for v in (t.get("source_id") and f"{t.get('source_system')} {t['source_id']}", t.get("email")) if v
        )
        console.print(
            f"  #{t['rank']} {t['entity_id']}" + (f" ({own})" if own else "") + f": {t['score']:.3f} — {why}",
            markup=False,
        )
    for o in r.outputs:
        console.print(f"Wrote {o.rows:,} rows to {o.target}" + (f" (table {o.table})" if o.table else "") + ".")
    console.print("Saved in ops.predictions.")


def _render_schedule(s) -> None:  # noqa: ANN001
    console.print("# crontab -e, then add:")
    console.print(s.crontab)
    console.print(f"\n# or systemd: /etc/systemd/system/{s.service_name}.service")
    console.print(s.service_unit)
    console.print(
        f"# /etc/systemd/system/{s.service_name}.timer  (then: systemctl enable --now {s.service_name}.timer)"
    )
    console.print(s.timer_unit)
