"""Is the data ready? `soloml check`: findings with the fix, or the number still needed and roughly when.

The stage after loading and before training. Every result is a frozen dataclass with `to_facts()`.
"""

from soloml.readiness.check import check_project, check_workspace
from soloml.readiness.profile import TableProfile, profile_table
from soloml.readiness.record import record_check
from soloml.readiness.report import ReadinessReport
from soloml.readiness.toolkit import Toolkit

__all__ = [
    "ReadinessReport",
    "TableProfile",
    "Toolkit",
    "check_project",
    "check_workspace",
    "profile_table",
    "record_check",
]
