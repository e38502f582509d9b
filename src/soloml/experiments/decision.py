"""The decision, from the same test that gave the printed p-value and interval.

Once the experiment is over (its end date passed, or its planned size reached when it has no
end date) the basis is the fixed-horizon test (Holm over treatments); before that it is the
always-valid interval, so an early look never ships on noise. Guardrails are judged on the
same basis with Holm over every guardrail comparison; a significant move the wrong way turns
"ship" into "ship, but refunds rose: check before rolling out".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from soloml.experiments.analysis import Comparison, MetricResult
    from soloml.experiments.frequentist import SampleRatio
    from soloml.experiments.spec import ExperimentSpec

Action = Literal["ship", "ship_check", "keep_running", "no_effect", "keep_control", "investigate"]
Basis = Literal["fixed-horizon", "always-valid"]


def significant(c: Comparison, alpha: float, basis: Basis) -> bool:
    """Fixed-horizon (Holm-adjusted) p-value once the experiment is over; the always-valid interval before."""
    return c.p_value_adjusted < alpha if basis == "fixed-horizon" else c.sequential.rejects_null


def guardrail_alarm(c: Comparison, alpha: float) -> bool:
    """A guardrail moved the wrong way beyond chance (Holm over all guardrail comparisons, on the basis p-value)."""
    return not c.better and c.guardrail_p is not None and c.guardrail_p < alpha


@dataclass(frozen=True)
class Decision:
    action: Action
    variant: str | None = None
    harmed: tuple[tuple[str, str], ...] = ()  # (guardrail, "rose" | "fell")

    @property
    def code(self) -> str:
        """The stable machine form: 'ship offer', 'keep running', ..."""
        if self.action == "ship":
            return f"ship {self.variant}"
        if self.action == "ship_check":
            return f"ship {self.variant}, but {_harm_words(self.harmed)}: check before rolling out"
        return {
            "keep_running": "keep running",
            "no_effect": "no detectable effect: keep control",
            "keep_control": "keep control: the treatment is worse",
            "investigate": "investigate: sample ratio mismatch",
        }[self.action]

    def words(self, spec: ExperimentSpec) -> str:
        """The same decision with the variants' labels, for people."""
        label = spec.label(self.variant) if self.variant else ""
        return {
            "ship": f"roll out {label}",
            "ship_check": f"roll out {label}, but {_harm_words(self.harmed)}: check that before rolling out",
            "keep_running": "keep the experiment running; it is too early to call",
            "no_effect": f"keep {spec.label(spec.control_variant)}: no difference beyond chance",
            "keep_control": f"keep {spec.label(spec.control_variant)}: the change did worse",
            "investigate": "investigate before trusting any number: the groups are not the sizes the split promised",
        }[self.action]


def _harm_words(harmed: tuple[tuple[str, str], ...]) -> str:
    return " and ".join(f"{name} {moved}" for name, moved in harmed)


def decide(
    primary: MetricResult, guardrails: tuple[MetricResult, ...], srm: SampleRatio | None, alpha: float, basis: Basis
) -> Decision:
    if srm is not None and srm.mismatch:
        return Decision("investigate")
    winners = [c for c in primary.comparisons if significant(c, alpha, basis) and c.better]
    if winners:
        best = max(winners, key=lambda c: c.chance_to_beat_control)
        harmed = tuple(
            (g.name, "rose" if g.good_direction == "decrease" else "fell")
            for g in guardrails
            for c in g.comparisons
            if c.variant == best.variant and guardrail_alarm(c, alpha)
        )
        return Decision("ship_check", best.variant, harmed) if harmed else Decision("ship", best.variant)
    losers = [c for c in primary.comparisons if significant(c, alpha, basis) and not c.better]
    if losers and len(losers) == len(primary.comparisons):
        return Decision("keep_control")
    return Decision("no_effect") if basis == "fixed-horizon" else Decision("keep_running")
