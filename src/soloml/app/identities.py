"""`soloml identities`'s use case: decide suggested links (one transaction), then report how customers line up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from soloml.app.workspaces import WorkspaceLike, as_workspace
from soloml.facts import JSON, field_facts, jsonable

if TYPE_CHECKING:
    from soloml.canonical.identity_report import IdentityReport
    from soloml.canonical.identity_suggest import Decision


@dataclass(frozen=True)
class IdentitiesResult:
    """The identity report after the decisions asked for, and what each decision did."""

    report: IdentityReport
    decisions: tuple[Decision, ...] = ()

    def to_facts(self) -> dict[str, JSON]:
        """The report's own facts at the top level (as `soloml identities --json` always printed), plus `decisions`."""
        return {**field_facts(self.report), "decisions": jsonable(self.decisions)}


def identities(
    workspace: WorkspaceLike, *, top: int = 20, accept: Sequence[str] = (), reject: Sequence[str] = ()
) -> IdentitiesResult:
    """Accept or reject suggested links (all or none), then the match rates, links, unmatched and open suggestions."""
    from soloml.canonical.identity_report import identity_report
    from soloml.canonical.identity_suggest import decide

    with as_workspace(workspace).connect() as con:
        decisions: list[Decision] = []
        if accept or reject:
            con.begin()
            try:
                decisions = [decide(con, sid, accept=True) for sid in accept]
                decisions += [decide(con, sid, accept=False) for sid in reject]
                con.commit()
            except BaseException:
                con.rollback()
                raise
        return IdentitiesResult(identity_report(con, top=top), tuple(decisions))
