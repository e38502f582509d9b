"""Long work started from a page (re-run a check, a scoring run) runs in a background thread; the page polls it.

A `Jobs` value belongs to one dashboard app (no module-level state). Each job has an id, a title, a state
(running, done, failed), when it started and finished, and on success the result's facts, on failure the
error's one-paragraph message. Only one job per (kind, project) runs at a time: asking again while it runs
returns the running job instead of starting a second writer on the same warehouse.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from soloml.errors import SolomlError

State = Literal["running", "done", "failed"]
MAX_KEPT = 50


@dataclass
class Job:
    id: str
    kind: str
    project: str
    title: str
    started: float
    state: State = "running"
    finished: float | None = None
    facts: dict[str, Any] | None = None
    error: str | None = None

    def elapsed(self) -> float:
        return (self.finished or time.time()) - self.started

    def to_facts(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "project": self.project,
            "title": self.title,
            "state": self.state,
            "elapsed_seconds": round(self.elapsed(), 1),
            "facts": self.facts,
            "error": self.error,
        }


@dataclass
class Jobs:
    """The jobs of one dashboard process."""

    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, kind: str, project: str, title: str, work: Callable[[], dict[str, Any]]) -> Job:
        with self.lock:
            for job in self.jobs.values():
                if job.kind == kind and job.project == project and job.state == "running":
                    return job
            job = Job(secrets.token_hex(6), kind, project, title, time.time())
            self.jobs[job.id] = job
            for old in list(self.jobs)[:-MAX_KEPT]:
                if self.jobs[old].state != "running":
                    del self.jobs[old]
        threading.Thread(target=self._run, args=(job, work), name=f"soloml-ui-{kind}-{job.id}", daemon=True).start()
        return job

    def _run(self, job: Job, work: Callable[[], dict[str, Any]]) -> None:
        try:
            facts = work()
        except SolomlError as exc:
            job.error, job.state = str(exc), "failed"
        except Exception as exc:  # noqa: BLE001 - a thread must not die silently; the page shows what went wrong
            job.error, job.state = f"{type(exc).__name__}: {exc}", "failed"
        else:
            job.facts, job.state = facts, "done"
        finally:
            job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def latest(self, kind: str, project: str) -> Job | None:
        found = [j for j in self.jobs.values() if j.kind == kind and j.project == project and j.state == "done"]
        return found[-1] if found else None
