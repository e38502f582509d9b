"""The project's columns through the same screen training uses: likely ids, leak suspects (a column that
predicts the label almost perfectly, usually recorded after the outcome), constants, all-missing, free
text; and features missing for most rows. The screen itself comes in through the Toolkit."""

from __future__ import annotations

from soloml.features.trainingset import TrainingSet
from soloml.projects.spec import ProjectSpec
from soloml.readiness.findings import Finding, Fix
from soloml.readiness.toolkit import ColumnIssue

MOSTLY_MISSING = 0.8
KIND_CHECKS = {
    "id": "id_column",
    "leak": "leak",
    "constant": "constant",
    "all_missing": "all_missing",
    "free_text": "free_text",
}


def check_screen(ts: TrainingSet, spec: ProjectSpec, issues: tuple[ColumnIssue, ...]) -> tuple[Finding, ...]:
    """Findings for the columns training would leave out (`issues`, from the screen), or that are mostly empty."""
    flagged = {i.column for i in issues}
    out = [_issue_finding(i, spec) for i in issues]
    for name in ts.features:
        share = float(ts.frame[name].isna().mean()) if len(ts.frame) else 0.0
        if name not in flagged and MOSTLY_MISSING <= share < 1.0:
            words = f"Feature '{name}' is missing for {share:.0%} of the {_rows(spec)}."
            fix = Fix(
                "Fine to train with (missing is a value the trees can use); if it should be filled, check where it comes from: "
                + _where(spec),
                file=_file(spec),
                column=name,
            )
            out.append(
                Finding(
                    "mostly_missing",
                    "note",
                    f"{spec.name}.{name}",
                    words,
                    fix,
                    figures={"missing_share": round(share, 4)},
                )
            )
    if out:
        return tuple(out)
    return (
        Finding(
            "columns",
            "ok",
            spec.name,
            f"None of the {len(ts.features)} features looks like an id, a leak, or is mostly empty.",
            figures={"features": len(ts.features)},
        ),
    )


def _issue_finding(issue: ColumnIssue, spec: ProjectSpec) -> Finding:
    subject = f"{spec.name}.{issue.column}"
    if issue.kind == "leak":
        words = f"'{issue.column}' is {issue.reason}."
        fix = Fix(
            f"Remove '{issue.column}' from {_where(spec)} (or keep only its values from before the outcome), then check again.",
            command=f"soloml check {spec.name}",
            file=_file(spec),
            column=issue.column,
        )
        return Finding("leak", "fix", subject, words, fix, figures={"kind": issue.kind})
    check = KIND_CHECKS.get(issue.kind, issue.kind)
    words = (
        f"'{issue.column}' looks like {issue.reason}." if issue.kind == "id" else f"'{issue.column}' is {issue.reason}."
    )
    silence = (
        f"remove it from {spec.source_table}"
        if spec.recipe == "table"
        else f"list it under features_exclude in projects/{spec.name}.yaml"
    )
    fix = Fix(
        f"Nothing to do: training leaves '{issue.column}' out and says so; {silence} to silence this.",
        file=_file(spec) or f"projects/{spec.name}.yaml",
        column=issue.column,
    )
    return Finding(check, "note", subject, words, fix, figures={"kind": issue.kind})


def _rows(spec: ProjectSpec) -> str:
    return "rows" if spec.recipe == "table" else "snapshots"


def _where(spec: ProjectSpec) -> str:
    if spec.recipe == "table":
        return str(spec.source_table)
    return "the SQL feature files (features/*.sql)" if spec.features_sql else "the loaded exports"


def _file(spec: ProjectSpec) -> str | None:
    if spec.recipe == "table":
        return spec.source_table
    return ", ".join(f"features/{f}" for f in spec.features_sql) or None
