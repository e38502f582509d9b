"""What a project tells an experiment design: its pace (capacity per cycle) and today's base rate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from soloml.experiments.design import pace_from_capacity
from soloml.warehouse.base import Connection

if TYPE_CHECKING:
    from soloml.projects.spec import ProjectSpec

CYCLE_WORDS = {"daily": "day", "weekly": "week", "monthly": "month"}


def project_pace(spec: ProjectSpec) -> tuple[float, str]:
    """Units a day the business can put through the experiment, and where that number came from."""
    business = spec.business
    return pace_from_capacity(
        business.capacity, business.cycle
    ), f"project '{spec.name}' capacity: {business.capacity:,} a {CYCLE_WORDS[business.cycle]}"


def project_base_rate(con: Connection, project: str) -> float | None:
    """The label rate of the project's cached training set, if it exists and is binary."""
    from soloml.features.cache import label_rate

    return label_rate(con, project)
