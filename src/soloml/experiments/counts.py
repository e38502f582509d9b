"""Analyse a result that only exists as a dashboard's numbers: `--counts "control=120/1500,treatment=151/1500"`.

Conversions are `ARM=SUCCESSES/UNITS`; means are `ARM=UNITS/SUM/SUM_OF_SQUARES` (what a SQL
`count(*), sum(x), sum(x*x)` returns). The first arm is the control unless told otherwise. The
numbers go through the same per-arm tests as unit-level data (no CUPED: there is no covariate).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from soloml.errors import ExperimentError, did_you_mean
from soloml.experiments.analysis import ArmSummary, ExperimentResult, analyze_summaries, basis_for, finish
from soloml.experiments.frequentist import sample_ratio_check
from soloml.experiments.spec import ExperimentSpec

Kind = Literal["conversion", "mean"]
_NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?"
_ITEM = re.compile(rf"^\s*([^=,]+?)\s*=\s*({_NUMBER})\s*/\s*({_NUMBER})(?:\s*/\s*({_NUMBER}))?\s*$")
EXAMPLE = '"control=120/1500,treatment=151/1500" (successes/units) or "control=1500/61234.5/3512345.2" (units/sum/sum of squares)'


def parse_counts(text: str) -> tuple[Kind, dict[str, ArmSummary]]:
    """The arms, in order, as summaries; every malformed piece is named."""
    arms: dict[str, ArmSummary] = {}
    kinds = set()
    for piece in [p for p in text.split(",") if p.strip()]:
        m = _ITEM.match(piece)
        if not m:
            raise ExperimentError(f"--counts: cannot read {piece.strip()!r}.", hint=f"Write {EXAMPLE}.")
        arm, a, b, c = m.group(1), float(m.group(2)), float(m.group(3)), m.group(4)
        if arm in arms:
            raise ExperimentError(f"--counts: arm {arm!r} is given twice.", hint="Give each arm once.")
        if c is None:
            kinds.add("conversion")
            if b < 1 or a > b or a != int(a) or b != int(b):
                raise ExperimentError(
                    f"--counts: {arm}={m.group(2)}/{m.group(3)} is not whole successes out of at least as many units.",
                    hint=f"Write {EXAMPLE}.",
                )
            arms[arm] = ArmSummary.from_sums(int(b), a, a)
        else:
            kinds.add("mean")
            if a < 2 or a != int(a):
                raise ExperimentError(
                    f"--counts: arm {arm!r} has {m.group(2)} units; a mean needs a whole number of at least 2.",
                    hint=f"Write {EXAMPLE}.",
                )
            arms[arm] = ArmSummary.from_sums(int(a), b, float(c))
    if len(kinds) > 1:
        raise ExperimentError(
            "--counts mixes successes/units and units/sum/sum-of-squares.", hint="Give every arm in the same form."
        )
    if len(arms) < 2:
        raise ExperimentError(f"--counts needs at least two arms, got {list(arms)}.", hint=f"Write {EXAMPLE}.")
    return kinds.pop(), arms  # type: ignore[return-value]


def spec_for_counts(
    name: str,
    kind: Kind,
    arms: dict[str, ArmSummary],
    *,
    control: str | None = None,
    base: ExperimentSpec | None = None,
) -> ExperimentSpec:
    """The experiment's YAML when there is one (its arms must match), else a spec drawn from the counts."""
    if control is not None and control not in arms:
        raise ExperimentError(
            f"--control {control!r} is not one of the arms {list(arms)}.{did_you_mean(control, arms)}",
            hint="Name one of the arms in --counts.",
        )
    if base is not None:
        unknown = [a for a in arms if a not in base.variants]
        if unknown or len(arms) != len(base.variants):
            raise ExperimentError(
                f"--counts gives arms {list(arms)} but experiment '{name}' has {list(base.variants)}.",
                hint="Use the YAML's variant names in --counts.",
            )
        if control is not None and control != base.control_variant:
            raise ExperimentError(
                f"--control {control!r} contradicts the YAML's control {base.control_variant!r}.",
                hint="Drop --control or fix the YAML.",
            )
        if "kind" in base.primary.model_fields_set and base.primary.kind != kind:
            raise ExperimentError(
                f"The YAML says metric '{base.primary.name}' is a {base.primary.kind} but --counts gives {kind} numbers.",
                hint=f"Write {EXAMPLE}.",
            )
        return base.model_copy(update={"primary": base.primary.model_copy(update={"kind": kind})})
    order = [control] + [a for a in arms if a != control] if control else list(arms)
    return ExperimentSpec.model_validate(
        {
            "name": name,
            "split_by": "another tool",
            "planned_split": False,
            "variants": {a: float(arms[a].n) for a in order},
            "primary": {
                "name": "conversions" if kind == "conversion" else "outcome",
                "kind": kind,
                "verb": "got" if kind == "conversion" else "had",
            },
        }
    )


def analyze_counts(spec: ExperimentSpec, arms: dict[str, ArmSummary], *, today: date | None = None) -> ExperimentResult:
    """The analysis of summary numbers per arm (no unit rows, so no CUPED and no guardrails)."""
    today = today or date.today()
    raw = {v: arms[v] for v in spec.variants}
    srm = sample_ratio_check({v: s.n for v, s in raw.items()}, spec.weights) if spec.planned_split else None
    basis = basis_for(spec, min(s.n for s in raw.values()), today)
    planned = spec.planned_units_per_arm
    scale = None if planned is None else min(s.n for s in raw.values()) / planned
    primary = analyze_summaries(raw, spec, spec.primary, v_plan_scale=scale)
    warnings = (
        [f"Guardrails {[g.name for g in spec.guardrails]} were not analysed: --counts gives only the primary metric."]
        if spec.guardrails
        else []
    )
    return finish(
        spec,
        primary,
        [],
        srm,
        basis,
        today=today,
        exposed_from=None,
        exposed_to=None,
        source="summary counts",
        warnings=tuple(warnings),
    )
