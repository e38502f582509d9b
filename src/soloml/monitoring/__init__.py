"""Watch a deployed model: feature and prediction drift, source freshness, live performance vs the done line."""

from soloml.monitoring.drift import FeatureDrift, feature_drift
from soloml.monitoring.monitor import MonitorReport, check, record
from soloml.monitoring.project import monitor_project

__all__ = ["FeatureDrift", "MonitorReport", "check", "feature_drift", "monitor_project", "record"]
