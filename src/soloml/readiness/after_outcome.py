"""Features that change after the outcome: the user's SQL features through the leakage audit (soloml.features.audit),
which adds records dated after a cutoff, in a transaction it rolls back, and sees whether any feature moves.

Built-in features are point-in-time by construction (soloml's own tests audit every one); a SQL file is
the user's, so it is audited at a few cutoffs.
"""

from __future__ import annotations

from pathlib import Path

from soloml.features.audit import audit_leakage
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import Finding, Fix
from soloml.warehouse.base import Connection

AUDIT_CUTOFFS = 2


def check_after_outcome(con: Connection, spec: ProjectSpec, features_dir: Path | None) -> tuple[Finding, ...]:
    if spec.recipe == "table" or not spec.features_sql:
        return ()
    result = audit_leakage(con, spec, features_dir=features_dir, max_cutoffs=AUDIT_CUTOFFS)
    out = []
    for leak in result.leaks:
        file = leak.source if leak.source == "built-in" else f"features/{Path(leak.source).name}"
        words = (
            f"Feature '{leak.feature}' (from {file}) changes at the {leak.cutoff:%Y-%m-%d} snapshot when records dated after it are "
            f"added ({leak.entity_id}: {leak.before} becomes {leak.after}): it reads what happens after the outcome."
        )
        fix = Fix(
            f"Keep {file} to events before the cutoff (e.g. WHERE paid_at < {{{{ cutoff }}}}), then audit it again.",
            command=f"soloml features {spec.name} --audit",
            file=file,
            column=leak.feature,
        )
        out.append(
            Finding("after_outcome", "fix", f"{spec.name}.{leak.feature}", words, fix, figures={"cutoff": leak.cutoff})
        )
    if result.population_changed:
        words = "Who is scored at a snapshot changes when records dated after it are added: the population reads the future."
        out.append(
            Finding(
                "after_outcome",
                "fix",
                spec.name,
                words,
                Fix(
                    "Check the SQL feature files and the population setting.",
                    command=f"soloml features {spec.name} --audit",
                ),
            )
        )
    if out:
        return tuple(out)
    return (
        Finding(
            "after_outcome",
            "ok",
            spec.name,
            f"The SQL features never change when records dated after a snapshot are added "
            f"({result.features_checked} features checked at {len(result.cutoffs_checked)} snapshots).",
        ),
    )
